package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.disk.DiskHarness.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.BlockStoreException;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.SenseCode;

/** COMPARE AND WRITE, VERIFY, WRITE AND VERIFY, ORWRITE and WRITE ATOMIC. */
class CompareVerifyTest {
    static final long BLOCKS = 2048;
    final DiskHarness h = new DiskHarness(new MemoryBlockStore(BLOCKS * 512), DiskConfig.defaults());

    @AfterEach
    void close() {
        h.close();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void compareAndWriteWritesWhenAllBytesMatch() {
        h.run(write16(BLOCKS - 2, 2), fill(1024, 'A')).assertGood();
        Response r = h.run(compareAndWrite(BLOCKS - 2, 2), concat(fill(1024, 'A'), fill(1024, 'B')));
        r.assertGood();
        assertEquals(2048, r.transferLength());
        assertArrayEquals(fill(1024, 'B'), h.run(read16(BLOCKS - 2, 2), 1024).dataIn());
    }

    @Test
    void miscompareReportsTheOffsetAndWritesNothing() {
        h.run(write16(0, 1), fill(512, 'A')).assertGood();
        for (int offset : new int[] {0, 1, 255, 511}) {
            byte[] verify = fill(512, 'A');
            verify[offset] = 'Z';
            Response r = h.run(compareAndWrite(0, 1), concat(verify, fill(512, 'B')));
            r.assertSense(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION);
            assertEquals(offset, r.sense().information());
        }
        assertArrayEquals(fill(512, 'A'), h.run(read16(0, 1), 512).dataIn());
    }

    /**
     * A store with its own compare-and-write (rbd's, atomic at the OSD across nodes) is asked to do it; its
     * MISCOMPARE outcome becomes MISCOMPARE DURING VERIFY OPERATION with the store's offset in INFORMATION.
     */
    @Test
    void compareAndWriteIsTheStoresOwnAndItsMiscompareOffsetIsReported() {
        MemoryBlockStore memory = new MemoryBlockStore(BLOCKS * 512);
        List<Long> asked = new ArrayList<>();
        BlockStore shared = new BlockStore() {
            public long size() { return memory.size(); }
            public void read(long offset, SgList dst) { memory.read(offset, dst); }
            public void write(long offset, SgList src, boolean fua) { memory.write(offset, src, fua); }
            public void flush() { }
            public boolean mayBlock() { return false; }
            public void close() { memory.close(); }
            public void compareAndWrite(long offset, SgList verify, SgList write, boolean fua) {
                asked.add(offset);
                throw BlockStoreException.miscompare(77); // the backing saw another node's write
            }
        };
        DiskHarness disk = new DiskHarness(shared, DiskConfig.defaults());
        try {
            Response r = disk.run(compareAndWrite(3, 1), new byte[1024]); // all zeros: a local compare would match
            r.assertSense(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION);
            assertEquals(77, r.sense().information());
            assertEquals(List.of(3L * 512), asked);
        } finally {
            disk.close();
        }
    }

    @Test
    void dataOutMustBeTwiceTheBlocks() {
        h.run(compareAndWrite(0, 1), new byte[4 * 512]).assertSense(
                SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        h.run(compareAndWrite(0, 3), new byte[4 * 512]).assertSense(
                SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
    }

    @Test
    void compareAndWriteLimitsAndRange() {
        h.run(compareAndWrite(BLOCKS, 1), new byte[1024]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(compareAndWrite(-1L, 1), new byte[1024]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        DiskHarness small = new DiskHarness(new MemoryBlockStore(1 << 20), new DiskConfig(512, 0, true, false, false,
                16384, 1 << 20, 0xFFFFFFFFL, 256, 4, 0, 0));
        small.run(compareAndWrite(0, 5), new byte[10 * 512]).assertInvalidField(13, 7);
        small.run(compareAndWrite(0, 0), new byte[0]).assertGood();
        // 256 blocks asked of a one-byte field: NLB 0 with 512 blocks of Data-Out (iscsi-test-cu 1.19 does this)
        small.run(compareAndWrite(0, 0), new byte[512 * 512]).assertInvalidField(13, 7);
        small.close();
    }

    @Test
    void compareAndWriteHonoursFua() {
        CountingStore counting = new CountingStore(new MemoryBlockStore(1 << 20), false);
        DiskHarness c = new DiskHarness(counting, DiskConfig.defaults());
        byte[] cdb = compareAndWrite(0, 1).bytes();
        cdb[1] = 0x08;
        c.run(new org.lunforge.scsi.Cdb(cdb), new byte[1024]).assertGood();
        assertEquals(1, counting.fuaWrites.get());
        c.close();
    }

    /**
     * Eight initiators each increment a counter held in block 5 a hundred times with COMPARE AND WRITE (read, then
     * compare-and-swap, retrying on MISCOMPARE) while plain WRITEs hammer the neighbouring blocks. Atomicity means no
     * increment is lost: two swaps of the same old value cannot both succeed.
     */
    @Test
    void concurrentCompareAndWritesLoseNoIncrement() throws Exception {
        int threads = 8;
        int perThread = 100;
        AtomicInteger miscompares = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                for (int done = 0; done < perThread; ) {
                    byte[] current = h.run(read16(5, 1), 512).dataIn();
                    byte[] next = current.clone();
                    BigEndian.put64(next, 0, BigEndian.s64(current, 0) + 1);
                    Response r = h.run(compareAndWrite(5, 1), concat(current, next));
                    if (r.status() == ScsiStatus.GOOD) {
                        done++;
                    } else {
                        assertEquals(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION, r.sense().code());
                        miscompares.incrementAndGet();
                    }
                }
            }));
        }
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 2000; i++) {
                h.run(write16(4, 1), fill(512, i)).assertGood();
                h.run(write16(6, 1), fill(512, i)).assertGood();
            }
        });
        for (Thread w : workers) {
            w.join();
        }
        writer.join();
        long value = BigEndian.s64(h.run(read16(5, 1), 512).dataIn(), 0);
        assertEquals((long) threads * perThread, value, "lost increments (" + miscompares + " miscompares)");
    }

    @Test
    void verifyByteCheckComparesAndReportsTheOffset() {
        byte[] data = new byte[3 * 512];
        new java.util.Random(1).nextBytes(data);
        h.run(write10(100, 3), data).assertGood();
        h.run(cdb10(0x2F, 0x02, 100, 3), data).assertGood(); // BYTCHK 01b
        byte[] wrong = data.clone();
        wrong[1000] ^= 'X';
        Response r = h.run(cdb10(0x2F, 0x02, 100, 3), wrong);
        r.assertSense(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(1000, r.sense().information());
        h.run(cdb10(0x2F, 0x00, 100, 3), wrong).assertGood(); // BYTCHK 0: the medium only
        h.run(cdb16(0x8F, 0x12, 100, 3), data).assertGood(); // VERIFY (16) with DPO
        h.run(cdb12(0xAF, 0x02, 100, 3), data).assertGood();
    }

    @Test
    void verifyByteCheck11bComparesOneBlockWithEach() {
        h.run(write10(10, 4), fill(4 * 512, 7)).assertGood();
        h.run(cdb10(0x2F, 0x06, 10, 4), fill(512, 7)).assertGood();
        h.run(write10(12, 1), fill(512, 8)).assertGood();
        Response r = h.run(cdb10(0x2F, 0x06, 10, 4), fill(512, 7));
        r.assertSense(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION);
        assertEquals(2 * 512, r.sense().information());
    }

    /**
     * VERIFY reads its whole range, which the initiator sizes (up to 2^32 blocks): on a memory disk too, a range past
     * one bulk chunk is served off the caller's thread (a network event loop), and BYTCHK 11b compares a chunk at a
     * time, reporting the offset of the first differing byte of the range.
     */
    @Test
    void verifyOfALargeRangeRunsOffTheCallersThread() {
        long blocks = 3 * 2048 + 5; // three bulk chunks of 11b's compare, and a bit
        DiskHarness big = new DiskHarness(new MemoryBlockStore(blocks * 512), DiskConfig.defaults());
        try {
            big.run(cdb16(0x93, 0, 0, blocks), fill(512, 7)).assertGood(); // WRITE SAME (16)
            big.run(cdb16(0x8F, 0x00, 0, blocks), new byte[0]).assertGood(); // BYTCHK 00b
            assertNotSame(Thread.currentThread(), big.lastCompletedOn, "BYTCHK 00b ran on the caller's thread");
            big.run(cdb16(0x8F, 0x06, 0, blocks), fill(512, 7)).assertGood(); // BYTCHK 11b
            assertNotSame(Thread.currentThread(), big.lastCompletedOn, "BYTCHK 11b ran on the caller's thread");
            byte[] odd = fill(512, 7);
            odd[100] = 8;
            big.run(write16(blocks - 3, 1), odd).assertGood();
            Response r = big.run(cdb16(0x8F, 0x06, 0, blocks), fill(512, 7));
            r.assertSense(SenseCode.MISCOMPARE_DURING_VERIFY_OPERATION);
            assertEquals((blocks - 3) * 512 + 100, r.sense().information());
            big.run(cdb16(0x8F, 0x06, 0, 4), fill(512, 7)).assertGood(); // a small range: no hop
            assertSame(Thread.currentThread(), big.lastCompletedOn);
        } finally {
            big.close();
        }
    }

    @Test
    void verifyBoundaries() {
        h.run(cdb10(0x2F, 0x02, BLOCKS + 1, 0), new byte[0]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(cdb10(0x2F, 0x02, 0xFFFFFFFFL, 1), new byte[512]).assertSense(
                SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(cdb16(0x8F, 0x02, -1L, 1), new byte[512]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(cdb10(0x2F, 0x02, BLOCKS - 1, 2), new byte[1024]).assertSense(
                SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(cdb10(0x2F, 0x02, 0, 0), new byte[0]).assertGood();
    }

    @Test
    void writeAndVerifyWritesAndDpoIsAccepted() {
        h.run(cdb10(0x2E, 0x12, 0, 2), fill(1024, 3)).assertGood(); // DPO, BYTCHK 01b
        assertArrayEquals(fill(1024, 3), h.run(read10(0, 2), 1024).dataIn());
        h.run(cdb16(0x8E, 0, 2, 1), fill(512, 4)).assertGood();
        h.run(cdb12(0xAE, 0, 3, 1), fill(512, 5)).assertGood();
        assertArrayEquals(concat(fill(512, 4), fill(512, 5)), h.run(read10(2, 2), 1024).dataIn());
        h.run(cdb10(0x2E, 0, 0, 0), new byte[0]).assertGood();
        h.run(cdb10(0x2E, 0, BLOCKS + 1, 0), new byte[0]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
    }

    /** libiscsi's WriteVerify10Residuals: BYTCHK 1 with fewer or more bytes than the command's length. */
    @Test
    void writeAndVerifyResiduals() {
        h.run(write10(0, 2), fill(1024, 'a')).assertGood();
        Response over = h.run(cdb10(0x2E, 0x02, 0, 2), fill(512, 'b'));
        over.assertGood();
        assertEquals(1024, over.transferLength());
        assertArrayEquals(concat(fill(512, 'b'), fill(512, 'a')), h.run(read10(0, 2), 1024).dataIn());
        Response under = h.run(cdb10(0x2E, 0x02, 0, 1), fill(1024, 'c'));
        under.assertGood();
        assertEquals(512, under.transferLength());
        assertArrayEquals(concat(fill(512, 'c'), fill(512, 'a')), h.run(read10(0, 2), 1024).dataIn());
        Response none = h.run(cdb10(0x2E, 0x02, 0, 1), new byte[0]);
        none.assertGood();
        assertEquals(512, none.transferLength());
    }

    @Test
    void orWriteOrsIntoTheMedium() {
        h.run(write16(BLOCKS - 1, 1), fill(512, 0xA5)).assertGood();
        h.run(cdb16(0x8B, 0, BLOCKS - 1, 1), fill(512, 0x5A)).assertGood();
        assertArrayEquals(fill(512, 0xFF), h.run(read16(BLOCKS - 1, 1), 512).dataIn());
        h.run(cdb16(0x8B, 0, 0, 0), new byte[0]).assertGood();
        h.run(cdb16(0x8B, 0, 1L << 63, 0), new byte[0]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
    }

    static org.lunforge.scsi.Cdb writeAtomic(long lba, int blocks) {
        byte[] b = new byte[16];
        b[0] = (byte) 0x9C;
        BigEndian.put64(b, 2, lba);
        BigEndian.put16(b, 12, blocks);
        return new org.lunforge.scsi.Cdb(b);
    }

    @Test
    void writeAtomicWritesAndChecksItsLimit() {
        h.run(writeAtomic(0, 2), fill(1024, 9)).assertGood();
        assertArrayEquals(fill(1024, 9), h.run(read10(0, 2), 1024).dataIn());
        h.run(writeAtomic(0, 0), new byte[0]).assertGood();
        h.run(writeAtomic(BLOCKS + 1, 0), new byte[0]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(writeAtomic(-1L, 0), new byte[0]).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        DiskHarness small = new DiskHarness(new MemoryBlockStore(1 << 20), new DiskConfig(512, 0, true, false, false,
                16384, 1 << 20, 0xFFFFFFFFL, 256, 255, 4, 0));
        small.run(writeAtomic(0, 5), new byte[5 * 512]).assertInvalidField(12, 7);
        small.close();
        DiskHarness none = new DiskHarness(new MemoryBlockStore(1 << 20), new DiskConfig(512, 0, true, false, false,
                16384, 1 << 20, 0xFFFFFFFFL, 256, 255, 0, 0));
        none.run(writeAtomic(0, 1), new byte[512]).assertSense(SenseCode.INVALID_COMMAND_OPERATION_CODE);
        none.close();
    }
}
