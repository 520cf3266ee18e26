package org.lunforge.backstore.tape;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.StoreLoan;
import org.lunforge.scsi.SgList;

/**
 * A block lent from the cartridge's pages ({@link TapeMedium#lend}) is the block, verified, and holds its bytes until
 * given back: the file is never cut under a loan (the cut waits, or fails after its patience), so a lent page is never
 * past the file's end nor rewritten.
 */
class LentBlocksTest {
    private static final int BLOCK = 256 << 10;
    @TempDir
    Path dir;

    private FileCartridgeStore pool;

    private Cartridge cartridgeWith(int blocks) throws IOException {
        pool = FileCartridgeStore.open(dir.resolve("pool"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            for (int i = 0; i < blocks; i++) {
                m.writeBlock(SgList.wrap(TapeMediumTest.block(BLOCK, i, false)), false);
            }
        }
        return c;
    }

    private Path journal() {
        return pool.folder().resolve("LF0001L8.tape");
    }

    @Test
    void aLentBlockIsTheBlockAndTheCursorMovesPastIt() throws IOException {
        Cartridge c = cartridgeWith(3);
        try (TapeMedium m = c.load()) {
            StoreLoan first = m.lend(BLOCK);
            StoreLoan second = m.lend(BLOCK + 1);
            assertArrayEquals(TapeMediumTest.block(BLOCK, 0, false), first.data().toByteArray());
            assertArrayEquals(TapeMediumTest.block(BLOCK, 1, false), second.data().toByteArray());
            assertEquals(2, m.position());
            assertEquals(2, LentPages.out(journal()));
            assertNull(m.lend(BLOCK - 1), "a block longer than asked for is read, not lent");
            assertEquals(2, m.position());
            assertArrayEquals(TapeMediumTest.block(BLOCK, 2, false), TapeMediumTest.readBlock(m, BLOCK),
                    "and reads as before after the loans");
            first.giveBack().run();
            first.giveBack().run(); // a second give-back counts for nothing
            second.giveBack().run();
            assertEquals(0, LentPages.out(journal()));
        }
    }

    @Test
    void aCompressedBlockIsNotLent() throws IOException {
        pool = FileCartridgeStore.open(dir.resolve("pool"));
        Cartridge c = pool.create(CartridgeSpec.ofBarcode("LF0001L8"));
        try (TapeMedium m = c.load()) {
            m.writeBlock(SgList.wrap(TapeMediumTest.block(BLOCK, 7, true)), true);
            m.rewind();
            assertTrue(m.peek().compressed());
            assertNull(m.lend(BLOCK));
            assertArrayEquals(TapeMediumTest.block(BLOCK, 7, true), TapeMediumTest.readBlock(m, BLOCK));
        }
    }

    @Test
    void aDamagedBlockIsNotLentAndTheCursorStays() throws IOException {
        Cartridge c = cartridgeWith(2);
        try (RandomAccessFile f = new RandomAccessFile(journal().toFile(), "rw")) {
            long at = CartridgeHeader.LENGTH + TapeMedium.OVERHEAD + BLOCK + TapeMedium.HEADER + 1000;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
        try (TapeMedium m = c.load()) {
            m.lend(BLOCK).giveBack().run();
            assertThrows(MediumException.class, () -> m.lend(BLOCK));
            assertEquals(1, m.position());
            assertEquals(0, LentPages.out(journal()), "the failed loan was given back");
        }
    }

    @Test
    void aCutWaitsForTheBlocksLentFromTheFile() throws Exception {
        Cartridge c = cartridgeWith(3);
        try (TapeMedium m = c.load()) {
            m.locate(1);
            StoreLoan lent = m.lend(BLOCK);
            // Overwrite from block 1 on: the journal is cut at block 1, which is lent.
            m.locate(1);
            CompletableFuture<Void> overwrite = CompletableFuture.runAsync(() -> {
                try {
                    m.writeBlock(SgList.wrap(TapeMediumTest.block(BLOCK, 99, false)), false);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300);
            assertFalse(overwrite.isDone(), "the cut waits while block 1 is lent");
            assertArrayEquals(TapeMediumTest.block(BLOCK, 1, false), lent.data().toByteArray());
            lent.giveBack().run();
            overwrite.get(10, TimeUnit.SECONDS);
            assertEquals(2, m.endOfData());
            m.locate(1);
            assertArrayEquals(TapeMediumTest.block(BLOCK, 99, false), TapeMediumTest.readBlock(m, BLOCK));
        }
    }

    @Test
    void aCutGivesUpOnALoanNeverGivenBack() throws IOException {
        Cartridge c = cartridgeWith(2);
        try (TapeMedium m = c.load()) {
            StoreLoan lent = m.lend(BLOCK);
            IOException e = assertThrows(IOException.class,
                    () -> LentPages.awaitNone(journal(), Duration.ofMillis(100)));
            assertTrue(e.getMessage().contains("not yet sent"), e.getMessage());
            lent.giveBack().run();
            LentPages.awaitNone(journal(), Duration.ofMillis(100));
        }
    }
}
