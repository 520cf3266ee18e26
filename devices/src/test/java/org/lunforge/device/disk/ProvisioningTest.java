package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.disk.DiskHarness.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/** WRITE SAME, UNMAP and GET LBA STATUS on a thin memory disk (64 KiB chunks = 128 blocks). */
class ProvisioningTest {
    static final long BLOCKS = 8192; // 4 MiB
    final MemoryBlockStore memory = new MemoryBlockStore(BLOCKS * 512);
    final DiskHarness h = new DiskHarness(memory, DiskConfig.defaults().withLimits(16384, 4096, 1024, 4));

    @AfterEach
    void close() {
        h.close();
    }

    static org.lunforge.scsi.Cdb writeSame10(long lba, int blocks, boolean unmap) {
        return cdb10(0x41, unmap ? 0x08 : 0, lba, blocks);
    }

    static org.lunforge.scsi.Cdb writeSame16(long lba, long blocks, int flags) {
        return cdb16(0x93, flags, lba, blocks);
    }

    /** The provisioning status of the first descriptor GET LBA STATUS returns for the LBA: 0 mapped, 1 deallocated. */
    int status(long lba) {
        Response r = h.run(getLbaStatus(lba, 24), 24);
        r.assertGood();
        assertEquals(lba, BigEndian.s64(r.dataIn(), 8), "the first descriptor starts at the requested LBA");
        return r.dataIn()[20] & 0x0F;
    }

    @Test
    void writeSameReplicatesTheBlock() {
        byte[] block = new byte[512];
        new java.util.Random(5).nextBytes(block);
        h.run(writeSame10(BLOCKS - 256, 256, false), block).assertGood();
        byte[] back = h.run(read10(BLOCKS - 256, 256), 256 * 512).dataIn();
        for (int i = 0; i < 256; i++) {
            assertArrayEquals(block, java.util.Arrays.copyOfRange(back, i * 512, i * 512 + 512), "block " + i);
        }
        h.run(writeSame16(0, 3, 0), fill(512, 1)).assertGood();
        assertArrayEquals(fill(3 * 512, 1), h.run(read10(0, 3), 1536).dataIn());
    }

    @Test
    void writeSameWithUnmapOfZerosDeallocatesAndReadsZeros() {
        h.run(write10(0, 256), fill(256 * 512, 0xFF)).assertGood();
        assertEquals(0, status(0));
        h.run(writeSame10(0, 256, true), new byte[512]).assertGood();
        assertArrayEquals(new byte[256 * 512], h.run(read10(0, 256), 256 * 512).dataIn());
        assertEquals(1, status(0));
        assertEquals(0, memory.allocatedBytes());
    }

    @Test
    void writeSameWithUnmapDeallocatesWhateverTheDataBlockHolds() {
        h.run(write10(0, 4), fill(2048, 9)).assertGood();
        h.run(writeSame16(0, 4, 0x08), fill(512, 3)).assertGood();
        assertArrayEquals(new byte[2048], h.run(read10(0, 4), 2048).dataIn(), "LBPRZ: unmapped blocks read zeros");
    }

    @Test
    void ndobWritesZerosWithoutData() {
        h.run(write10(10, 2), fill(1024, 7)).assertGood();
        Response r = h.run(writeSame16(10, 2, 0x01), new byte[0]);
        r.assertGood();
        assertEquals(0, r.transferLength());
        assertArrayEquals(new byte[1024], h.run(read10(10, 2), 1024).dataIn());
    }

    @Test
    void zeroBlocksReachesTheEndButNotPastTheLimit() {
        h.run(write10(BLOCKS - 10, 10), fill(5120, 0xFF)).assertGood();
        h.run(writeSame10(BLOCKS - 10, 0, true), new byte[512]).assertGood();
        assertArrayEquals(new byte[5120], h.run(read10(BLOCKS - 10, 10), 5120).dataIn());
        // MAXIMUM WRITE SAME LENGTH is 4096: 0 blocks from LBA 0 means 8192, too many.
        h.run(writeSame10(0, 0, false), new byte[512]).assertInvalidField(7, 7);
        h.run(writeSame10(BLOCKS - 4097, 0, false), new byte[512]).assertInvalidField(7, 7);
        h.run(writeSame10(BLOCKS - 4096, 0, false), new byte[512]).assertGood();
        h.run(writeSame16(0, 4097, 0), new byte[512]).assertInvalidField(10, 7);
        h.run(writeSame10(BLOCKS, 0, false), new byte[512]).assertGood(); // nothing left to write
    }

