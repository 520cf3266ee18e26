package org.lunforge.backstore.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.backstore.tape.TapeMediumTest.block;
import static org.lunforge.backstore.tape.TapeMediumTest.readBlock;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.SgList;

/**
 * A cartridge damaged on the disk (bit rot, a hostile file) is read as a damaged medium: every length it holds is
 * checked against the format's bounds before anything is allocated or read, a damaged record is a
 * {@link MediumException} (the drive's MEDIUM ERROR), never a huge allocation or an exception of another kind, and no
 * byte of a record is returned before its CRC is verified.
 */
class DamagedCartridgeTest {
    /** 1.9 GiB: what a damaged stored length says; allocating it (heap or direct) would exhaust a small daemon. */
    private static final int HUGE = 1_900 << 20;
    private static final int BLOCK = 10_000;

    @TempDir
    Path dir;

    /** Ten uncompressed and ten compressed blocks, closed (so the checkpoint covers them all). */
    private FileCartridgeStore written() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            for (int i = 0; i < 20; i++) {
                m.writeBlock(SgList.wrap(block(BLOCK, i, i >= 10)), i >= 10);
            }
        }
        return pool;
    }

    private Path journal(FileCartridgeStore pool) {
        return pool.folder().resolve("LF0001L8.tape");
    }

    /** The file offset of object {@code id}'s record, walking the journal from its first record. */
    private static long recordOffset(Path journal, long id) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "r")) {
            long at = CartridgeHeader.LENGTH;
            for (long i = 0; i < id; i++) {
                f.seek(at + 8);
                at += TapeMedium.OVERHEAD + f.readInt();
            }
            return at;
        }
    }

    private static void putInt(Path journal, long at, int value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.seek(at);
            f.writeInt(value);
        }
    }

    @Test
    void storedLengthOfAHugeRecordInsideTheCheckpointIsAMediumError() throws IOException {
        FileCartridgeStore pool = written();
        long record = recordOffset(journal(pool), 12); // a compressed block: the path that sized a buffer by it
        putInt(journal(pool), record + 8, HUGE);
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            assertEquals(20, m.endOfData(), "the checkpoint still describes the partition");
            m.locate(11);
            assertArrayEquals(block(BLOCK, 11, true), readBlock(m, BLOCK));
            // The header is rejected before read() could size a buffer by its stored length.
            assertThrows(MediumException.class, m::peek);
            assertThrows(MediumException.class, () -> m.read(SgList.wrap(new byte[BLOCK]), BLOCK));
            assertEquals(12, m.position(), "a failed read does not move the cursor");
        }
    }

    /**
     * The reader of {@link #aSmallDaemonSurvivesTheHugeRecord}, run in a JVM of 64 MiB heap and 64 MiB direct memory:
     * mounts the pool at {@code args[0]}, reads objects 11 and 12, and prints what happened to each.
     */
    public static void main(String[] args) throws Exception {
        FileCartridgeStore pool = FileCartridgeStore.open(Path.of(args[0]));
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            System.out.println("EOD " + m.endOfData());
            m.locate(11);
            for (int i = 0; i < 2; i++) {
                try {
                    System.out.println("read " + m.read(SgList.wrap(new byte[BLOCK]), BLOCK));
                } catch (MediumException e) {
                    System.out.println("MEDIUM ERROR");
                } catch (Throwable e) {
                    System.out.println(e.getClass().getSimpleName());
                }
            }
        }
    }

    @Test
    void aSmallDaemonSurvivesTheHugeRecord() throws Exception {
        FileCartridgeStore pool = written();
        putInt(journal(pool), recordOffset(journal(pool), 12) + 8, HUGE);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:MaxDirectMemorySize=64m",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                DamagedCartridgeTest.class.getName(), pool.folder().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("EOD 20\nread " + BLOCK + "\nMEDIUM ERROR\n", out);
        assertEquals(0, p.exitValue());
    }

    @Test
    void logicalLengthBeyondTheLargestBlockIsAMediumError() throws IOException {
        FileCartridgeStore pool = written();
        long record = recordOffset(journal(pool), 3);
        putInt(journal(pool), record + 8, HUGE);
        putInt(journal(pool), record + 12, HUGE);
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            m.locate(2);
            m.skip();
            assertThrows(MediumException.class, m::peek);
            assertThrows(MediumException.class, m::skip);
        }
    }

    @Test
    void hugeRecordAfterTheCheckpointIsDroppedAtMountWithWhatFollows() throws IOException {
        FileCartridgeStore pool = written();
        Files.delete(pool.folder().resolve("LF0001L8.idx")); // mount verifies every record
        putInt(journal(pool), recordOffset(journal(pool), 15) + 8, HUGE);
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            assertEquals(15, m.endOfData(), "mounted up to the last good record");
            m.locate(14);
            assertArrayEquals(block(BLOCK, 14, true), readBlock(m, BLOCK));
        }
        assertEquals(recordOffset(journal(pool), 15), Files.size(journal(pool)));
    }

    @Test
    void partialReadOfARecordWithAFlippedPayloadByteIsAMediumError() throws IOException {
        FileCartridgeStore pool = written();
        long record = recordOffset(journal(pool), 4); // uncompressed
        try (RandomAccessFile f = new RandomAccessFile(journal(pool).toFile(), "rw")) {
            long at = record + TapeMedium.HEADER + 8_000; // beyond the 100 bytes the read asks for
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            m.locate(4);
            byte[] out = new byte[100];
            assertThrows(MediumException.class, () -> m.read(SgList.wrap(out), 100));
            assertEquals(4, m.position());
            m.locate(5);
            assertArrayEquals(block(BLOCK, 5, false), readBlock(m, BLOCK), "the next record reads");
        }
    }

    @Test
    void partialReadOfAnIntactRecordStillReportsTheWholeLength() throws IOException {
        FileCartridgeStore pool = written();
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            m.locate(4);
            byte[] out = new byte[100];
            assertEquals(BLOCK, m.read(SgList.wrap(out), 100));
            assertArrayEquals(java.util.Arrays.copyOf(block(BLOCK, 4, false), 100), out);
            assertEquals(5, m.position());
            assertEquals(BLOCK, m.read(SgList.EMPTY, 0), "a zero-byte read verifies and skips the block");
        }
    }

    @Test
    void shortReadOfABlockOfSeveralMebibytesVerifiesItInChunks() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("big"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0002L8"));
        int length = 3 * (1 << 20) + 17;
        try (TapeMedium m = c.load()) {
            m.writeBlock(SgList.wrap(block(length, 1, false)), false);
            m.writeBlock(SgList.wrap(block(length, 2, false)), false);
        }
        Path journal = pool.folder().resolve("LF0002L8.tape");
        long second = CartridgeHeader.LENGTH + TapeMedium.OVERHEAD + length;
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.seek(second + TapeMedium.HEADER + length - 1); // the last payload byte, in the last chunk
            int b = f.read();
            f.seek(second + TapeMedium.HEADER + length - 1);
            f.write(b ^ 1);
        }
        try (TapeMedium m = pool.cartridge("LF0002L8").load()) {
            byte[] out = new byte[4096];
            assertEquals(length, m.read(SgList.wrap(out), out.length));
            assertArrayEquals(java.util.Arrays.copyOf(block(length, 1, false), 4096), out);
            assertThrows(MediumException.class, () -> m.read(SgList.wrap(out), out.length));
        }
    }

    @Test
    void trailerLengthReachingBeforeTheFirstRecordIsAMediumError() throws IOException {
        FileCartridgeStore pool = written();
        long record = recordOffset(journal(pool), 1);
        putInt(journal(pool), record - 4, TapeMedium.OVERHEAD + BLOCK + 2 * CartridgeHeader.LENGTH);
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            m.locate(1);
            assertThrows(MediumException.class, m::stepBack);
        }
    }

    /** A checkpoint with a valid CRC whose counts ask for arrays no file of its size can fill. */
    @Test
    void checkpointWhoseCountsExceedItsLengthIsIgnored() throws IOException {
        FileCartridgeStore pool = written();
        Path idx = pool.folder().resolve("LF0001L8.idx");
        long objects = 0x7FFF_FFFFL * TapeIndex.STRIDE; // a sparse index of 2^31 - 1 entries: 16 GiB
        ByteBuffer b = ByteBuffer.allocate(8 + 8 + 8 + 4 + 4 + 8 + 4);
        b.put("LFIDX001".getBytes()).putLong(Files.size(journal(pool))).putLong(objects).putInt(TapeIndex.STRIDE)
                .putInt(0x7FFF_FFFF).putLong(0);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        Files.write(idx, b.array());
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            assertEquals(20, m.endOfData(), "the journal was scanned instead");
        }
    }

    @Test
    void checkpointOffsetsOutsideTheJournalAreIgnored() throws IOException {
        FileCartridgeStore pool = written();
        Path idx = pool.folder().resolve("LF0001L8.idx");
        TapeIndex index = new TapeIndex();
        for (long i = 0; i < 20; i++) {
            index.add(i, i == 0 ? -1_000_000 : CartridgeHeader.LENGTH + i, false); // nonsense offsets
        }
        long end = Files.size(journal(pool));
        Files.write(idx, toArray(index.encode(end)));
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            m.locate(10);
            m.locate(3); // far enough back to start from the indexed object 0
            assertArrayEquals(block(BLOCK, 3, false), readBlock(m, BLOCK));
        }
    }

    @Test
    void attributeFileLargerThanItsFormatAllowsIsRefusedUnread() throws IOException {
        FileCartridgeStore pool = written();
        try (RandomAccessFile f = new RandomAccessFile(pool.folder().resolve("LF0001L8.mam").toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB that readAllBytes would try to hold
        }
        IOException e = assertThrows(IOException.class, () -> pool.cartridge("LF0001L8"));
        assertTrue(e.getMessage().contains("LF0001L8.mam"), e.getMessage());
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
