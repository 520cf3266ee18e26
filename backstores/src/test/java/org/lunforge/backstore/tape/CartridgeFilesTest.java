package org.lunforge.backstore.tape;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.SgList;

/**
 * The pool's files are written so that nobody else's file is ever written through them: temporary files are created
 * exclusively under names nobody can predict (a symlink planted at a name the pool once used is never followed), and
 * creating a cartridge claims its barcode in one atomic step (two creators, or a creator and a planted link: exactly
 * one wins, and the loser changes nothing).
 */
class CartridgeFilesTest {
    private static final byte[] VICTIM = "someone else's file\n".getBytes();

    @TempDir
    Path dir;

    private Path victim() throws IOException {
        Path v = dir.resolve("victim");
        if (!Files.exists(v)) {
            Files.write(v, VICTIM);
        }
        return v;
    }

    private void assertVictimUntouched() throws IOException {
        assertArrayEquals(VICTIM, Files.readAllBytes(dir.resolve("victim")));
    }

    @Test
    void symlinkAtTheOldJournalTemporaryNameIsNotFollowed() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        Files.createSymbolicLink(pool.folder().resolve("LF0001L8.tape.new"), victim());
        pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        assertVictimUntouched();
        assertFalse(Files.isSymbolicLink(pool.folder().resolve("LF0001L8.tape")));
        assertEquals("LF0001L8", pool.cartridge("LF0001L8").barcode());
    }

    @Test
    void symlinkAtTheOldAttributesTemporaryNameIsNotFollowed() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        Files.createSymbolicLink(pool.folder().resolve("LF0001L8.mam.tmp"), victim());
        c.setWriteProtected(true);
        assertVictimUntouched();
        assertFalse(Files.isSymbolicLink(pool.folder().resolve("LF0001L8.mam")));
        assertTrue(pool.cartridge("LF0001L8").attributes().writeProtected());
    }

    @Test
    void symlinkAtTheOldCheckpointTemporaryNameIsNotFollowed() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        Files.createSymbolicLink(pool.folder().resolve("LF0001L8.idx.tmp"), victim());
        try (TapeMedium m = c.load()) {
            m.writeBlock(SgList.wrap(new byte[512]), false);
        }
        assertVictimUntouched();
        assertTrue(Files.isRegularFile(pool.folder().resolve("LF0001L8.idx"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void noTemporaryFileIsLeftBehind() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        c.setWriteProtected(true);
        try (TapeMedium m = c.load()) {
            m.writeFilemark();
        }
        try (var files = Files.list(pool.folder())) {
            assertEquals(List.of("LF0001L8.idx", "LF0001L8.mam", "LF0001L8.tape"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aLinkPlantedAtTheBarcodeMakesCreationFailAndStaysAsItWas() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        Path journal = pool.folder().resolve("LF0001L8.tape");
        // A dangling link: "does it exist?" says no, so only an atomic claim can see it.
        Files.createSymbolicLink(journal, dir.resolve("nowhere"));
        assertThrows(FileAlreadyExistsException.class, () -> pool.create(CartridgeSpec.ofBarcode("LF0001L8")));
        assertTrue(Files.isSymbolicLink(journal));
        assertFalse(Files.exists(dir.resolve("nowhere")));
        assertFalse(Files.exists(pool.folder().resolve("LF0001L8.mam")), "the loser wrote nothing");
    }

    @Test
    void twoCreatorsOfOneBarcodeExactlyOneWins() throws Exception {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                String barcode = "LF%04dL8".formatted(round);
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Cartridge>> creators = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    creators.add(threads.submit(() -> {
                        start.await();
                        return pool.create(CartridgeSpec.ofBarcode(barcode));
                    }));
                }
                int won = 0;
                long winnerCreated = 0;
                for (Future<Cartridge> f : creators) {
                    try {
                        winnerCreated = f.get().createdMillis();
                        won++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertInstanceOf(FileAlreadyExistsException.class, e.getCause());
                    }
                }
                assertEquals(1, won, "round " + round + ": creators that believe they made " + barcode);
                assertEquals(winnerCreated, pool.cartridge(barcode).createdMillis());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void deleteOfACartridgeAnotherProcessHasLoadedIsRefused() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        Path journal = pool.folder().resolve("LF0001L8.tape");
        // Another process's drive holds the journal's lock; this process's own bookkeeping knows nothing of it.
        try (var other = java.nio.channels.FileChannel.open(journal, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE); var lock = other.lock()) {
            assertThrows(CartridgeInUseException.class, () -> pool.delete("LF0001L8"));
            assertTrue(Files.exists(journal));
            assertTrue(Files.exists(pool.folder().resolve("LF0001L8.mam")));
        }
        pool.delete("LF0001L8");
        assertFalse(pool.exists("LF0001L8"));
    }

    @Test
    void deleteWhileLoadedIsRefusedAndAfterwardsTheBarcodeIsFree() throws IOException {
        FileCartridgeStore pool = FileCartridgeStore.open(dir.resolve("pool"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            assertThrows(CartridgeInUseException.class, () -> pool.delete("LF0001L8"));
        }
        pool.delete("LF0001L8");
        assertFalse(pool.exists("LF0001L8"));
        pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        assertTrue(pool.exists("LF0001L8"));
    }
}