    @Test
    void writeSameBeyondTheEnd() {
        for (int i = 1; i <= 256; i += 85) {
            h.run(writeSame10(BLOCKS - i + 1, i, false), new byte[512]).assertSense(
                    SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
            h.run(writeSame10(0x80000000L, i, false), new byte[512]).assertSense(
                    SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
            h.run(writeSame16(-1L, i, 0), new byte[512]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
        h.run(writeSame10(BLOCKS + 1, 0, false), new byte[512]).assertSense(
                SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(writeSame16(1L << 63, 0, 0), new byte[512]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
    }

    @Test
    void writeSameDataOutMustBeOneBlock() {
        h.run(writeSame10(0, 1, true), new byte[256]).assertSense(
                SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        h.run(writeSame10(0, 1, true), new byte[1024]).assertSense(
                SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
    }

    @Test
    void unmapDeallocatesAndReadsZeros() {
        h.run(write10(0, 256), fill(256 * 512, 'a')).assertGood();
        byte[] list = unmapList(0, 128, 200, 1);
        h.run(unmap(list.length), list).assertGood();
        byte[] back = h.run(read10(0, 256), 256 * 512).dataIn();
        assertArrayEquals(new byte[128 * 512], java.util.Arrays.copyOfRange(back, 0, 128 * 512));
        assertArrayEquals(new byte[512], java.util.Arrays.copyOfRange(back, 200 * 512, 201 * 512));
        assertArrayEquals(fill(512, 'a'), java.util.Arrays.copyOfRange(back, 199 * 512, 200 * 512));
        assertEquals(1, status(0), "a whole 64 KiB chunk is freed");
        assertEquals(0, status(200), "a single block in a chunk is zeroed, the chunk stays mapped");
    }

    @Test
    void unmapZeroBlockDescriptorsAndEmptyListsAreGood() {
        byte[] list = unmapList(BLOCKS, 0);
        h.run(unmap(list.length), list).assertGood();
        h.run(unmap(8), unmapList()).assertGood();
        h.run(unmap(0), new byte[0]).assertGood();
        list = unmapList(0, 0, 1, 0, 2, 0, 1, 0);
        h.run(unmap(list.length), list).assertGood();
    }

    @Test
    void unmapValidatesEveryDescriptorBeforeUnmappingAny() {
        h.run(write10(0, 1), fill(512, 'k')).assertGood();
        byte[] list = unmapList(0, 1, BLOCKS - 1, 2);
        h.run(unmap(list.length), list).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        assertArrayEquals(fill(512, 'k'), h.run(read10(0, 1), 512).dataIn(), "the valid first descriptor was not run");
        list = unmapList(-1L, 1);
        h.run(unmap(list.length), list).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
    }

    @Test
    void unmapLimitsAreInvalidFieldInParameterList() {
        byte[] five = unmapList(0, 1, 1, 1, 2, 1, 3, 1, 4, 1); // 4 descriptors allowed
        Response r = h.run(unmap(five.length), five);
        r.assertSense(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(Sense.FieldPointer.parameterList(2, 7), r.sense().fieldPointer());
        byte[] many = unmapList(0, 1000, 2000, 25); // 1024 blocks allowed
        r = h.run(unmap(many.length), many);
        r.assertSense(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(Sense.FieldPointer.parameterList(8 + 16 + 8, 7), r.sense().fieldPointer());
    }

    @Test
    void unmapParameterListLengths() {
        h.run(unmap(7), new byte[7]).assertSense(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        byte[] list = unmapList(0, 1);
        BigEndian.put16(list, 2, 32); // claims two descriptors, carries one
        h.run(unmap(list.length), list).assertSense(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        byte[] partial = unmapList(0, 1, 5, 1);
        BigEndian.put16(partial, 2, 16 + 10); // the incomplete second descriptor is ignored
        h.run(unmap(partial.length), partial).assertGood();
    }

    @Test
    void getLbaStatusReportsRunsFromTheStartingLba() {
        h.run(write10(256, 128), fill(128 * 512, 1)).assertGood();
        Response r = h.run(getLbaStatus(0, 8 + 16 * 4), 8 + 16 * 4);
        r.assertGood();
        byte[] d = r.dataIn();
        assertEquals(8 + 16 * 3 - 4, BigEndian.u32(d, 0));
        assertEquals(0, BigEndian.s64(d, 8));
        assertEquals(256, BigEndian.u32(d, 16));
        assertEquals(1, d[20]);
        assertEquals(256, BigEndian.s64(d, 24));
        assertEquals(128, BigEndian.u32(d, 32));
        assertEquals(0, d[36]);
        assertEquals(384, BigEndian.s64(d, 40));
        assertEquals(BLOCKS - 384, BigEndian.u32(d, 48));
        assertEquals(1, d[52]);
        assertEquals(1, status(BLOCKS - 1));
        assertEquals(0, status(300));
    }

    @Test
    void getLbaStatusBeyondTheEnd() {
        for (long lba : new long[] {BLOCKS, BLOCKS + 1, 1L << 63, -1L}) {
            h.run(getLbaStatus(lba, 24), 24).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
        Response truncated = h.run(getLbaStatus(0, 4), 4);
        truncated.assertGood();
        assertEquals(4, truncated.transferLength());
    }

    @Test
    void thickDiskHasNoUnmapAndReportsEverythingMapped() {
        DiskHarness thick = new DiskHarness(new MemoryBlockStore(1 << 20),
                DiskConfig.defaults().withThinProvisioned(false));
        thick.run(unmap(24), unmapList(0, 1)).assertSense(SenseCode.INVALID_COMMAND_OPERATION_CODE);
        Response r = thick.run(getLbaStatus(5, 24), 24);
        r.assertGood();
        assertEquals(0, r.dataIn()[20]);
        assertEquals(2048 - 5, BigEndian.u32(r.dataIn(), 16));
        thick.run(writeSame10(0, 4, true), new byte[512]).assertInvalidField(1, 3); // LBPWS10 is 0
        thick.run(writeSame16(0, 4, 0x08), new byte[512]).assertInvalidField(1, 3);
        thick.run(writeSame10(0, 4, false), new byte[512]).assertGood();
        thick.close();
    }
}
