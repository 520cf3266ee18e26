package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.disk.DiskHarness.*;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;

/** READ and WRITE (6/10/12/16): boundaries, residuals, zero-length transfers, DPO/FUA, write protection. */
class ReadWriteTest {
    static final long BLOCKS = 2048; // 1 MiB of 512-byte blocks
    final CountingStore store = new CountingStore(new MemoryBlockStore(BLOCKS * 512), false);
    final DiskHarness h = new DiskHarness(store, DiskConfig.defaults());

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void writeThenReadBackWithEachCdbSize() {
        byte[] a = fill(512 * 3, 'a');
        h.run(write10(10, 3), a).assertGood();
        assertArrayEquals(a, h.run(read10(10, 3), 1536).dataIn());
        byte[] b = fill(512, 'b');
        h.run(cdb12(0xAA, 0, 20, 1), b).assertGood();
        assertArrayEquals(b, h.run(cdb12(0xA8, 0, 20, 1), 512).dataIn());
        byte[] c = fill(1024, 'c');
        h.run(write16(BLOCKS - 2, 2), c).assertGood();
        assertArrayEquals(c, h.run(read16(BLOCKS - 2, 2), 1024).dataIn());
        byte[] d = fill(512, 'd');
        h.run(Cdb.of(0x0A, 0, 0, 30, 1, 0), d).assertGood();
        assertArrayEquals(d, h.run(Cdb.of(0x08, 0, 0, 30, 1, 0), 512).dataIn());
    }

    @Test
    void read6OfZeroBlocksReads256() {
        Response r = h.run(Cdb.of(0x08, 0, 0, 0, 0, 0), 256 * 512);
        r.assertGood();
        assertEquals(256 * 512, r.transferLength());
    }

