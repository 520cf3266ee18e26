package org.lunforge.backstore.tape;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.SgList;

class TapeMediumTest {
    @TempDir
    Path dir;

    static byte[] block(int length, long seed, boolean compressible) {
        byte[] b = new byte[length];
        Random r = new Random(seed);
        if (compressible) {
            for (int i = 0; i < length; i++) {
                b[i] = (byte) ("lunforge tape ".charAt(i % 14) + (r.nextInt(50) == 0 ? 1 : 0));
            }
        } else {
            r.nextBytes(b);
        }
        return b;
    }

    static byte[] readBlock(TapeMedium m, int max) throws IOException {
        byte[] out = new byte[max];
        int length = m.read(SgList.wrap(out), max);
        return Arrays.copyOf(out, Math.min(length, max));
    }

    private FileCartridgeStore pool() throws IOException {
        return FileCartridgeStore.open(dir.resolve("pool"));
    }

    @Test
    void createListDeleteAndRefuseDuplicates() throws IOException {
        FileCartridgeStore pool = pool();
        pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        pool.create(CartridgeSpec.ofBarcode("LF0002LY"));
        assertEquals(List.of("LF0001L8", "LF0002LY"), pool.barcodes());
        Cartridge worm = pool.cartridge("LF0002LY");
        assertTrue(worm.worm());
        assertEquals(TapeFormat.LTO8, worm.format());
        assertEquals(12_000_000_000_000L, worm.spec().capacity());
        assertThrows(FileAlreadyExistsException.class, () -> pool.create(CartridgeSpec.ofBarcode("LF0001L8")));
        assertThrows(IllegalArgumentException.class, () -> CartridgeSpec.ofBarcode("../etc"));
        assertThrows(IllegalArgumentException.class, () -> CartridgeSpec.ofBarcode("LF0003XX"));
        pool.delete("LF0001L8");
        assertEquals(List.of("LF0002LY"), pool.barcodes());
        assertFalse(pool.exists("LF0001L8"));
    }

