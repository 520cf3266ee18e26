package org.lunforge.device.tape;

import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.SenseCode;

/** Every SSC opcode's bad fields, with the field pointer the sense data carries. */
class TapeDecoderTest {
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

    private static byte[] cdb16(int... bytes) {
        byte[] b = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    @Test
    void rewindAndReadBlockLimitsReservedBits() {
        assertInvalidCdbField(h.run(0x01, 0x02, 0, 0, 0, 0), 1, 1);
        assertInvalidCdbField(h.run(0x05, 0x02, 0, 0, 0, 0), 1, 1);
        assertInvalidCdbField(h.run(0x05, 0, 0, 0, 1, 0), 4, 0);
    }

    @Test
    void readSiliWithFixedAndReservedBits() {
        assertInvalidCdbField(h.run(0x08, 0x03, 0, 0, 1, 0), 1, 1);
        assertInvalidCdbField(h.run(0x08, 0x04, 0, 0, 1, 0), 1, 2);
        assertInvalidCdbField(h.run(0x08, 0x01, 0, 0, 1, 0), 1, 0); // FIXED in variable block mode
    }

    @Test
    void writeFields() {
        assertInvalidCdbField(h.out(new byte[512], 0x0A, 0x02, 0, 2, 0, 0), 1, 1);
        assertInvalidCdbField(h.out(new byte[512], 0x0A, 0x01, 0, 0, 1, 0), 1, 0); // FIXED in variable mode
        assertInvalidCdbField(h.run(0x0A, 0x00, 0x90, 0, 0, 0), 2, 7); // 9 MiB: beyond the maximum block length
        assertInvalidCdbField(h.out(new byte[100], 0x0A, 0, 0, 1, 0, 0), 2, 7); // less data than the length
    }

    @Test
    void writeFilemarksSetmarksRefused() {
        assertInvalidCdbField(h.run(0x10, 0x02, 0, 0, 1, 0), 1, 1);
        assertInvalidCdbField(h.run(0x10, 0x04, 0, 0, 1, 0), 1, 2);
    }

    @Test
    void spaceCodes() {
        assertInvalidCdbField(h.space(4, 1), 1, 3); // setmarks
        assertInvalidCdbField(h.space(7, 1), 1, 3);
        assertInvalidCdbField(h.run(0x11, 0x10, 0, 0, 1, 0), 1, 4);
        assertInvalidCdbField(h.raw(cdb16(0x91, 0x05), 0), 1, 3);
        assertInvalidCdbField(h.raw(cdb16(0x91, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1), 0), 12, 7);
        assertInvalidCdbField(h.raw(cdb16(0x91, 0, 1), 0), 2, 0);
    }

    @Test
    void eraseAndLoadUnloadFields() {
        assertInvalidCdbField(h.run(0x19, 0x04, 0, 0, 0, 0), 1, 2);
        assertInvalidCdbField(h.run(0x1B, 0, 0, 0, 0x05, 0), 4, 2); // EOT with LOAD
        assertInvalidCdbField(h.run(0x1B, 0, 0, 0, 0x10, 0), 4, 4);
        assertInvalidCdbField(h.run(0x1B, 0x02, 0, 0, 0x01, 0), 1, 1);
    }

    @Test
    void preventAllowChangerValuesRefused() {
        assertInvalidCdbField(h.run(0x1E, 0, 0, 0, 0x02, 0), 4, 1);
        assertInvalidCdbField(h.run(0x1E, 0, 0, 0, 0x03, 0), 4, 1);
    }

    @Test
    void locateFields() {
        assertInvalidCdbField(h.run(0x2B, 0x02, 0, 0, 0, 0, 0, 0, 1, 0), 8, 7); // CP to partition 1
        assertInvalidCdbField(h.run(0x2B, 0x08, 0, 0, 0, 0, 0, 0, 0, 0), 1, 3);
        assertInvalidCdbField(h.run(0x2B, 0, 1, 0, 0, 0, 0, 0, 0, 0), 2, 0);
        assertInvalidCdbField(h.raw(cdb16(0x92, 0x10), 0), 1, 5); // DEST_TYPE 010b
        assertInvalidCdbField(h.raw(cdb16(0x92, 0, 1), 0), 2, 0); // BAM
        assertInvalidCdbField(h.raw(cdb16(0x92, 0x02, 0, 1), 0), 3, 7);
        assertInvalidCdbField(h.raw(cdb16(0x92, 0, 0, 0, 0x80), 0), 4, 7);
    }

    @Test
    void readPositionServiceActions() {
        assertInvalidCdbField(h.in(32, 0x34, 0x02, 0, 0, 0, 0, 0, 0, 0, 0), 1, 4);
        assertInvalidCdbField(h.in(32, 0x34, 0x1F, 0, 0, 0, 0, 0, 0, 0, 0), 1, 4);
        assertInvalidCdbField(h.in(32, 0x34, 0x20, 0, 0, 0, 0, 0, 0, 0, 0), 1, 5);
    }

    @Test
    void reportDensitySupportReservedBits() {
        assertInvalidCdbField(h.in(64, 0x44, 0x04, 0, 0, 0, 0, 0, 0, 64, 0), 1, 2);
    }

    @Test
    void attributeCommandsFields() {
        assertInvalidCdbField(h.raw(cdb16(0x8C, 0x04), 64), 1, 4);
        assertInvalidCdbField(h.raw(cdb16(0x8C, 0x00, 0, 0, 0, 1), 64), 5, 7);
        assertInvalidCdbField(h.raw(cdb16(0x8C, 0x00, 0, 0, 0, 0, 0, 1), 64), 7, 7);
        assertInvalidCdbField(h.raw(cdb16(0x8C, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), 64), 14, 1);
        assertInvalidCdbField(h.raw(cdb16(0x8D, 0, 0, 0, 0, 1), 0), 5, 7);
        assertInvalidCdbField(h.raw(cdb16(0x8D, 0x02), 0), 1, 1);
    }

    @Test
    void diskOpcodesAreNotTapeOnes() {
        assertCheck(h.run(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), SenseCode.INVALID_COMMAND_OPERATION_CODE);
        assertCheck(h.run(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), SenseCode.INVALID_COMMAND_OPERATION_CODE);
    }
}