    /** libiscsi's beyond-EOL sweep: last LBA, one past it, 2^31, 2^63 and -1 with 1..256 blocks. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 255, 256})
    void beyondEndOfLunIsLbaOutOfRange(int blocks) {
        long[] lbas = {BLOCKS + 1 - blocks, 0x80000000L, 0x7FFFFFFFFFFFFFFFL, 1L << 63, -1L, -blocks,
                1L << (64 - 9)};
        for (long lba : lbas) {
            h.run(read16(lba, blocks), blocks * 512L).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
            h.run(write16(lba, blocks), new byte[blocks * 512]).assertSense(
                    SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
        h.run(read10(0xFFFFFFFFL, blocks), blocks * 512L).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        if (blocks > 1) {
            h.run(read10(BLOCKS - 1, blocks), blocks * 512L).assertSense(
                    SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
        h.run(read16(BLOCKS - blocks, blocks), blocks * 512L).assertGood();
        h.run(read16(0, blocks), blocks * 512L).assertGood();
    }

    @Test
    void read6BeyondEndIncludingTheLargestLba() {
        h.run(Cdb.of(0x08, 0x1F, 0xFF, 0xFF, 1, 0), 512).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(Cdb.of(0x08, 0, 0x07, 0xFF, 1, 0), 512).assertGood(); // LBA 2047, the last
        h.run(Cdb.of(0x08, 0, 0x08, 0x00, 1, 0), 512).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
    }

    @Test
    void zeroBlocksIsGoodInRangeAndOutOfRangeBeyondIt() {
        h.run(read10(0, 0), 0).assertGood();
        h.run(write10(0, 0), new byte[0]).assertGood();
        h.run(read10(BLOCKS, 0), 0).assertGood(); // LBA == capacity, nothing transferred: within the medium
        h.run(read10(BLOCKS + 1, 0), 0).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(read10(0x80000000L, 0), 0).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(read16(-1L, 0), 0).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(write16(1L << 63, 0), new byte[0]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        assertEquals(0, store.writes.get());
    }

    @Test
    void readResidualsTransferTheSmallerAndReportTheCommandLength() {
        h.run(write10(0, 2), fill(1024, 'x')).assertGood();
        Response none = h.run(read10(0, 1), 0); // EDTL 0: overflow of one block
        none.assertGood();
        assertEquals(512, none.transferLength());
        Response more = h.run(read10(0, 1), 10000); // EDTL larger: underflow 10000 - 512
        more.assertGood();
        assertEquals(512, more.transferLength());
        assertArrayEquals(fill(512, 'x'), more.dataIn());
        Response part = h.run(read10(0, 1), 200); // 200 of 512 bytes
        part.assertGood();
        assertEquals(512, part.transferLength());
        assertArrayEquals(fill(200, 'x'), part.dataIn());
        Response two = h.run(read10(0, 2), 512);
        assertEquals(1024, two.transferLength());
        assertEquals(512, two.dataIn().length);
    }

    @Test
    void writeResidualsWriteOnlyWhatBothLengthsAllow() {
        h.run(write10(0, 2), fill(1024, 'a')).assertGood();
        Response over = h.run(write10(0, 1), fill(200, 'b')); // SPDTL 512 > EDTL 200
        over.assertGood();
        assertEquals(512, over.transferLength());
        byte[] back = h.run(read10(0, 2), 1024).dataIn();
        assertArrayEquals(fill(200, 'b'), Arrays.copyOfRange(back, 0, 200));
        assertArrayEquals(fill(824, 'a'), Arrays.copyOfRange(back, 200, 1024), "nothing past EDTL is written");

        Response under = h.run(write10(0, 1), fill(1024, 'c')); // SPDTL 512 < EDTL 1024
        under.assertGood();
        assertEquals(512, under.transferLength());
        back = h.run(read10(0, 2), 1024).dataIn();
        assertArrayEquals(fill(512, 'c'), Arrays.copyOfRange(back, 0, 512));
        assertArrayEquals(fill(512, 'a'), Arrays.copyOfRange(back, 512, 1024), "nothing past SPDTL is written");

        Response empty = h.run(write10(0, 1), new byte[0]); // EDTL 0
        empty.assertGood();
        assertEquals(512, empty.transferLength());
        assertArrayEquals(fill(512, 'c'), h.run(read10(0, 1), 512).dataIn());
    }

    @Test
    void fuaReachesTheStoreAndDpoIsAccepted() {
        h.run(cdb10(0x2A, 0x08, 0, 1), new byte[512]).assertGood(); // FUA
        assertEquals(1, store.fuaWrites.get());
        h.run(cdb10(0x2A, 0x10, 0, 1), new byte[512]).assertGood(); // DPO
        h.run(cdb10(0x2A, 0x02, 0, 1), new byte[512]).assertGood(); // obsolete FUA_NV, ignored
        assertEquals(1, store.fuaWrites.get());
        h.run(cdb16(0x8A, 0x18, 0, 1), new byte[512]).assertGood();
        assertEquals(2, store.fuaWrites.get());
        h.run(cdb10(0x28, 0x18, 0, 1), 512).assertGood();
        h.run(cdb16(0x88, 0x10, 0, 1), 512).assertGood();
    }

    @Test
    void maximumTransferLengthIsInvalidFieldAtTheLength() {
        DiskHarness small = new DiskHarness(new MemoryBlockStore(1 << 20),
                DiskConfig.defaults().withLimits(8, 1 << 20, 0xFFFFFFFFL, 256));
        small.run(read10(0, 9), 9 * 512).assertInvalidField(7, 7);
        small.run(write16(0, 9), new byte[9 * 512]).assertInvalidField(10, 7);
        small.run(cdb12(0xA8, 0, 0, 9), 9 * 512).assertInvalidField(6, 7);
        small.run(read10(0, 8), 8 * 512).assertGood();
        small.close();
    }

    @Test
    void writeProtectedDiskRefusesEveryWriteButReads() {
        DiskHarness wp = new DiskHarness(new MemoryBlockStore(1 << 20), DiskConfig.defaults().withWriteProtected(true));
        wp.run(write10(0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        wp.run(write16(0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        wp.run(Cdb.of(0x0A, 0, 0, 0, 1, 0), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        wp.run(compareAndWrite(0, 1), new byte[1024]).assertSense(SenseCode.WRITE_PROTECTED);
        wp.run(cdb10(0x41, 0x08, 0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        wp.run(cdb16(0x8B, 0, 0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        wp.run(cdb10(0x2E, 0x02, 0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        wp.run(read10(0, 1), 512).assertGood();
        assertEquals(0x90, wp.disk.deviceSpecificParameter(), "WP and DPOFUA");
        assertEquals(0x10, h.disk.deviceSpecificParameter());
        wp.close();
    }

    /** MODE SENSE(6) of every page: the mode parameter header's DEVICE-SPECIFIC PARAMETER for this harness's map. */
    static int modeSenseDeviceSpecific(DiskHarness on) {
        DiskHarness.Response r = on.run(Cdb.of(0x1A, 0x08, 0x3F, 0, 0xFF, 0), 255);
        r.assertGood();
        return r.dataIn()[2] & 0xFF;
    }

