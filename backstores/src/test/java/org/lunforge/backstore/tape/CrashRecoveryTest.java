package org.lunforge.backstore.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.backstore.tape.TapeMediumTest.block;
import static org.lunforge.backstore.tape.TapeMediumTest.readBlock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.SgList;

/**
 * The crash rule: after a crash the partition ends after the last synced object at the earliest, is a prefix of what
 * was written, and a torn record is dropped, never read. A crash is imitated by copying the cartridge's files while it
 * is loaded (what a disk holds when the process dies) and then damaging the tail as a lost page would; and for real,
 * by killing a writer process with SIGKILL.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    /** Writes 20 blocks and a filemark, syncs (the acknowledged state), then 5 unsynced blocks; copies the files. */
    private FileCartridgeStore crashedCopy() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("live"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        FileCartridgeStore copy = FileCartridgeStore.open(dir.resolve("crashed"));
        try (TapeMedium m = c.load()) {
            for (int i = 0; i < 20; i++) {
                m.writeBlock(SgList.wrap(block(3000 + i, i, i % 2 == 0)), i % 2 == 0);
            }
            m.writeFilemark();
            m.sync();
            for (int i = 20; i < 25; i++) {
                m.writeBlock(SgList.wrap(block(100_000, i, false)), false);
            }
            m.rewind(); // hands the write buffer to the file, as the kernel would have it at the crash
            for (String suffix : List.of(".tape", ".mam")) {
                Files.copy(pool.folder().resolve("LF0001L8" + suffix), copy.folder().resolve("LF0001L8" + suffix),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return copy;
    }

    private static void assertAcknowledgedIntact(TapeMedium m) throws IOException {
        assertTrue(m.endOfData() >= 21, "acknowledged objects lost: EOD " + m.endOfData());
        assertEquals(1, m.filemarkCount());
        assertEquals(20, m.filemark(0));
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(block(3000 + i, i, i % 2 == 0), readBlock(m, 3000 + i));
        }
        m.skip();
        while (!m.atEndOfData()) {
            long id = m.position();
            assertArrayEquals(block(100_000, id - 1, false), readBlock(m, 100_000), "unsynced block " + id);
        }
    }

    @Test
    void wholeUnsyncedTailSurvivesWhenItReachedTheDisk() throws IOException {
        try (TapeMedium m = crashedCopy().cartridge("LF0001L8").load()) {
            assertEquals(26, m.endOfData());
            assertAcknowledgedIntact(m);
        }
    }

    @Test
    void tornLastRecordIsDropped() throws IOException {
        FileCartridgeStore copy = crashedCopy();
        Path journal = copy.folder().resolve("LF0001L8.tape");
        long size = Files.size(journal);
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.setLength(size - 40_000); // the last record lost its end
        }
        try (TapeMedium m = copy.cartridge("LF0001L8").load()) {
            assertEquals(25, m.endOfData());
            assertAcknowledgedIntact(m);
        }
        assertEquals(size - 100_032, Files.size(journal), "the torn record was cut off the file");
    }

    @Test
    void recordWithAHoleIsDroppedWithEverythingAfterIt() throws IOException {
        FileCartridgeStore copy = crashedCopy();
        Path journal = copy.folder().resolve("LF0001L8.tape");
        long size = Files.size(journal);
        long thirdUnsynced = size - 3L * 100_032;
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.seek(thirdUnsynced + 50_000);
            f.write(new byte[4096]); // a page that never reached the disk reads back as zeros
        }
        try (TapeMedium m = copy.cartridge("LF0001L8").load()) {
            assertEquals(23, m.endOfData());
            assertAcknowledgedIntact(m);
        }
    }

    @Test
    void zeroFilledTailIsNotData() throws IOException {
        FileCartridgeStore copy = crashedCopy();
        Path journal = copy.folder().resolve("LF0001L8.tape");
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.setLength(f.length() + 8192); // the size grew but the data blocks were never written
        }
        try (TapeMedium m = copy.cartridge("LF0001L8").load()) {
            assertEquals(26, m.endOfData());
            assertAcknowledgedIntact(m);
        }
    }

    @Test
    void damagedCheckpointFallsBackToScanning() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            for (int i = 0; i < 100; i++) {
                m.writeBlock(SgList.wrap(block(500, i, false)), false);
            }
        }
        Path idx = pool.folder().resolve("LF0001L8.idx");
        byte[] bytes = Files.readAllBytes(idx);
        bytes[20] ^= 1;
        Files.write(idx, bytes);
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            assertEquals(100, m.endOfData());
            m.locate(77);
            assertArrayEquals(block(500, 77, false), readBlock(m, 500));
        }
    }

    /** The writer process: writes and acknowledges (syncs) batches, then keeps writing until it is killed. */
    public static void main(String[] args) throws Exception {
        FileCartridgeStore pool = FileCartridgeStore.open(Path.of(args[0]));
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            for (int batch = 0; ; batch++) {
                for (int i = 0; i < 7; i++) {
                    m.writeBlock(SgList.wrap(block(65_536 + batch, batch, false)), batch % 2 == 0);
                }
                m.writeFilemark();
                m.sync();
                System.out.println("ACK " + m.endOfData());
                System.out.flush();
            }
        }
    }

    @Test
    void killNineKeepsEveryAcknowledgedFilemark() throws Exception {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), CrashRecoveryTest.class.getName(), pool.folder().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && acknowledged < 8 * 40) {
                acknowledged = Long.parseLong(line.substring(4));
            }
            p.destroyForcibly(); // SIGKILL, mid-write
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(acknowledged >= 8 * 40, "writer acknowledged " + acknowledged);
        try (TapeMedium m = pool.cartridge("LF0001L8").load()) {
            assertTrue(m.endOfData() >= acknowledged, "EOD " + m.endOfData() + " < acknowledged " + acknowledged);
            for (int f = 0; f < acknowledged / 8; f++) {
                assertEquals(8L * f + 7, m.filemark(f), "filemark " + f);
            }
            for (long id = 0; id < m.endOfData(); id++) {
                TapeMedium.TapeObject o = m.peek();
                if (o.kind() == TapeMedium.Kind.BLOCK) {
                    int batch = (int) (id / 8);
                    assertArrayEquals(block(65_536 + batch, batch, false), readBlock(m, 65_536 + batch));
                } else {
                    m.skip();
                }
            }
        }
    }
}
