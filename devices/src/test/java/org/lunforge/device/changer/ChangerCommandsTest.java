package org.lunforge.device.changer;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/** INQUIRY and the mode pages of the changer, POSITION TO ELEMENT, INITIALIZE ELEMENT STATUS (with range). */
class ChangerCommandsTest {
    @TempDir
    Path dir;
    private ChangerHarness h;
    private Nexus n;

    @BeforeEach
    void setUp() {
        h = ChangerHarness.standard(dir);
        n = h.login("iqn.1994-05.com.redhat:host");
    }

    @Test
    void inquirySaysMediumChangerRemovableWithTheConfiguredIdentity() {
        RecordingTask t = h.in(n, 96, 0x12, 0, 0, 0, 96, 0);
        assertGood(t);
        byte[] d = t.data();
        assertEquals(0x08, d[0]);
        assertEquals(0x80, d[1] & 0xFF, "RMB");
        assertEquals(0, d[6] & 0x08, "MCHNGR is for drives with an attached changer, not for a changer");
        assertEquals("STK     L700            0107", new String(d, 8, 28, StandardCharsets.US_ASCII));
        boolean smc3 = false;
        for (int p = 58; p < 74; p += 2) {
            smc3 |= BigEndian.u16(d, p) == 0x0480;
        }
        assertTrue(smc3, "version descriptor SMC-3");
    }

    @Test
    void deviceIdentificationCarriesTheLibrarysNaaDesignator() {
        RecordingTask t = h.in(n, 255, 0x12, 1, 0x83, 0, 255, 0);
        assertGood(t);
        byte[] d = t.data();
        assertEquals(0x83, d[1] & 0xFF);
        assertEquals(0x03, d[5] & 0x0F, "first designator: NAA");
        byte[] naa = h.config.changer().logicalUnitIdentity().naa();
        assertArrayEquals(naa, java.util.Arrays.copyOfRange(d, 8, 24));
    }

    @Test
    void elementAddressAssignmentPageAsChAndMtxReadIt() {
        // mtx: MODE SENSE(6), DBD, page 1Dh, allocation 136.
        RecordingTask mtx = h.in(n, 136, 0x1A, 0x08, 0x1D, 0, 136, 0);
        assertGood(mtx);
        byte[] m = mtx.data();
        int page = 4 + m[3];
        assertEquals(0, m[3], "no block descriptor");
        assertArrayEquals(Bytes.of("1d 12 0000 0001 0400 000a 0010 0002 0100 0002 0000").bytes(),
                java.util.Arrays.copyOfRange(m, page, page + 20));
        // Linux ch at LUN 1: LUN bits in byte 1, no DBD, allocation 255; reads buffer[buffer[3] + 6 ...].
        RecordingTask ch = h.in(n, 255, 0x1A, 0x20, 0x1D, 0, 255, 0);
        assertGood(ch);
        byte[] c = ch.data();
        assertEquals(0x0400, BigEndian.u16(c, c[3] + 10));
        assertEquals(10, BigEndian.u16(c, c[3] + 12));
        assertEquals(0x0100, BigEndian.u16(c, c[3] + 18));
        assertEquals(2, BigEndian.u16(c, c[3] + 20));
    }

    @Test
    void transportGeometryAndDeviceCapabilities() {
        RecordingTask t = h.in(n, 255, 0x1A, 0x08, 0x1E, 0, 255, 0);
        assertGood(t);
        assertArrayEquals(Bytes.of("1e 02 00 00").bytes(), java.util.Arrays.copyOfRange(t.data(), 4, 8));
        RecordingTask caps = h.in(n, 255, 0x5A, 0x08, 0x1F, 0, 0, 0, 0, 0, 255, 0); // MODE SENSE(10)
        assertGood(caps);
        assertArrayEquals(Bytes.of("1f 12 0e 00 000e0e0e 00000000 000e0e0e 00000000").bytes(),
                java.util.Arrays.copyOfRange(caps.data(), 8, 28));
        // All pages: control, informational exceptions and the three changer pages.
        RecordingTask all = h.in(n, 255, 0x1A, 0x08, 0x3F, 0, 255, 0);
        assertGood(all);
        assertEquals(4 + 12 + 12 + 20 + 4 + 20, all.data().length); // header, 0Ah, 1Ch, 1Dh, 1Eh, 1Fh
    }

