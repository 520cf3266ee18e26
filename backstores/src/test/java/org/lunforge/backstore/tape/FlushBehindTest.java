package org.lunforge.backstore.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.backstore.tape.TapeMediumTest.block;
import static org.lunforge.backstore.tape.TapeMediumTest.readBlock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.SgList;

/**
 * The journal's flush-behind: records become durable in the background once enough lie beyond what is durable, a
 * background fdatasync begun before a truncation does not vouch for what was written after it, and the crash rule
 * holds with it. The background is an executor the test holds: each fdatasync runs when the test says.
 */
class FlushBehindTest {
    private static final int BLOCK = 100_000;
    private static final long RECORD = TapeMedium.OVERHEAD + BLOCK;

    @TempDir
    Path dir;

    private final Queue<Runnable> held = new ArrayDeque<>();

    private Cartridge cartridge() throws IOException {
        return FileCartridgeStore.open(dir.resolve("pool")).create(CartridgeSpec.ofBarcode("LF0001L8"));
    }

    private void runHeld() {
        while (!held.isEmpty()) {
            held.remove().run();
        }
    }

    @Test
    void simple() throws IOException {
        try (TapeMedium m = cartridge().load(1L << 30, 1L << 30, 64 << 10, held::add)) {
            m.writeBlock(SgList.wrap(block(BLOCK, 0, false)), false);
            assertEquals(1, held.size(), "a record beyond the flush-behind distance starts a background fdatasync");
            m.writeBlock(SgList.wrap(block(BLOCK, 1, false)), false);
            assertEquals(1, held.size(), "one background fdatasync at a time");
            assertEquals(2 * RECORD, m.bufferedBytes());
            runHeld();
            // The fdatasync covers what was appended when it started: the first record.
            assertEquals(RECORD, m.bufferedBytes());
            assertTrue(m.unsynced());
            m.writeBlock(SgList.wrap(block(BLOCK, 2, false)), false);
            runHeld();
            assertFalse(m.unsynced(), "durable without a sync");
            assertEquals(0, m.bufferedBytes());
        }
    }

    @Test
    void belowTheDistance() throws IOException {
        try (TapeMedium m = cartridge().load(1L << 30, 1L << 30, 1 << 20, held::add)) {
            m.writeBlock(SgList.wrap(block(BLOCK, 0, false)), false);
            assertTrue(held.isEmpty());
            assertTrue(m.unsynced());
            m.sync();
            assertFalse(m.unsynced());
        }
    }

    @Test
    void truncationVoidsAnEarlierFlush() throws IOException {
        try (TapeMedium m = cartridge().load(1L << 30, 1L << 30, 64 << 10, held::add)) {
            m.writeBlock(SgList.wrap(block(BLOCK, 0, false)), false);
            runHeld();
            m.writeBlock(SgList.wrap(block(BLOCK, 1, false)), false);
            assertEquals(1, held.size(), "a background fdatasync of block 1, held");
            m.locate(1);
            // Truncates after block 0 (durably), then appends a record of the same length as the one it replaced.
            m.writeBlock(SgList.wrap(block(BLOCK, 7, false)), false);
            assertEquals(RECORD, m.bufferedBytes());
            // The fdatasync started before the truncation ends now: its journal end is the new end by coincidence,
            // but it did not cover the new record.
            runHeld();
            assertEquals(RECORD, m.bufferedBytes(), "a flush of the old tail vouched for the new one");
            m.writeBlock(SgList.wrap(block(BLOCK, 8, false)), false);
            runHeld();
            assertEquals(0, m.bufferedBytes(), "flush-behind goes on after the truncation");
            m.rewind();
            assertArrayEquals(block(BLOCK, 0, false), readBlock(m, BLOCK));
            assertArrayEquals(block(BLOCK, 7, false), readBlock(m, BLOCK));
            assertArrayEquals(block(BLOCK, 8, false), readBlock(m, BLOCK));
            assertTrue(m.atEndOfData());
        }
    }

    @Test
    void crashAfterFlushBehind() throws IOException {
        // The shared flusher, for real: a copy taken after a filemark's sync holds every block, whole.
        Cartridge c = cartridge();
        Path copy = Files.createDirectories(dir.resolve("crashed"));
        try (TapeMedium m = c.load(1L << 30, 1L << 30, 64 << 10, null)) {
            for (int i = 0; i < 40; i++) {
                m.writeBlock(SgList.wrap(block(BLOCK, i, i % 3 == 0)), i % 3 == 0);
            }
            m.writeFilemark();
            m.sync();
            assertFalse(m.unsynced());
            Files.copy(c.journalPath(), copy.resolve("LF0001L8.tape"), StandardCopyOption.REPLACE_EXISTING);
        }
        Cartridge crashed = FileCartridgeStore.open(copy).cartridge("LF0001L8");
        try (TapeMedium m = crashed.load()) {
            assertEquals(41, m.endOfData());
            for (int i = 0; i < 40; i++) {
                assertArrayEquals(block(BLOCK, i, i % 3 == 0), readBlock(m, BLOCK), "block " + i);
            }
        }
    }
}
