package org.lunforge.device.tape;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.StreamCommandsTest.data;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.SenseCode;

/**
 * SPACE, LOCATE and READ POSITION over a tape laid out as three tar archives: objects 0..2 blocks, 3 filemark,
 * 4..7 blocks, 8 filemark, 9 filemark (an empty file), 10..11 blocks, 12 filemark, EOD at 13.
 */
class PositioningTest {
    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void layOut() throws IOException {
        h = new TapeHarness(dir);
        h.loadNew("LF0001L8");
        int[] layout = {0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1};
        for (int i = 0; i < layout.length; i++) {
            assertGood(layout[i] == 1 ? h.writeFilemarks(1, false) : h.writeVariable(data(100 + i, i)));
        }
        assertGood(h.rewind());
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void spaceBlocksForwardStopsAfterAFilemark() {
        assertGood(h.space(0, 2));
        assertEquals(2, h.tell());
        assertStream(h.space(0, 5), SenseCode.FILEMARK_DETECTED, true, false, false, 4);
        assertEquals(4, h.tell());
        assertGood(h.space(0, 4));
        assertEquals(8, h.tell());
    }

    @Test
    void spaceBlocksBackwardStopsBeforeAFilemarkAndAtBop() {
        h.locate10(7);
        assertGood(h.space(0, -3));
        assertEquals(4, h.tell());
        assertStream(h.space(0, -2), SenseCode.FILEMARK_DETECTED, true, false, false, 2);
        assertEquals(3, h.tell(), "on the BOP side of the filemark");
        h.locate10(2);
        assertStream(h.space(0, -5), SenseCode.BEGINNING_OF_PARTITION_MEDIUM_DETECTED, false, true, false, 3);
        assertEquals(0, h.tell());
    }

    @Test
    void spaceBlocksIntoEod() {
        h.locate10(10);
        assertStream(h.space(0, 5), SenseCode.FILEMARK_DETECTED, true, false, false, 3);
        assertStream(h.space(0, 1), SenseCode.END_OF_DATA_DETECTED, false, false, false, 1);
        assertEquals(13, h.tell());
    }

    @Test
    void spaceFilemarksBothWays() {
        assertGood(h.space(1, 1));
        assertEquals(4, h.tell());
        assertGood(h.space(1, 2));
        assertEquals(10, h.tell());
        assertGood(h.space(1, -1));
        assertEquals(9, h.tell(), "BOP side of the filemark");
        assertGood(h.space(1, -2));
        assertEquals(3, h.tell());
        assertStream(h.space(1, -2), SenseCode.BEGINNING_OF_PARTITION_MEDIUM_DETECTED, false, true, false, 2);
        assertEquals(0, h.tell());
        assertStream(h.space(1, 6), SenseCode.END_OF_DATA_DETECTED, false, false, false, 2);
        assertEquals(13, h.tell());
    }

    @Test
    void mtBsfThenFsfAsStDoesIt() {
        // "mt eod" (SPACE filemarks 0x7fffff hits EOD first), then "mt bsf 2", "mt fsf 1"
        assertStream(h.space(1, 0x7FFFFF), SenseCode.END_OF_DATA_DETECTED, false, false, false, 0x7FFFFF - 4);
        assertGood(h.space(1, -2));
        assertEquals(9, h.tell());
        assertGood(h.space(1, 1));
        assertEquals(10, h.tell());
    }

    @Test
    void sequentialFilemarksAndEndOfData() {
        assertGood(h.space(2, 2));
        assertEquals(10, h.tell(), "after the pair 8, 9");
        assertGood(h.space(2, -2));
        assertEquals(8, h.tell());
        assertCheck(h.space(2, 3), SenseCode.END_OF_DATA_DETECTED);
        assertGood(h.space(3, 0));
        assertEquals(13, h.tell());
        assertGood(h.space16(3, 0));
        assertGood(h.space16(1, -4));
        assertEquals(3, h.tell());
        assertStream(h.space16(0, 1), SenseCode.FILEMARK_DETECTED, true, false, false, 1);
        assertEquals(4, h.tell());
    }

    @Test
    void locateAndReadPositionRoundTripInAllForms() {
        for (long target : new long[] {0, 5, 9, 12, 13, 3}) {
            assertGood(h.locate10(target));
            RecordingTask s = h.readPosition(0, 0);
            assertGood(s);
            byte[] d = s.data();
            assertEquals(20, d.length);
            assertEquals(target == 0, (d[0] & 0x80) != 0, "BOP");
            assertEquals(0, d[0] & 0x04, "LOLU");
            assertEquals(target, BigEndian.u32(d, 4));
            assertEquals(target, BigEndian.u32(d, 8));

            byte[] l = h.readPosition(6, 0).data();
            assertEquals(32, l.length);
            assertEquals(target == 0, (l[0] & 0x80) != 0);
            assertEquals(0, BigEndian.u32(l, 4), "partition");
            assertEquals(target, BigEndian.s64(l, 8), "logical object number");
            long files = target <= 3 ? 0 : target <= 8 ? 1 : target <= 9 ? 2 : target <= 12 ? 3 : 4;
            assertEquals(files, BigEndian.s64(l, 16), "logical file identifier at " + target);

            byte[] e = h.readPosition(8, 32).data();
            assertEquals(32, e.length);
            assertEquals(0x1C, BigEndian.u16(e, 2));
            assertEquals(target, BigEndian.s64(e, 8));
            assertEquals(target, BigEndian.s64(e, 16));
        }
        assertEquals(16, h.readPosition(8, 16).data().length, "extended form honours the allocation length");
    }

    @Test
    void readAfterLocateReadsThatObject() {
        h.locate10(5);
        assertArrayEquals(data(105, 5), h.readVariable(105).data());
        h.locate16(0, 11);
        assertArrayEquals(data(111, 11), h.readVariable(111).data());
    }

    @Test
    void locate16ToFilesAndEod() {
        assertGood(h.locate16(1, 1));
        assertEquals(4, h.tell());
        assertGood(h.locate16(1, 3));
        assertEquals(10, h.tell());
        assertGood(h.locate16(1, 0));
        assertEquals(0, h.tell());
        assertGood(h.locate16(3, 0));
        assertEquals(13, h.tell());
        assertCheck(h.locate16(1, 9), SenseCode.END_OF_DATA_DETECTED);
        assertEquals(13, h.tell());
    }

    @Test
    void locateBeyondEodEndsAtEod() {
        assertCheck(h.locate10(100), SenseCode.END_OF_DATA_DETECTED);
        assertEquals(13, h.tell());
    }

    @Test
    void rewindReturnsToBop() {
        h.locate10(7);
        assertGood(h.rewind());
        assertEquals(0, h.tell());
        assertGood(h.run(0x01, 0x01, 0, 0, 0, 0)); // IMMED
    }

    @Test
    void positionSurvivesReloadOfTheCartridge() throws IOException {
        var c = h.drive.unload();
        h.drive.load(c);
        h.clearAttentions(h.nexus);
        assertEquals(0, h.tell());
        assertGood(h.space(3, 0));
        assertEquals(13, h.tell());
    }
}