    @Test
    void theChangerPagesCannotBeChanged() {
        RecordingTask t = h.in(n, 255, 0x1A, 0x08, 0x40 | 0x1D, 0, 255, 0); // changeable values
        assertGood(t);
        byte[] c = t.data();
        for (int i = 6; i < 24; i++) {
            assertEquals(0, c[i], "changeable byte " + (i - 4));
        }
    }

    @Test
    void positionToElementChecksItsAddresses() {
        assertGood(h.run(n, 0x2B, 0, 0, 0, 0x00, 0x10, 0, 0, 0, 0));
        assertGood(h.run(n, 0x2B, 0, 0, 0, 0x04, 0x09, 0, 0, 0, 0));
        assertField(h.run(n, 0x2B, 0, 0, 0, 0x04, 0x0A, 0, 0, 0, 0), SenseCode.INVALID_ELEMENT_ADDRESS, 4, 7);
        assertField(h.run(n, 0x2B, 0, 0, 0, 0x00, 0x00, 0, 0, 0, 0), SenseCode.INVALID_ELEMENT_ADDRESS, 4, 7);
        assertField(h.run(n, 0x2B, 0, 0, 0x02, 0x04, 0x00, 0, 0, 0, 0), SenseCode.INVALID_ELEMENT_ADDRESS, 2, 7);
        assertField(h.run(n, 0x2B, 0, 0, 0, 0x04, 0x00, 0, 0, 1, 0), SenseCode.INVALID_FIELD_IN_CDB, 8, 0);
    }

    @Test
    void initializeElementStatusReloadsADriveThatForgotItsCartridge() {
        assertGood(h.move(n, SLOT, DRIVE));
        h.drives.get(0).loaded = null; // the drive lost it (its logical unit was restarted)
        assertGood(h.run(n, 0x07, 0, 0, 0, 0, 0));
        assertEquals("LF0001L8", h.drives.get(0).loaded);
    }

    @Test
    void initializeElementStatusWithRangeChecksOnlyItsElements() {
        assertGood(h.move(n, SLOT, DRIVE));
        assertGood(h.move(n, SLOT + 1, DRIVE + 1));
        h.drives.get(0).loaded = null;
        h.drives.get(1).loaded = null;
        assertGood(h.run(n, 0x37, 0x01, 0x01, 0x01, 0, 0, 0, 1, 0, 0)); // drive 0x0101 only
        assertNull(h.drives.get(0).loaded);
        assertEquals("LF0002L8", h.drives.get(1).loaded);
        assertGood(h.run(n, 0x37, 0x00, 0x01, 0x01, 0, 0, 0, 1, 0, 0)); // RANGE 0: every element
        assertEquals("LF0001L8", h.drives.get(0).loaded);
        assertField(h.run(n, 0x37, 0x01, 0x03, 0x00, 0, 0, 0, 1, 0, 0), SenseCode.INVALID_ELEMENT_ADDRESS, 2, 7);
    }

    @Test
    void anInitializationThatCorrectsTheInventoryTellsTheOtherInitiators() {
        Nexus other = h.login("iqn.1994-05.com.redhat:other");
        h.drives.get(1).loaded = "LF0009L8"; // a cartridge the inventory does not know: put in by hand
        h.pool.with("LF0009L8");
        assertGood(h.run(n, 0x07, 0, 0, 0, 0, 0));
        assertEquals(SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED, h.requestSense(other));
        assertEquals(SenseCode.NO_ADDITIONAL_SENSE, h.requestSense(n));
        assertEquals(DRIVE + 1, h.library.elementOf("LF0009L8"));
    }

    @Test
    void testUnitReadyIsGoodAndReportSupportedOperationCodesListsTheChangerCommands() {
        assertGood(h.run(n, 0x00, 0, 0, 0, 0, 0));
        RecordingTask t = h.in(n, 4096, 0xA3, 0x0C, 0x01, 0xA5, 0, 0, 0, 0, 0x10, 0, 0, 0); // one opcode: MOVE MEDIUM
        assertGood(t);
        byte[] d = t.data();
        assertEquals(0x03, d[1] & 0x07, "SUPPORT: supported as the standard says");
        assertArrayEquals(Bytes.of("a5 e0 ffff ffff ffff 0000 01 c0").bytes(), java.util.Arrays.copyOfRange(d, 4, 16));
    }
}
