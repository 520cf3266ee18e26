package org.lunforge.device.disk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.VpdPage;

/**
 * The VPD pages a disk adds to the logical unit's own: Block Limits (B0h), Block Device Characteristics (B1h),
 * Logical Block Provisioning (B2h) and Third-party Copy (8Fh, SPC-4 7.8.17) for EXTENDED COPY. Each
 * supplies the bytes after the 4-byte page header; the pages are built on demand from the current configuration.
 */
final class DiskVpdPages {
    static final int BLOCK_LIMITS = 0xB0;
    static final int BLOCK_DEVICE_CHARACTERISTICS = 0xB1;
    static final int LOGICAL_BLOCK_PROVISIONING = 0xB2;
    static final int THIRD_PARTY_COPY = 0x8F;

    private record Page(int pageCode, Supplier<byte[]> body) implements VpdPage {
        @Override
        public byte[] payload(Nexus nexus) {
            return body.get();
        }
    }

    private final SbcDisk disk;

    DiskVpdPages(SbcDisk disk) {
        this.disk = disk;
    }

    List<VpdPage> pages() {
        List<VpdPage> pages = new ArrayList<>();
        pages.add(new Page(THIRD_PARTY_COPY, this::thirdPartyCopy));
        pages.add(new Page(BLOCK_LIMITS, this::blockLimits));
        pages.add(new Page(BLOCK_DEVICE_CHARACTERISTICS, this::blockDeviceCharacteristics));
        pages.add(new Page(LOGICAL_BLOCK_PROVISIONING, this::logicalBlockProvisioning));
        return pages;
    }

    /** SBC-4 6.6.4, page length 3Ch. Offsets below are page offsets; the body starts at page byte 4. */
    byte[] blockLimits() {
        DiskConfig c = disk.config();
        int bs = disk.blockLength();
        byte[] page = new byte[64];
        page[4] = 0; // WSNZ 0: WRITE SAME with NUMBER OF LOGICAL BLOCKS 0 reaches the last LBA
        page[5] = (byte) c.maxCompareAndWriteBlocks();
        BigEndian.put16(page, 6, 1 << c.physicalBlockExponent()); // OPTIMAL TRANSFER LENGTH GRANULARITY
        BigEndian.put32(page, 8, c.maxTransferBlocks());
        BigEndian.put32(page, 12, Math.min(c.maxTransferBlocks(), Math.max(1, (1 << 20) / bs)));
        if (disk.thin()) {
            BigEndian.put32(page, 20, c.maxUnmapBlocks());
            BigEndian.put32(page, 24, c.maxUnmapDescriptors());
            // OPTIMAL UNMAP GRANULARITY: the store's allocation unit, and at least one physical block
            long granularity = Math.max(1L << c.physicalBlockExponent(), disk.store().allocationUnit() / bs);
            BigEndian.put32(page, 28, granularity);
        }
        BigEndian.put64(page, 36, c.maxWriteSameBlocks());
        BigEndian.put32(page, 44, c.maxAtomicTransferBlocks()); // ATOMIC ALIGNMENT and GRANULARITY stay 0
        return Arrays.copyOfRange(page, 4, page.length);
    }

    /**
     * SBC-4 6.6.2, page length 3Ch: MEDIUM ROTATION RATE 0001h, a non-rotating medium; WABEREQ 01b where SANITIZE
     * BLOCK ERASE is offered (a read after it completes GOOD, here with zeros); WACEREQ 00b (no CRYPTO ERASE).
     */
    byte[] blockDeviceCharacteristics() {
        byte[] page = new byte[64];
        BigEndian.put16(page, 4, 0x0001);
        if (DiskSanitize.canBlockErase(disk)) {
            page[7] = 0x40;
        }
        return Arrays.copyOfRange(page, 4, page.length);
    }

    /**
     * SBC-4 6.6.6, page length 4. Thin: LBPU, LBPWS, LBPWS10, LBPRZ 001b when unmapped blocks read zeros, PROVISIONING
     * TYPE 010b. Otherwise all zero (fully provisioned): the page is offered anyway, so that initiators that read it
     * unconditionally find it says so rather than nothing.
     */
    byte[] logicalBlockProvisioning() {
        byte[] body = new byte[4];
        if (disk.thin()) {
            boolean lbprz = disk.store().unmapReadsZeros();
            body[1] = (byte) (0x80 | 0x40 | 0x20 | (lbprz ? 0x04 : 0)); // ANC_SUP 0, DP 0
            body[2] = 0x02;
        }
        return body;
    }

    /**
     * SPC-4 7.8.17: supported commands (EXTENDED COPY LID1; RECEIVE COPY RESULTS 00h, 03h, 04h), parameter data,
     * supported descriptors (02h and 0Ah block to block, E4h identification CSCD), supported CSCD IDs (none) and general copy
     * operations.
     */
    byte[] thirdPartyCopy() {
        List<byte[]> descriptors = new ArrayList<>();
        descriptors.add(descriptor(0x0001, new byte[] {8, (byte) 0x83, 1, 0x00, (byte) 0x84, 3, 0x00, 0x03, 0x04}));
        byte[] parameters = new byte[28];
        BigEndian.put16(parameters, 4, ExtendedCopyManager.MAX_CSCD_DESCRIPTORS);
        BigEndian.put16(parameters, 6, ExtendedCopyManager.MAX_SEGMENT_DESCRIPTORS);
        BigEndian.put32(parameters, 8, ExtendedCopyManager.MAX_DESCRIPTOR_LIST_LENGTH);
        descriptors.add(descriptor(0x0004, parameters));
        descriptors.add(descriptor(0x0008, new byte[] {3, ExtendedCopyManager.BLOCK_TO_BLOCK,
                ExtendedCopyManager.BLOCK_TO_BLOCK_BYTES, (byte) ExtendedCopyManager.IDENTIFICATION_CSCD}));
        descriptors.add(descriptor(0x000C, new byte[2]));
        byte[] general = new byte[32];
        BigEndian.put32(general, 0, 1); // TOTAL CONCURRENT COPIES
        BigEndian.put32(general, 4, 1); // MAXIMUM IDENTIFIED CONCURRENT COPIES
        BigEndian.put32(general, 8, ExtendedCopyManager.MAX_SEGMENT_BYTES);
        general[12] = (byte) Integer.numberOfTrailingZeros(disk.blockLength()); // DATA SEGMENT GRANULARITY
        descriptors.add(descriptor(0x8001, general));
        int total = descriptors.stream().mapToInt(d -> d.length).sum();
        byte[] body = new byte[total];
        int at = 0;
        for (byte[] d : descriptors) {
            System.arraycopy(d, 0, body, at, d.length);
            at += d.length;
        }
        return body;
    }

    /** A third-party copy descriptor: type, length, and the body padded to a multiple of 4 bytes. */
    private static byte[] descriptor(int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        byte[] d = new byte[4 + padded];
        BigEndian.put16(d, 0, type);
        BigEndian.put16(d, 2, padded);
        System.arraycopy(body, 0, d, 4, body.length);
        return d;
    }
}
