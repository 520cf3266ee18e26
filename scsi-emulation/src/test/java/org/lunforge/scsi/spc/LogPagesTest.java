package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

class LogPagesTest {
    private final Harness h = new Harness();
    private final Nexus a = h.login(nexus("iqn.1994-05.com.redhat:a"));

    private RecordingTask logSense(int pc, int page, int sub, int pointer, int alloc) {
        return h.in(a, alloc, 0x4D, 0, (pc << 6) | page, sub, 0, pointer >> 8, pointer & 0xFF, alloc >> 8,
                alloc & 0xFF, 0);
    }

    private RecordingTask logSelect(boolean pcr, int pc, int page, byte[] list) {
        return h.out(a, list, 0x4C, pcr ? 0x02 : 0, (pc << 6) | page, 0, 0, 0, 0, list.length >> 8,
                list.length & 0xFF, 0);
    }

    @Test
    void supportedPagesListsEachPageCodeOnceAscending() {
        byte[] d = logSense(1, 0x00, 0x00, 0, 255).data();
        assertEquals(0x00, d[0] & 0x3F);
        assertArrayEquals(new byte[] {0x00, 0x02, 0x2F}, Arrays.copyOfRange(d, 4, 4 + BigEndian.u16(d, 2)));
    }

    @Test
    void supportedPagesAndSubpagesListsPairs() {
        byte[] d = logSense(1, 0x00, 0xFF, 0, 255).data();
        assertEquals(0x40, d[0] & 0x40); // SPF
        assertEquals(0xFF, d[1] & 0xFF);
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 0xFF, 0x02, 0, 0x2F, 0},
                Arrays.copyOfRange(d, 4, 4 + BigEndian.u16(d, 2)));
    }

    @Test
    void aDevicePageWithParameterPointer() {
        byte[] d = logSense(1, 0x02, 0, 0, 255).data();
        assertEquals(0x82, d[0] & 0xFF); // DS, page 02h
        assertEquals(24, BigEndian.u16(d, 2));
        assertEquals(7, BigEndian.u32(d, 8));
        byte[] fromThree = logSense(1, 0x02, 0, 3, 255).data();
        assertEquals(16, BigEndian.u16(fromThree, 2));
        assertEquals(3, BigEndian.u16(fromThree, 4));
        assertInvalidCdbField(logSense(1, 0x02, 0, 7, 255), 5, 7);
    }

    @Test
    void informationalExceptionsPageReportsNothingWrong() {
        byte[] d = logSense(1, 0x2F, 0, 0, 255).data();
        assertEquals(0, BigEndian.u16(d, 4)); // parameter 0000h
        assertEquals(3, d[7]);
        assertEquals(0, d[8]); // no informational exception ASC
    }

    @Test
    void unknownPageOrSubpagePointsAtItsField() {
        assertInvalidCdbField(logSense(1, 0x0D, 0, 0, 255), 2, 5);
        assertInvalidCdbField(logSense(1, 0x02, 0x01, 0, 255), 3, 7);
    }

    @Test
    void savingAndParameterPointerControlAreRefused() {
        assertInvalidCdbField(h.run(a, 0x4D, 0x01, 0x40, 0, 0, 0, 0, 0, 255, 0), 1, 0);
        assertInvalidCdbField(h.run(a, 0x4D, 0x02, 0x40, 0, 0, 0, 0, 0, 255, 0), 1, 1);
        assertInvalidCdbField(h.run(a, 0x4C, 0x01, 0x40, 0, 0, 0, 0, 0, 0, 0), 1, 0);
    }

    @Test
    void parameterCodeResetResetsTheDevicesCounters() {
        assertGood(logSelect(true, 1, 0, new byte[0]));
        assertEquals(0, h.disk.counter);
        RecordingTask withList = h.out(a, new byte[8], 0x4C, 0x02, 0x40, 0, 0, 0, 0, 0, 8, 0);
        assertInvalidCdbField(withList, 1, 1);
    }

    @Test
    void logSelectHandsParametersToThePage() {
        byte[] list = {0x02, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 42};
        assertGood(logSelect(false, 1, 0, list));
        assertEquals(42, h.disk.counter);
        byte[] refused = {0x02, 0, 0, 8, 0, 3, 0, 4, 0, 0, 0, 1};
        assertInvalidParameter(logSelect(false, 1, 0, refused), 4, -1);
        byte[] unknownPage = {0x0D, 0, 0, 0};
        assertInvalidParameter(logSelect(false, 1, 0, unknownPage), 0, 5);
        byte[] truncated = {0x02, 0, 0, 8, 0, 0, 0, 4, 0};
        assertCheck(logSelect(false, 1, 0, truncated), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
    }
}
