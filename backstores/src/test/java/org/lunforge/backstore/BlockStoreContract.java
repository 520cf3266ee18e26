package org.lunforge.backstore;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.SgList;

/** What every block store promises; each store's test class supplies a fresh 8 MiB store. */
abstract class BlockStoreContract {
    static final long SIZE = 8L << 20;

    protected BlockStore store;

    /** A fresh, never written, writable store of {@link #SIZE} bytes. */
    abstract BlockStore newStore() throws Exception;

    /** Whether {@link BlockStore#extentAt} reflects writes and unmaps (a block device's state is unknown). */
    boolean tracksAllocation() {
        return true;
    }

    BlockStore store() throws Exception {
        if (store == null) {
            store = newStore();
        }
        return store;
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    static byte[] pattern(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** One segment per byte: the most fragmented list a transport could hand us. */
    static SgList byteAtATime(byte[] data) {
        MemorySegment[] segs = new MemorySegment[data.length];
        MemorySegment all = MemorySegment.ofArray(data);
        for (int i = 0; i < data.length; i++) {
            segs[i] = all.asSlice(i, 1);
        }
        return SgList.of(segs);
    }

    static SgList nativeCopy(byte[] data) {
        MemorySegment seg = Arena.ofAuto().allocate(data.length);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, seg, 0, data.length);
        return SgList.of(seg);
    }

    byte[] read(long offset, int length) throws Exception {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) 0x5A); // a read must overwrite every byte, zeros included
        store().read(offset, SgList.wrap(out));
        return out;
    }

    /**
     * Across 64 KiB boundaries (rbd objects in the integration test): every copy of the pattern reads back, the
     * neighbours untouched.
     */
    @Test
    void writeSameRepeatsThePatternAcrossObjects() throws Exception {
        long at = 65536 - 1024;
        long length = 2 * 65536 + 2048;
        byte[] around = pattern(512, 20);
        store().write(at - 512, nativeCopy(around), false);
        store().write(at + length, nativeCopy(around), false);
        byte[] block = pattern(512, 21);
        store().writeSame(at, length, SgList.wrap(block), true);
        byte[] back = read(at - 512, (int) length + 1024);
        assertArrayEquals(around, Arrays.copyOfRange(back, 0, 512));
        for (int i = 0; i < length / 512; i++) {
            assertArrayEquals(block, Arrays.copyOfRange(back, 512 + i * 512, 1024 + i * 512), "copy " + i);
        }
        assertArrayEquals(around, Arrays.copyOfRange(back, back.length - 512, back.length));
    }

    /** A range that is not a whole number of patterns (librbd refuses it): the last copy cut short. */
    @Test
    void writeSameOfAPartialLastCopyFallsBack() throws Exception {
        byte[] block = pattern(512, 22);
        store().writeSame(4096, 1000, nativeCopy(block), false);
        byte[] back = read(4096, 1000);
        assertArrayEquals(block, Arrays.copyOfRange(back, 0, 512));
        assertArrayEquals(Arrays.copyOfRange(block, 0, 488), Arrays.copyOfRange(back, 512, 1000));
    }

    @Test
    void sizeIsWhatWasAskedFor() throws Exception {
        assertEquals(SIZE, store().size());
        assertEquals(SIZE, store().probeSize());
    }

    @Test
    void neverWrittenReadsZeros() throws Exception {
        assertArrayEquals(new byte[65536 + 512], read(SIZE - 65536 - 512, 65536 + 512));
    }

    @Test
    void writeThenReadAtOddOffsets() throws Exception {
        byte[] data = pattern(70_001, 1);
        store().write(12_345, SgList.wrap(data), false);
        assertArrayEquals(data, read(12_345, data.length));
        assertArrayEquals(new byte[12_345], read(0, 12_345), "bytes before the write untouched");
        assertEquals(0, read(12_345 + data.length, 1)[0], "byte after the write untouched");
    }

    @Test
    void byteAtATimeSgListsInBothDirections() throws Exception {
        byte[] data = pattern(4099, 2);
        store().write(65_533, byteAtATime(data), false); // straddles a 64 KiB boundary
        byte[] back = new byte[data.length];
        store().read(65_533, byteAtATime(back));
        assertArrayEquals(data, back);
    }

    @Test
    void nativeSegmentsRoundTrip() throws Exception {
        byte[] data = pattern(1 << 20, 3);
        store().write(SIZE - data.length, nativeCopy(data), true);
        MemorySegment into = Arena.ofAuto().allocate(data.length);
        store().read(SIZE - data.length, SgList.of(into.asSlice(0, 100), into.asSlice(100)));
        assertEquals(-1, MemorySegment.mismatch(into, 0, data.length, MemorySegment.ofArray(data), 0, data.length));
    }

    @Test
    void beyondTheEndIsOutOfRange() throws Exception {
        BlockStoreException e = assertThrows(BlockStoreException.class,
                () -> store().read(SIZE - 511, SgList.allocate(512)));
        assertEquals(StoreOutcome.OUT_OF_RANGE, e.outcome());
        e = assertThrows(BlockStoreException.class, () -> store().write(SIZE, SgList.allocate(1), false));
        assertEquals(StoreOutcome.OUT_OF_RANGE, e.outcome());
        e = assertThrows(BlockStoreException.class, () -> store().write(Long.MAX_VALUE, SgList.allocate(2), false));
        assertEquals(StoreOutcome.OUT_OF_RANGE, e.outcome());
        store().read(SIZE, SgList.EMPTY); // an empty range at the very end is in range
    }

    @Test
    void writeZerosZeroesExactlyTheRange() throws Exception {
        byte[] data = pattern(300_000, 4);
        store().write(0, SgList.wrap(data), false);
        store().writeZeros(1000, 200_000);
        byte[] back = read(0, data.length);
        for (int i = 0; i < data.length; i++) {
            byte expected = i >= 1000 && i < 201_000 ? 0 : data[i];
            if (back[i] != expected) {
                fail("byte " + i + " is " + back[i] + ", expected " + expected);
            }
        }
    }

    @Test
    void unmapReadsBackAsZerosAndLeavesTheRestAlone() throws Exception {
        if (!store().supportsUnmap()) {
            return;
        }
        byte[] data = pattern(1 << 20, 5);
        store().write(0, SgList.wrap(data), false);
        store().unmap(4096, 512 * 1024);
        byte[] back = read(0, data.length);
        if (store().unmapReadsZeros()) {
            assertArrayEquals(new byte[512 * 1024], Arrays.copyOfRange(back, 4096, 4096 + 512 * 1024));
        }
        assertArrayEquals(Arrays.copyOfRange(data, 0, 4096), Arrays.copyOfRange(back, 0, 4096));
        assertArrayEquals(Arrays.copyOfRange(data, 4096 + 512 * 1024, data.length),
                Arrays.copyOfRange(back, 4096 + 512 * 1024, data.length));
    }

    @Test
    void partialUnmapOfOneUnitZeroesOnlyItsBytes() throws Exception {
        if (!store().supportsUnmap() || !store().unmapReadsZeros()) {
            return;
        }
        byte[] data = pattern(8192, 6);
        store().write(0, SgList.wrap(data), false);
        store().unmap(512, 512);
        byte[] back = read(0, 8192);
        assertArrayEquals(new byte[512], Arrays.copyOfRange(back, 512, 1024));
        assertArrayEquals(Arrays.copyOfRange(data, 1024, 8192), Arrays.copyOfRange(back, 1024, 8192));
        assertTrue(store().extentAt(0, 8192).mapped(), "a partly unmapped unit stays mapped");
    }

    @Test
    void extentsFollowWritesAndUnmaps() throws Exception {
        if (!store().supportsUnmap() || !tracksAllocation()) {
            return;
        }
        long unit = Math.max(store().allocationUnit(), 65536);
        assertFalse(store().extentAt(0, SIZE).mapped());
        assertEquals(SIZE, store().extentAt(0, SIZE).length(), "one deallocated run over the whole store");
        store().write(2 * unit, SgList.wrap(pattern((int) unit, 7)), false);
        Extent first = store().extentAt(0, SIZE);
        assertFalse(first.mapped());
        assertEquals(2 * unit, first.length());
        Extent data = store().extentAt(2 * unit, SIZE);
        assertTrue(data.mapped());
        assertEquals(unit, data.length());
        assertEquals(10, store().extentAt(2 * unit, 10).length(), "clipped to the asked length");
        store().unmap(2 * unit, unit);
        assertFalse(store().extentAt(2 * unit, SIZE).mapped());
    }

    @Test
    void flushAndFuaSucceed() throws Exception {
        store().write(0, SgList.wrap(pattern(512, 8)), true);
        store().flush();
    }

    @Test
    void closedStoreIsUnavailable() throws Exception {
        store().close();
        BlockStoreException e = assertThrows(BlockStoreException.class, () -> store().read(0, SgList.allocate(512)));
        assertEquals(StoreOutcome.UNAVAILABLE, e.outcome());
        store = null;
    }
}
