package org.lunforge.device.tape;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.SenseCode;

/** READ, WRITE and WRITE FILEMARKS in variable and fixed block mode, with the sense st reads. */
class StreamCommandsTest {
    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void load() throws IOException {
        h = new TapeHarness(dir);
        h.loadNew("LF0001L8");
    }

    @AfterEach
    void close() {
        h.close();
    }

    static byte[] data(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** MODE SELECT(6) with a block descriptor, as st's MTSETBLK sends it. */
    static void setBlockLength(TapeHarness h, int length) {
        byte[] list = new byte[12];
        list[2] = 0x10; // buffered mode 1
        list[3] = 8;
        BigEndian.put24(list, 9, length);
        assertGood(h.out(list, 0x15, 0x10, 0, 0, 12, 0));
    }

    @Test
    void variableBlocksFrom512BytesTo1MiBRoundTrip() {
        int[] sizes = {512, 1024, 10240, 65536, 262144, 1 << 20, 513, 1};
        for (int i = 0; i < sizes.length; i++) {
            assertGood(h.writeVariable(data(sizes[i], i)));
        }
        assertGood(h.writeFilemarks(1, false));
        assertGood(h.rewind());
        for (int i = 0; i < sizes.length; i++) {
            RecordingTask t = h.readVariable(sizes[i]);
            assertGood(t);
            assertArrayEquals(data(sizes[i], i), t.data(), "block " + i);
        }
        assertStream(h.readVariable(4096), SenseCode.FILEMARK_DETECTED, true, false, false, 4096);
        assertStream(h.readVariable(4096), SenseCode.END_OF_DATA_DETECTED, false, false, false, 4096);
        assertEquals(sizes.length + 1, h.tell(), "EOD stays where it is");
    }

    @Test
    void shorterBlockIsAnIncorrectLengthUnlessSili() {
        h.writeVariable(data(1000, 1));
        h.writeVariable(data(1000, 2));
        h.rewind();
        RecordingTask t = h.readVariable(4000);
        assertStream(t, SenseCode.NO_ADDITIONAL_SENSE, false, false, true, 3000);
        assertEquals(1000, t.response().transferLength());
        assertArrayEquals(data(1000, 1), t.data());
        RecordingTask s = h.readVariableSili(4000);
        assertGood(s);
        assertEquals(1000, s.response().transferLength());
        assertEquals(2, h.tell());
    }

    @Test
    void longerBlockIsAnIncorrectLengthWithNegativeResidueAndPositionAfterIt() {
        h.writeVariable(data(65536, 1));
        h.writeVariable(data(100, 2));
        h.rewind();
        RecordingTask t = h.readVariableSili(10240);
        assertStream(t, SenseCode.NO_ADDITIONAL_SENSE, false, false, true, 10240 - 65536);
        assertEquals(10240, t.response().transferLength());
        assertArrayEquals(Arrays.copyOf(data(65536, 1), 10240), t.data());
        assertEquals(1, h.tell());
        assertArrayEquals(data(100, 2), h.readVariable(100).data());
    }

    @Test
    void filemarkStopsAReadAfterIt() {
        h.writeVariable(data(100, 1));
        h.writeFilemarks(2, false);
        h.writeVariable(data(100, 2));
        h.rewind();
        h.readVariable(100);
        assertStream(h.readVariable(100), SenseCode.FILEMARK_DETECTED, true, false, false, 100);
        assertEquals(2, h.tell());
        assertStream(h.readVariable(100), SenseCode.FILEMARK_DETECTED, true, false, false, 100);
        assertArrayEquals(data(100, 2), h.readVariable(100).data());
    }

    @Test
    void fixedModeWritesAndReadsBlocks() {
        setBlockLength(h, 512);
        byte[] ten = data(5120, 7);
        assertGood(h.writeFixed(ten, 10));
        assertGood(h.writeFilemarks(1, false));
        assertEquals(11, h.tell());
        h.rewind();
        RecordingTask t = h.readFixed(4, 512);
        assertGood(t);
        assertArrayEquals(Arrays.copyOf(ten, 2048), t.data());
        // Six blocks remain before the filemark: a read of 8 returns 6 and the residue 2.
        RecordingTask rest = h.readFixed(8, 512);
        assertStream(rest, SenseCode.FILEMARK_DETECTED, true, false, false, 2);
        assertEquals(3072, rest.response().transferLength());
        assertArrayEquals(Arrays.copyOfRange(ten, 2048, 5120), rest.data());
        assertEquals(11, h.tell());
        assertStream(h.readFixed(1, 512), SenseCode.END_OF_DATA_DETECTED, false, false, false, 1);
    }

    @Test
    void fixedModeIncorrectBlockLength() {
        h.writeVariable(data(512, 1));
        h.writeVariable(data(700, 2));
        h.writeVariable(data(512, 3));
        setBlockLength(h, 512);
        h.rewind();
        RecordingTask t = h.readFixed(3, 512);
        assertStream(t, SenseCode.NO_ADDITIONAL_SENSE, false, false, true, 2);
        assertEquals(512, t.response().transferLength());
        assertEquals(2, h.tell(), "after the incorrect-length block");
    }

    @Test
    void blockLengthAndModeShowInModeSense() {
        setBlockLength(h, 65536);
        RecordingTask t = h.in(12, 0x1A, 0, 0, 0, 12, 0);
        assertGood(t);
        byte[] d = t.data();
        assertEquals(8, d[3]);
        assertEquals(0x5E, d[4] & 0xFF, "LTO-8 density");
        assertEquals(65536, BigEndian.u24(d, 9));
        assertEquals(0x10, d[2] & 0x70, "buffered mode 1");
        setBlockLength(h, 0);
        assertEquals(0, BigEndian.u24(h.in(12, 0x1A, 0, 0, 0, 12, 0).data(), 9));
    }

    @Test
    void blockLengthBeyondTheLimitAndForeignDensityRefused() {
        byte[] list = new byte[12];
        list[3] = 8;
        BigEndian.put24(list, 9, 9 << 20);
        Sensed.field(h.out(list, 0x15, 0x10, 0, 0, 12, 0), 9);
        list = new byte[12];
        list[3] = 8;
        list[4] = 0x40; // LTO-1: not this medium
        Sensed.field(h.out(list, 0x15, 0x10, 0, 0, 12, 0), 4);
    }

    @Test
    void writeInTheMiddleTruncates() {
        for (int i = 0; i < 5; i++) {
            h.writeVariable(data(1000, i));
        }
        assertGood(h.locate10(2));
        assertGood(h.writeVariable(data(10, 99)));
        assertEquals(3, h.tell());
        h.rewind();
        assertGood(h.space(3, 0));
        assertEquals(3, h.tell(), "EOD after the new block");
        h.locate10(2);
        assertArrayEquals(data(10, 99), h.readVariable(10).data());
        assertStream(h.readVariable(10), SenseCode.END_OF_DATA_DETECTED, false, false, false, 10);
    }

    @Test
    void eraseEndsTheDataAtThePosition() {
        for (int i = 0; i < 5; i++) {
            h.writeVariable(data(1000, i));
        }
        h.locate10(3);
        assertGood(h.run(0x19, 0x01, 0, 0, 0, 0));
        h.space(3, 0);
        assertEquals(3, h.tell());
    }

    @Test
    void unbufferedModeIsAccepted() {
        byte[] list = new byte[4];
        list[2] = 0x00; // buffered mode 0
        assertGood(h.out(list, 0x15, 0x10, 0, 0, 4, 0));
        assertEquals(0, h.in(12, 0x1A, 0, 0, 0, 12, 0).data()[2] & 0x70);
        assertGood(h.writeVariable(data(4096, 1)));
        assertFalse(h.drive.medium().unsynced(), "unbuffered: the block is on the medium");
        list[2] = 0x30;
        Sensed.field(h.out(list, 0x15, 0x10, 0, 0, 4, 0), 2);
    }

    /** Field pointer assertions into a MODE SELECT parameter list. */
    static final class Sensed {
        static void field(RecordingTask t, int byteIndex) {
            var s = assertCheck(t, SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
            assertEquals(byteIndex, s.fieldPointer().byteIndex());
            assertFalse(s.fieldPointer().inCdb());
        }
    }
}