    @Test
    void writeProtectedMappingRefusesEveryWriteOfItsNexusOnly() {
        DiskHarness thin = new DiskHarness(new MemoryBlockStore(1 << 20),
                DiskConfig.defaults().withThinProvisioned(true));
        thin.lunMap = DiskHarness.lunMap(java.util.List.of(thin.lu), java.util.Set.of(thin.lu));
        thin.run(write10(0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        thin.run(write16(0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        thin.run(compareAndWrite(0, 1), new byte[1024]).assertSense(SenseCode.WRITE_PROTECTED);
        thin.run(cdb10(0x41, 0x08, 0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        thin.run(cdb16(0x8B, 0, 0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        thin.run(cdb10(0x2E, 0x02, 0, 1), new byte[512]).assertSense(SenseCode.WRITE_PROTECTED);
        thin.run(unmap(24), unmapList(0, 1)).assertSense(SenseCode.WRITE_PROTECTED);
        thin.run(SanitizeTest.sanitize(0x01, false, false, 8), SanitizeTest.overwrite(false, 1, fill(4, 7)))
                .assertSense(SenseCode.WRITE_PROTECTED);
        thin.run(read10(0, 1), 512).assertGood();
        assertEquals(0x80, modeSenseDeviceSpecific(thin) & 0x80, "WP for the nexus that maps it read-only");

        thin.lunMap = DiskHarness.lunMap(java.util.List.of(thin.lu), java.util.Set.of()); // mapped elsewhere
        assertEquals(0, modeSenseDeviceSpecific(thin) & 0x80);
        thin.run(write10(0, 1), fill(512, 3)).assertGood();
        thin.run(unmap(24), unmapList(0, 1)).assertGood();
        thin.close();
    }

    @Test
    void memoryStoreIsServedOnTheCallersThread() {
        h.run(write10(0, 1), new byte[512]).assertGood();
        assertSame(Thread.currentThread(), store.lastIoThread);
    }

    @Test
    void blockingStoreIsServedOffTheCallersThread() {
        CountingStore slow = new CountingStore(new MemoryBlockStore(1 << 20), true);
        DiskHarness async = new DiskHarness(slow, DiskConfig.defaults());
        async.run(write10(0, 1), fill(512, 1)).assertGood();
        assertNotSame(Thread.currentThread(), slow.lastIoThread);
        assertTrue(slow.lastIoThread.isVirtual());
        assertArrayEquals(fill(512, 1), async.run(read10(0, 1), 512).dataIn());
        async.close();
    }

    @Test
    void fragmentedBuffersAreServedInPlace() {
        byte[] data = new byte[1024];
        new java.util.Random(3).nextBytes(data);
        java.lang.foreign.MemorySegment all = java.lang.foreign.MemorySegment.ofArray(data);
        java.lang.foreign.MemorySegment[] pieces = new java.lang.foreign.MemorySegment[1024];
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = all.asSlice(i, 1);
        }
        assertEquals(ScsiStatus.GOOD, h.run(NEXUS, write10(7, 2), SgList.of(pieces), 0).status());
        assertArrayEquals(data, h.run(read10(7, 2), 1024).dataIn());
    }

    // ---- lent Data-In

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i / 7);
        }
        return b;
    }

    @Test
    void largeReadsFromMemoryAreLentAndKeepTheirBytes() {
        byte[] data = pattern(128 * 512, 21);
        h.run(write10(0, 128), data).assertGood();
        DiskHarness.Task task = h.runTakingLoans(read10(0, 128), 128 * 512);
        assertEquals(org.lunforge.scsi.TaskResponse.good(128 * 512), task.done.join());
        assertNotNull(task.lent, "the store lent its memory");
        assertArrayEquals(new byte[128 * 512], task.dataIn.toByteArray(), "nothing was copied into Data-In");
        assertArrayEquals(data, task.lent.toByteArray());
        h.run(write10(0, 128), pattern(128 * 512, 22)).assertGood();
        assertArrayEquals(data, task.lent.toByteArray(), "a later write does not reach the loan");
        task.giveBack.run();
        assertArrayEquals(pattern(128 * 512, 22), h.run(read10(0, 128), 128 * 512).dataIn());
    }

    @Test
    void aLentRangeStaysWholeAcrossCompareAndWrite() {
        byte[] data = pattern(128 * 512, 23);
        h.run(write10(0, 128), data).assertGood();
        DiskHarness.Task task = h.runTakingLoans(read10(0, 128), 128 * 512);
        byte[] caw = new byte[1024];
        System.arraycopy(data, 0, caw, 0, 512);
        java.util.Arrays.fill(caw, 512, 1024, (byte) 0x5A);
        h.run(compareAndWrite(0, 1), caw).assertGood();
        assertArrayEquals(data, task.lent.toByteArray());
        task.giveBack.run();
    }

    @Test
    void smallReadsAndFrontendsThatCannotTakeLoansGetCopies() {
        byte[] data = pattern(128 * 512, 24);
        h.run(write10(0, 128), data).assertGood();
        DiskHarness.Task small = h.runTakingLoans(read10(0, 8), 8 * 512);
        assertNull(small.lent, "a 4 KiB read is cheaper to copy");
        assertArrayEquals(java.util.Arrays.copyOf(data, 8 * 512), small.dataIn.toByteArray());
        assertArrayEquals(data, h.run(read10(0, 128), 128 * 512).dataIn(), "TCMU-like tasks get a copy");
    }

    @Test
    void aLoanCoversNoMoreThanTheExpectedLength() {
        h.run(write10(0, 128), pattern(128 * 512, 25)).assertGood();
        DiskHarness.Task task = h.runTakingLoans(read10(0, 128), 100 * 512);
        assertEquals(100 * 512, task.lent.length());
        assertEquals(128 * 512, task.done.join().transferLength(), "the residual is the frontend's to report");
        task.giveBack.run();
    }
}
