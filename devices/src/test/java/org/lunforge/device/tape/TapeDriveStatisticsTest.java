package org.lunforge.device.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.CompressionAndPagesTest.text;
import static org.lunforge.device.tape.TapeHarness.assertGood;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drive's running totals: they only grow, across loads, unlike the log pages' counters. */
class TapeDriveStatisticsTest {
    @TempDir
    Path dir;
    TapeHarness h;

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void blocksBytesFilemarksAndMountsAccumulateAcrossLoads() throws IOException {
        h = new TapeHarness(dir);
        TapeDriveStatistics s = h.drive.statistics();
        assertEquals(1.0, s.compressionRatio());
        h.loadNew("LF0001L8");
        byte[] block = text(64 * 1024, 1); // repetitive text: compresses
        assertGood(h.writeVariable(block));
        assertGood(h.writeVariable(block));
        assertGood(h.writeFilemarks(2, false));
        assertGood(h.rewind());
        assertGood(h.readVariable(block.length));
        assertEquals(2, s.blocksWritten());
        assertEquals(2L * block.length, s.hostBytesWritten());
        assertEquals(2, s.filemarksWritten());
        assertEquals(1, s.blocksRead());
        assertEquals(block.length, s.hostBytesRead());
        assertEquals(1, s.mounts());
        assertTrue(s.mediumBytesWritten() < s.hostBytesWritten(), "compressed: " + s.mediumBytesWritten());
        assertTrue(s.compressionRatio() > 1.0, "ratio " + s.compressionRatio());

        h.drive.unload();
        h.loadNew("LF0002L8");
        assertEquals(2, s.mounts());
        assertEquals(2, s.blocksWritten(), "a load resets the log pages, not the totals");
    }
}
