package org.lunforge.device.changer;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.device.vtl.LibraryException;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/**
 * PREVENT ALLOW MEDIUM REMOVAL locks the import/export elements: no cartridge may be moved into them, and the operator
 * may neither import nor export; the medium transport may still take cartridges out of them into the library.
 */
class PreventAllowTest {
    @TempDir
    Path dir;
    private ChangerHarness h;
    private Nexus a;
    private Nexus b;

    @BeforeEach
    void setUp() throws Exception {
        h = ChangerHarness.standard(dir);
        h.pool.with("LF0005L8");
        a = h.login("iqn.1994-05.com.redhat:a");
        b = h.login("iqn.1994-05.com.redhat:b");
        h.library.importCartridge("LF0005L8", IE);
        h.requestSense(a);
        h.requestSense(b);
    }

    @Test
    void movesIntoAMailSlotAreRefusedWhilePrevented() {
        assertGood(h.preventAllow(a, true));
        assertField(h.move(a, SLOT, IE + 1), SenseCode.MEDIUM_REMOVAL_PREVENTED, 6, 7);
        assertField(h.move(b, SLOT, IE + 1), SenseCode.MEDIUM_REMOVAL_PREVENTED, 6, 7);
        // Taking a cartridge out of a mail slot into the library removes nothing from it.
        assertGood(h.move(a, IE, SLOT + 9));
        assertGood(h.preventAllow(a, false));
        assertGood(h.move(a, SLOT, IE + 1));
    }

    @Test
    void operatorAccessIsRefusedWhilePrevented() throws Exception {
        assertGood(h.preventAllow(a, true));
        LibraryException export = assertThrows(LibraryException.class, () -> h.library.exportCartridge(IE));
        assertTrue(export.getMessage().contains("locked"), export.getMessage());
        h.pool.with("LF0006L8");
        assertThrows(LibraryException.class, () -> h.library.importCartridge("LF0006L8", IE + 1));
        assertGood(h.preventAllow(a, false));
        assertEquals("LF0005L8", h.library.exportCartridge(IE).barcode());
    }

    @Test
    void removalStaysPreventedUntilEveryNexusThatPreventedItAllows() {
        assertGood(h.preventAllow(a, true));
        assertGood(h.preventAllow(b, true));
        assertGood(h.preventAllow(a, false));
        assertTrue(h.library.importExportLocked());
        assertGood(h.preventAllow(b, false));
        assertFalse(h.library.importExportLocked());
        // ALLOW from a nexus that never prevented changes nothing.
        assertGood(h.preventAllow(a, true));
        assertGood(h.preventAllow(b, false));
        assertTrue(h.library.importExportLocked());
    }

    @Test
    void nexusLossAndLogicalUnitResetEndThePrevention() {
        assertGood(h.preventAllow(a, true));
        assertGood(h.preventAllow(b, true));
        h.lu.nexusLost(a);
        assertTrue(h.library.importExportLocked());
        h.lu.nexusLost(b);
        assertFalse(h.library.importExportLocked());
        Nexus c = h.login("iqn.1994-05.com.redhat:c");
        assertGood(h.preventAllow(c, true));
        h.lu.reset(c);
        assertFalse(h.library.importExportLocked());
    }

    @Test
    void preventUnderAnotherNexussReservationConflictsAllowDoesNot() {
        assertGood(h.run(a, 0x16, 0, 0, 0, 0, 0)); // RESERVE(6)
        assertEquals(org.lunforge.scsi.ScsiStatus.RESERVATION_CONFLICT, h.preventAllow(b, true).response().status());
        assertGood(h.preventAllow(b, false));
    }
}
