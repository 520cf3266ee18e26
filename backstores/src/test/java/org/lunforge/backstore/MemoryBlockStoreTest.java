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
    void neverBlocks() {
        assertFalse(new MemoryBlockStore(SIZE).mayBlock());
    }
}