    @Test
    void blocksAndFilemarksRoundTripAcrossReload() throws IOException {
        FileCartridgeStore pool = pool();
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        int[] sizes = {1, 512, 65535, 65536, 262144, 1 << 20, 3};
        try (TapeMedium m = c.load()) {
            for (int i = 0; i < sizes.length; i++) {
                assertTrue(m.writeBlock(SgList.wrap(block(sizes[i], i, i % 2 == 0)), i % 3 != 0) > 0);
                if (i == 2) {
                    assertTrue(m.writeFilemark());
                }
            }
            assertTrue(m.writeFilemark());
            assertEquals(sizes.length + 2, m.endOfData());
        }
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            assertEquals(sizes.length + 2, m.endOfData());
            assertEquals(2, m.filemarkCount());
            assertEquals(3, m.filemark(0));
            for (int i = 0; i < sizes.length; i++) {
                if (i == 3) {
                    assertEquals(TapeMedium.Kind.FILEMARK, m.peek().kind());
                    m.skip();
                }
                TapeMedium.TapeObject o = m.peek();
                assertEquals(TapeMedium.Kind.BLOCK, o.kind());
                assertEquals(sizes[i], o.length());
                assertArrayEquals(block(sizes[i], i, i % 2 == 0), readBlock(m, sizes[i]), "block " + i);
            }
            assertEquals(TapeMedium.Kind.FILEMARK, m.peek().kind());
            m.skip();
            assertTrue(m.atEndOfData());
            assertNull(m.peek());
        }
    }

    @Test
    void compressibleBlocksAreStoredSmallerAndRandomOnesAsIs() throws IOException {
        Cartridge c = pool().create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            long packed = m.writeBlock(SgList.wrap(block(1 << 20, 1, true)), true);
            long random = m.writeBlock(SgList.wrap(block(1 << 20, 2, false)), true);
            assertTrue(packed < (1 << 19), "compressible 1 MiB took " + packed);
            assertEquals((1 << 20) + TapeMedium.OVERHEAD, random);
            m.rewind();
            assertTrue(m.peek().compressed());
            assertArrayEquals(block(1 << 20, 1, true), readBlock(m, 1 << 20));
            assertFalse(m.peek().compressed());
        }
    }

    @Test
    void aBlockWhoseHeadDoesNotCompressIsStoredAsItCameWithoutCompressingTheRest() throws IOException {
        // Random for the probe's length, compressible after it: the head decides, as LTO's pass-through does.
        byte[] mixed = block(1 << 20, 3, true);
        System.arraycopy(block(TapeMedium.COMPRESSION_PROBE, 4, false), 0, mixed, 0, TapeMedium.COMPRESSION_PROBE);
        Cartridge c = pool().create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined(); TapeMedium m = c.load()) {
            assertEquals((1 << 20) + TapeMedium.OVERHEAD, m.writeBlock(scattered(mixed, 262_144, arena), true));
            assertEquals(TapeMedium.COMPRESSION_PROBE, m.bytesOfferedToCompressor());
            long random = m.writeBlock(scattered(block(1 << 20, 5, false), 8192, arena), true);
            assertEquals((1 << 20) + TapeMedium.OVERHEAD, random);
            assertEquals(2L * TapeMedium.COMPRESSION_PROBE, m.bytesOfferedToCompressor());
            m.rewind();
            assertFalse(m.peek().compressed());
            assertArrayEquals(mixed, readBlock(m, 1 << 20));
            assertFalse(m.peek().compressed());
            assertArrayEquals(block(1 << 20, 5, false), readBlock(m, 1 << 20));
        }
    }

    @Test
    void aBlockWhoseHeadCompressesIsCompressedWhole() throws IOException {
        // Compressible for the probe's length, random after it: compressed whole only if the whole gets smaller.
        byte[] headOnly = block(1 << 20, 6, false);
        System.arraycopy(block(TapeMedium.COMPRESSION_PROBE, 7, true), 0, headOnly, 0, TapeMedium.COMPRESSION_PROBE);
        byte[] small = block(20_000, 8, true);
        Cartridge c = pool().create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined(); TapeMedium m = c.load()) {
            long stored = m.writeBlock(scattered(headOnly, 100_000, arena), true);
            assertTrue(stored < (1 << 20), "head-compressible 1 MiB took " + stored);
            assertEquals(TapeMedium.COMPRESSION_PROBE + (1L << 20), m.bytesOfferedToCompressor());
            assertTrue(m.writeBlock(SgList.wrap(small), true) < 20_000);
            assertEquals(TapeMedium.COMPRESSION_PROBE + (1L << 20) + 20_000, m.bytesOfferedToCompressor(),
                    "a block shorter than the probe is compressed once");
            m.rewind();
            assertTrue(m.peek().compressed());
            assertArrayEquals(headOnly, readBlock(m, 1 << 20));
            assertTrue(m.peek().compressed());
            assertArrayEquals(small, readBlock(m, 20_000));
        }
    }

    /** A buffer in pieces, as iSCSI Data-Out PDUs or TCMU iovecs deliver it; native memory for some pieces. */
    static SgList scattered(byte[] data, int piece, java.lang.foreign.Arena arena) {
        java.util.List<java.lang.foreign.MemorySegment> parts = new java.util.ArrayList<>();
        for (int off = 0, i = 0; off < data.length; off += piece, i++) {
            int n = Math.min(piece, data.length - off);
            java.lang.foreign.MemorySegment s = i % 2 == 0 ? arena.allocate(n)
                    : java.lang.foreign.MemorySegment.ofArray(new byte[n]);
            s.copyFrom(java.lang.foreign.MemorySegment.ofArray(data).asSlice(off, n));
            parts.add(s);
        }
        return SgList.of(parts.toArray(java.lang.foreign.MemorySegment[]::new));
    }

    @Test
    void scatteredBuffersRoundTripCompressedAndNot() throws IOException {
        Cartridge c = pool().create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined(); TapeMedium m = c.load()) {
            for (int i = 0; i < 4; i++) {
                byte[] b = block(300_000, i, i < 2);
                assertTrue(m.writeBlock(scattered(b, 65_536 + 1000 * i, arena), i % 2 == 0) > 0);
            }
            m.rewind();
            for (int i = 0; i < 4; i++) {
                byte[] b = block(300_000, i, i < 2);
                SgList dst = scattered(new byte[300_000], 8192 + 512 * i, arena);
                assertEquals(300_000, m.read(dst, 300_000));
                assertArrayEquals(b, dst.toByteArray(), "block " + i);
            }
        }
    }

    @Test
    void shortAndLongReadsReportTheBlockLength() throws IOException {
        Cartridge c = pool().create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            m.writeBlock(SgList.wrap(block(1000, 1, false)), false);
            m.writeBlock(SgList.wrap(block(1000, 2, true)), true);
            m.rewind();
            byte[] small = new byte[100];
            assertEquals(1000, m.read(SgList.wrap(small), 100));
            assertArrayEquals(Arrays.copyOf(block(1000, 1, false), 100), small);
            byte[] big = new byte[4000];
            assertEquals(1000, m.read(SgList.wrap(big), 4000));
            assertArrayEquals(block(1000, 2, true), Arrays.copyOf(big, 1000));
        }
    }

    @Test
    void locateStepBackAndFilemarkCounts() throws IOException {
        Cartridge c = pool().create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            for (int i = 0; i < 500; i++) {
                if (i % 100 == 99) {
                    m.writeFilemark();
                } else {
                    m.writeBlock(SgList.wrap(block(100 + i, i, false)), false);
                }
            }
            for (long target : new long[] {0, 1, 63, 64, 65, 250, 499, 500, 130, 129, 3}) {
                m.locate(target);
                assertEquals(target, m.position());
                assertEquals(target / 100, m.filemarksBeforePosition(), "file of " + target);
                if (target < 500 && target % 100 != 99) {
                    assertEquals(100 + (int) target, m.peek().length());
                }
            }
            m.locate(300);
            m.stepBack();
            assertEquals(299, m.position());
            assertEquals(TapeMedium.Kind.FILEMARK, m.peek().kind());
            assertThrows(IllegalArgumentException.class, () -> m.locate(501));
        }
    }

    @Test
    void writingInTheMiddleEndsThePartitionThere() throws IOException {
        FileCartridgeStore pool = pool();
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            for (int i = 0; i < 10; i++) {
                m.writeBlock(SgList.wrap(block(4096, i, false)), false);
                m.writeFilemark();
            }
            m.locate(5);
            m.writeBlock(SgList.wrap(block(777, 99, false)), false);
            assertEquals(6, m.endOfData());
            assertEquals(2, m.filemarkCount());
            assertTrue(m.atEndOfData());
        }
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            assertEquals(6, m.endOfData());
            m.locate(5);
            assertArrayEquals(block(777, 99, false), readBlock(m, 777));
        }
    }

    @Test
    void capacityAndEarlyWarning() throws IOException {
        Cartridge c = pool().create(CartridgeSpec.ofBarcode("LF0001L8").withCapacity(100_000, 20_000));
        try (TapeMedium m = c.load()) {
            int written = 0;
            while (m.writeBlock(SgList.wrap(block(10_000, written, false)), false) > 0) {
                written++;
                assertEquals(m.used() > 80_000, m.beyondEarlyWarning());
            }
            assertEquals(9, written); // 9 x 10,032 fit in 100,000; the tenth does not
            assertTrue(m.beyondEarlyWarning());
            assertEquals(9, m.endOfData());
            assertFalse(m.writeBlock(SgList.wrap(new byte[10_000]), false) > 0);
            assertTrue(m.writeFilemark(), "a filemark still fits");
        }
    }

    @Test
    void oneDriveAtATime() throws IOException {
        FileCartridgeStore pool = pool();
        pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        TapeMedium m = pool.cartridge("LF0001L8").load();
        assertThrows(CartridgeInUseException.class, () -> pool.cartridge("LF0001L8").load());
        assertThrows(CartridgeInUseException.class, () -> pool.delete("LF0001L8"));
        assertTrue(pool.cartridge("LF0001L8").isLoaded());
        m.close();
        pool.cartridge("LF0001L8").load().close();
    }

    @Test
    void attributesPersist() throws IOException {
        FileCartridgeStore pool = pool();
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        assertEquals("LF0001L8", new String(c.attributes().hostAttribute(CartridgeAttributes.BARCODE).value())
                .trim());
        c.recordLoad("IBM     0123456789");
        c.setWriteProtected(true);
        c.putHostAttributes(List.of(new CartridgeAttributes.Attribute(0x0803, 2, "weekly full".getBytes())));
        try (TapeMedium m = c.load()) {
            m.writeBlock(SgList.wrap(new byte[5000]), false);
        }
        Cartridge again = pool.cartridge("LF0001L8");
        assertEquals(1, again.attributes().loadCount());
        assertTrue(again.attributes().writeProtected());
        assertEquals("IBM     0123456789", again.attributes().loadedBy().getFirst());
        assertEquals("weekly full", new String(again.attributes().hostAttribute(0x0803).value()));
        assertEquals(5000, again.attributes().bytesWrittenInLife());
        again.putHostAttributes(List.of(new CartridgeAttributes.Attribute(0x0803, 2, new byte[0])));
        assertNull(pool.cartridge("LF0001L8").attributes().hostAttribute(0x0803));
    }

    @Test
    void checkpointSpeedsLoadingAndSurvivesOverwrites() throws IOException {
        FileCartridgeStore pool = pool();
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load(1 << 16, 1 << 16)) {
            for (int i = 0; i < 300; i++) {
                m.writeBlock(SgList.wrap(block(1000, i, false)), false);
            }
            m.sync();
            assertTrue(Files.exists(c.checkpointPath()));
            // Overwrite from object 10: the checkpoint covers more than what remains, so it must go first.
            m.locate(10);
            m.writeFilemark();
            assertFalse(Files.exists(c.checkpointPath()));
        }
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            assertEquals(11, m.endOfData());
            assertEquals(1, m.filemarkCount());
        }
    }

    @Test
    void streamReadsOneCallPerBlock() throws IOException {
        Cartridge c = pool().create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            for (int i = 0; i < 10; i++) {
                m.writeBlock(SgList.wrap(block(100_000, i, false)), false);
            }
            m.writeFilemark();
            m.writeBlock(SgList.wrap(block(70_000, 10, false)), false);
            m.rewind();
            long before = m.journalReads();
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(block(100_000, i, false), readBlock(m, 100_000), "block " + i);
            }
            // The first header, then each block with its trailer and the next header in one read.
            assertEquals(1 + 10, m.journalReads() - before);
            assertEquals(TapeMedium.Kind.FILEMARK, m.peek().kind());
            m.skip();
            assertArrayEquals(block(70_000, 10, false), readBlock(m, 70_000));
            assertTrue(m.atEndOfData());
            // Backward and forward again: the cursor's moves leave nothing stale behind.
            m.locate(3);
            assertArrayEquals(block(100_000, 3, false), readBlock(m, 100_000));
            m.locate(2);
            assertArrayEquals(block(100_000, 2, false), readBlock(m, 100_000));
            assertArrayEquals(block(100_000, 3, false), readBlock(m, 100_000));
            m.locate(5);
            m.writeBlock(SgList.wrap(block(100_000, 50, false)), false);
            m.locate(4);
            assertArrayEquals(block(100_000, 4, false), readBlock(m, 100_000));
            assertArrayEquals(block(100_000, 50, false), readBlock(m, 100_000));
            assertTrue(m.atEndOfData());
        }
    }
}
