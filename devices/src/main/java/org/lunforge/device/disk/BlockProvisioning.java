package org.lunforge.device.disk;

import java.util.Arrays;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.Extent;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;

/**
 * WRITE SAME, UNMAP and GET LBA STATUS: logical block provisioning (SBC-4 4.7) over the store's unmap and allocation
 * state. A thin disk reports LBPME and LBPRZ when its store deallocates and reads deallocated ranges as zeros.
 */
final class BlockProvisioning {
    /** The most descriptors one GET LBA STATUS returns; the initiator asks again from where it stopped. */
    private static final int MAX_LBA_STATUS_DESCRIPTORS = 256;

    private final SbcDisk disk;

    BlockProvisioning(SbcDisk disk) {
        this.disk = disk;
    }

    /**
     * WRITE SAME (SBC-4 5.49, 5.50). Checks, in this order: the starting LBA, the range (a NUMBER OF LOGICAL BLOCKS of
     * 0 reaches the last LBA), MAXIMUM WRITE SAME LENGTH (INVALID FIELD IN CDB at the length), then the Data-Out,
     * which must be exactly one logical block unless NDOB. With UNMAP on a thin disk a zero block deallocates the
     * range (it reads back as zeros, LBPRZ); any other block is written. A disk that is not thin refuses the UNMAP
     * bit (INVALID FIELD IN CDB): it reports LBPWS and LBPWS10 as 0, and libiscsi's WriteSame*.UnmapVpd holds a
     * target to that.
     */
    void writeSame(ScsiTask task, SbcCommand.WriteSame w) {
        long cap = disk.capacity();
        if (Long.compareUnsigned(w.lba(), cap) > 0) {
            throw new CheckCondition(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
        long blocks = w.blocks() == 0 ? cap - w.lba() : w.blocks();
        disk.checkRange(w.lba(), blocks);
        if (Long.compareUnsigned(blocks, disk.config().maxWriteSameBlocks()) > 0) {
            throw CheckCondition.invalidFieldInCdb(w.lengthField(), 7);
        }
        if (w.unmap() && !disk.thin()) { // LBPWS and LBPWS10 are 0: the UNMAP bit is not supported
            throw CheckCondition.invalidFieldInCdb(1, 3);
        }
        int bs = disk.blockLength();
        byte[] block = null;
        if (!w.noDataOut()) {
            if (task.dataOut().length() != bs) {
                throw new CheckCondition(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
            }
            block = task.dataOut().toByteArray(0, bs);
        }
        boolean zeros = block == null || isZero(block);
        BlockStore store = disk.store();
        long offset = w.lba() * bs;
        long length = blocks * bs;
        RangeLock.Hold hold = disk.rangeLock().shared(w.lba(), blocks);
        try {
            if (length == 0) {
                // nothing to do: LBA == capacity with NUMBER OF LOGICAL BLOCKS 0
            } else if (w.unmap() && disk.thin() && store.unmapReadsZeros()) {
                // UNMAP set: deallocate, whatever the data block holds; the range then reads as zeros (LBPRZ).
                // This is what LIO does and what libiscsi's WriteSame*.Unmap* tests expect (they send 0xFF blocks).
                store.unmap(offset, length);
            } else if (zeros) {
                store.writeZeros(offset, length);
            } else {
                store.writeSame(offset, length, SgList.wrap(block), !disk.writeCacheEnabled());
            }
        } finally {
            disk.rangeLock().release(hold);
        }
        disk.lu().good(task, w.noDataOut() ? 0 : bs);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * UNMAP (SBC-4 5.32). The parameter list is an 8-byte header and 16-byte block descriptors. A PARAMETER LIST
     * LENGTH of 0 is not an error; 1 to 7, or a descriptor length reaching past the list, is PARAMETER LIST LENGTH
     * ERROR; an incomplete last descriptor is ignored. Every descriptor is checked before any is processed: a range
     * beyond the capacity is LBA OUT OF RANGE, more descriptors or blocks than the Block Limits page allows is
     * INVALID FIELD IN PARAMETER LIST. A descriptor of 0 blocks is valid, even at LBA == capacity.
     */
    void unmap(ScsiTask task, SbcCommand.Unmap u) {
        int length = u.parameterListLength();
        if (length == 0) {
            disk.lu().good(task, 0);
            return;
        }
        int available = (int) Math.min(length, task.dataOut().length());
        if (length < 8 || available < 8) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] list = task.dataOut().toByteArray(0, available);
        int descriptorBytes = BigEndian.u16(list, 2);
        if (8 + descriptorBytes > available) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        int count = descriptorBytes / 16;
        DiskConfig config = disk.config();
        if (count > config.maxUnmapDescriptors()) {
            throw CheckCondition.invalidFieldInParameterList(2, 7);
        }
        long total = 0;
        for (int i = 0; i < count; i++) {
            int at = 8 + 16 * i;
            long lba = BigEndian.s64(list, at);
            long blocks = BigEndian.u32(list, at + 8);
            disk.checkRange(lba, blocks);
            total += blocks;
            if (config.maxUnmapBlocks() != 0xFFFFFFFFL && total > config.maxUnmapBlocks()) {
                throw CheckCondition.invalidFieldInParameterList(at + 8, 7);
            }
        }
        int bs = disk.blockLength();
        for (int i = 0; i < count; i++) {
            int at = 8 + 16 * i;
            long lba = BigEndian.s64(list, at);
            long blocks = BigEndian.u32(list, at + 8);
            if (blocks == 0) {
                continue;
            }
            RangeLock.Hold hold = disk.rangeLock().shared(lba, blocks);
            try {
                disk.store().unmap(lba * bs, blocks * bs);
            } finally {
                disk.rangeLock().release(hold);
            }
        }
        disk.lu().good(task, length);
    }

    /**
     * GET LBA STATUS (SBC-4 5.7): LBA status descriptors from the STARTING LOGICAL BLOCK ADDRESS on, the first one
     * starting exactly there, each a run of blocks with one provisioning status (0 mapped, 1 deallocated). A starting
     * LBA at or beyond the capacity is LBA OUT OF RANGE. A disk that is not thin reports everything mapped.
     */
    void getLbaStatus(ScsiTask task, SbcCommand.GetLbaStatus g) {
        long cap = disk.capacity();
        if (Long.compareUnsigned(g.lba(), cap) >= 0) {
            throw new CheckCondition(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
        int bs = disk.blockLength();
        int max = (int) Math.max(1, Math.min(MAX_LBA_STATUS_DESCRIPTORS, (g.allocationLength() - 8) / 16));
        byte[] data = new byte[8 + 16 * max];
        int count = 0;
        long lba = g.lba();
        while (count < max && lba < cap) {
            long limit = Math.min(cap - lba, 0xFFFFFFFFL);
            long blocks;
            boolean mapped;
            if (disk.thin()) {
                Extent e = disk.store().extentAt(lba * bs, limit * bs);
                mapped = e.mapped();
                blocks = Math.min(limit, (e.length() + bs - 1) / bs);
            } else {
                mapped = true;
                blocks = limit;
            }
            int at = 8 + 16 * count;
            if (count > 0 && ((data[at - 4] & 0x0F) == 0) == mapped
                    && BigEndian.u32(data, at - 8) + blocks <= 0xFFFFFFFFL) {
                BigEndian.put32(data, at - 8, BigEndian.u32(data, at - 8) + blocks); // same state: extend it
            } else {
                BigEndian.put64(data, at, lba);
                BigEndian.put32(data, at + 8, blocks);
                data[at + 12] = (byte) (mapped ? 0 : 1);
                count++;
            }
            lba += blocks;
        }
        byte[] out = Arrays.copyOf(data, 8 + 16 * count);
        BigEndian.put32(out, 0, out.length - 4);
        disk.returnData(task, out, g.allocationLength());
    }
}
