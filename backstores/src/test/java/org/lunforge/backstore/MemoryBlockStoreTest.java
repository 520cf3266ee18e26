package org.lunforge.backstore;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.lunforge.scsi.SgList;

class MemoryBlockStoreTest extends BlockStoreContract {
    @Override
    BlockStore newStore() {
        return new MemoryBlockStore(SIZE);
    }

    @Test
    void aGibibyteNeverWrittenAllocatesNothing() {
        MemoryBlockStore big = new MemoryBlockStore(1L << 30);
        big.read(123 << 20, SgList.allocate(1 << 20));
        assertEquals(0, big.allocatedBytes());
        big.write(5 << 20, SgList.allocate(1 << 20), false); // zeros into deallocated chunks stay thin
        assertEquals(0, big.allocatedBytes());
        big.write(5 << 20, SgList.wrap(new byte[] {1}), false);
        assertEquals(MemoryBlockStore.CHUNK_SIZE, big.allocatedBytes());
    }

    @Test
    void unmapOfWholeChunksFreesThem() {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE);
        mem.write(0, SgList.wrap(pattern(4 * MemoryBlockStore.CHUNK_SIZE, 9)), false);
        assertEquals(4L * MemoryBlockStore.CHUNK_SIZE, mem.allocatedBytes());
        mem.unmap(100, 3L * MemoryBlockStore.CHUNK_SIZE); // chunks 1 and 2 whole, 0 and 3 in part
        assertEquals(2L * MemoryBlockStore.CHUNK_SIZE, mem.allocatedBytes());
    }

    @Test
    void writeZerosKeepsAllocatedChunksMapped() {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE);
        mem.write(0, SgList.wrap(pattern(MemoryBlockStore.CHUNK_SIZE, 10)), false);
        mem.writeZeros(0, 2L * MemoryBlockStore.CHUNK_SIZE);
        assertTrue(mem.extentAt(0, SIZE).mapped());
        assertFalse(mem.extentAt(MemoryBlockStore.CHUNK_SIZE, SIZE).mapped());
    }

    @Test
    void allocationLimitIsNoSpace() {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE, MemoryBlockStore.CHUNK_SIZE);
        mem.write(0, SgList.wrap(new byte[] {1}), false);
        BlockStoreException e = assertThrows(BlockStoreException.class,
                () -> mem.write(MemoryBlockStore.CHUNK_SIZE, SgList.wrap(new byte[] {1}), false));
        assertEquals(StoreOutcome.NO_SPACE, e.outcome());
        mem.unmap(0, MemoryBlockStore.CHUNK_SIZE);
        mem.write(MemoryBlockStore.CHUNK_SIZE, SgList.wrap(new byte[] {1}), false);
    }

    @Test
    void resizeKeepsDataAndChangesSize() {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE);
        mem.write(100, SgList.wrap(new byte[] {7}), false);
        mem.resize(2 * SIZE);
        assertEquals(2 * SIZE, mem.size());
        byte[] b = new byte[1];
        mem.read(100, SgList.wrap(b));
        assertEquals(7, b[0]);
        mem.write(2 * SIZE - 1, SgList.wrap(new byte[] {8}), false);
    }

    @Test
    void unmapToTheEndDropsTheLastPartialChunk() {
        MemoryBlockStore mem = new MemoryBlockStore(CHUNK + 4096);
        mem.write(0, SgList.wrap(pattern(CHUNK + 4096, 8)), false);
        mem.unmap(CHUNK, 4096);
        assertEquals(CHUNK, mem.allocatedBytes(), "the chunk the store ends in is deallocated");
        mem.unmap(0, CHUNK + 4096);
        assertEquals(0, mem.allocatedBytes());
        byte[] read = new byte[4096];
        mem.read(CHUNK, SgList.wrap(read));
        assertArrayEquals(new byte[4096], read);
    }

    // ---- loans

    private static final int CHUNK = MemoryBlockStore.CHUNK_SIZE;

    @Test
    void aLoanKeepsItsBytesWhileTheRangeIsRewritten() {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE);
        byte[] before = pattern(2 * CHUNK, 1);
        mem.write(0, SgList.wrap(before), false);
        StoreLoan loan = mem.lend(100, 2L * CHUNK - 200);
        assertEquals(2, loan.data().segmentCount(), "one view per chunk touched");
        byte[] after = pattern(2 * CHUNK, 2);
        mem.write(0, SgList.wrap(after), false);
        assertArrayEquals(java.util.Arrays.copyOfRange(before, 100, 2 * CHUNK - 100), loan.data().toByteArray());
        byte[] read = new byte[2 * CHUNK];
        mem.read(0, SgList.wrap(read));
        assertArrayEquals(after, read, "readers see the new bytes");
        assertEquals(2L * CHUNK, mem.allocatedBytes(), "a copy replaces its chunk, it does not add one");
        loan.giveBack().run();
        loan.giveBack().run(); // harmless
    }

    @Test
    void aLoanSurvivesUnmapAndZeroing() {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE);
        byte[] data = pattern(2 * CHUNK, 3);
        mem.write(0, SgList.wrap(data), false);
        StoreLoan loan = mem.lend(0, 2L * CHUNK);
        mem.unmap(0, CHUNK); // the whole first chunk goes
        mem.writeZeros(CHUNK + 10, 10); // part of the second is zeroed in place, or would be
        assertArrayEquals(data, loan.data().toByteArray());
        byte[] read = new byte[20];
        mem.read(CHUNK, SgList.wrap(read));
        assertEquals(data[CHUNK], read[0]);
        assertEquals(0, read[10]);
        loan.giveBack().run();
    }

    @Test
    void aLoanSurvivesAResizeThatDropsOrZeroesItsChunks() {
        MemoryBlockStore mem = new MemoryBlockStore(3L * CHUNK);
        byte[] data = pattern(3 * CHUNK, 9);
        mem.write(0, SgList.wrap(data), false);
        StoreLoan loan = mem.lend(0, 3L * CHUNK);
        mem.resize(CHUNK + 100); // the last chunk goes, the middle one is zeroed from byte 100
        mem.resize(3L * CHUNK);
        assertArrayEquals(data, loan.data().toByteArray());
        byte[] read = new byte[200];
        mem.read(CHUNK, SgList.wrap(read));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, CHUNK, CHUNK + 100), java.util.Arrays.copyOf(read, 100));
        assertArrayEquals(new byte[100], java.util.Arrays.copyOfRange(read, 100, 200), "grown back as zeros");
        loan.giveBack().run();
    }

    /**
     * Writers fill whole chunks with one byte value each time; a loan taken meanwhile must see each chunk as of one
     * instant (one value throughout), never a write half done, and must keep it while writing goes on.
     */
    @Test
    void aLoanSeesEachChunkAsOfOneInstant() throws Exception {
        MemoryBlockStore mem = new MemoryBlockStore(2L * CHUNK);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<Thread> writers = new java.util.ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Thread t = new Thread(() -> {
                byte[] chunk = new byte[CHUNK];
                for (int round = 1; !done.get(); round++) {
                    java.util.Arrays.fill(chunk, (byte) round);
                    mem.write((round & 1) * (long) CHUNK, SgList.wrap(chunk), false);
                }
            });
            writers.add(t);
            t.start();
        }
        try {
            for (int i = 0; i < 2000; i++) {
                StoreLoan loan = mem.lend(0, 2L * CHUNK);
                byte[] first = loan.data().toByteArray();
                for (int c = 0; c < 2; c++) {
                    for (int b = c * CHUNK; b < (c + 1) * CHUNK; b++) {
                        if (first[b] != first[c * CHUNK]) {
                            fail("loan " + i + " saw chunk " + c + " half written at byte " + b);
                        }
                    }
                }
                assertArrayEquals(first, loan.data().toByteArray(), "the loan changed while lent");
                loan.giveBack().run();
            }
        } finally {
            done.set(true);
            for (Thread t : writers) {
                t.join();
            }
        }
    }

    @Test
    void neverWrittenRangesLendZeros() {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE);
        StoreLoan loan = mem.lend(CHUNK - 8, 16);
        mem.write(CHUNK - 8, SgList.wrap(pattern(16, 4)), false);
        assertArrayEquals(new byte[16], loan.data().toByteArray());
        assertEquals(0, mem.lend(0, 0).data().length());
        loan.giveBack().run();
    }

    @Test
    void afterTheLoanIsGivenBackWritesGoInPlace() {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE);
        mem.write(0, SgList.wrap(pattern(CHUNK, 5)), false);
        StoreLoan first = mem.lend(0, CHUNK);
        first.giveBack().run();
        mem.write(0, SgList.wrap(pattern(CHUNK, 6)), false);
        // Written in place: the memory a finished loan saw has the new bytes (no copy was needed).
        assertArrayEquals(pattern(CHUNK, 6), first.data().toByteArray());
    }

    @Test
    void loansAreReadOnlyAndInRange() {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE);
        mem.write(0, SgList.wrap(pattern(16, 7)), false);
        StoreLoan loan = mem.lend(0, 16);
        assertTrue(loan.data().segment(0).isReadOnly());
        assertThrows(BlockStoreException.class, () -> mem.lend(SIZE - 8, 16));
        loan.giveBack().run();
    }

    /**
     * Writers of different blocks of one chunk, while loans of that chunk come and go: a copy made for a loan must
     * never lose a block another writer wrote in place meanwhile. Each writer checks, before writing a block again,
     * that its previous write is still there. (A stress test: it finds a missing stripe lock within a few rounds.)
     */
    @Test
    void concurrentWritesToALentChunkAreNeverLost() throws Exception {
        MemoryBlockStore mem = new MemoryBlockStore(SIZE);
        int writers = 4;
        int blocks = CHUNK / 512;
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();
        Thread lender = new Thread(() -> {
            while (!done.get()) {
                mem.lend(0, CHUNK).giveBack().run();
            }
        });
        lender.start();
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                byte[] block = new byte[512];
                byte[] back = new byte[1];
                for (int round = 1; round <= 300; round++) {
                    java.util.Arrays.fill(block, (byte) round);
                    for (int b = id; b < blocks; b += writers) {
                        mem.read((long) b * 512, SgList.wrap(back));
                        if (back[0] != (byte) (round - 1)) {
                            lost.incrementAndGet();
                        }
                        mem.write((long) b * 512, SgList.wrap(block), false);
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        done.set(true);
        lender.join();
        assertEquals(0, lost.get(), "writes lost to a copy on write");
    }

    @Test
    void neverBlocks() {
        assertFalse(new MemoryBlockStore(SIZE).mayBlock());
    }
}
