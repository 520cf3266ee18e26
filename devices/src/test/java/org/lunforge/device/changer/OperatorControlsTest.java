package org.lunforge.device.changer;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.device.vtl.LibraryException;
import org.lunforge.device.vtl.OperatorPanel;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/** The operator panel's mail slot door and offline switch, as initiators see them through the changer. */
class OperatorControlsTest {
    @TempDir
    Path dir;
    private ChangerHarness h;
    private OperatorPanel panel;
    private Nexus a;

    @BeforeEach
    void setUp() {
        h = ChangerHarness.standard(dir);
        panel = new OperatorPanel(h.library);
        a = h.login("iqn.1994-05.com.redhat:a");
    }

    /** READ ELEMENT STATUS of the first import/export element: its ACCESS bit (byte 2 bit 3 of the descriptor). */
    private boolean ieAccess() {
        byte[] d = h.readElementStatus(a, 3, false, false, IE, 1, 1024).data();
        int descriptor = 8 + 8;
        return (d[descriptor + 2] & 0x08) != 0;
    }

    @Test
    void anOpenMailSlotIsOutOfReachAndClosingItRaisesImportExportElementAccessed() throws LibraryException {
        assertTrue(ieAccess());
        panel.openMailSlot();
        assertTrue(panel.status().mailSlotOpen());
        assertFalse(ieAccess(), "ACCESS 0 while the door is open");
        assertCheck(h.move(a, SLOT, IE), SenseCode.MEDIUM_MAGAZINE_NOT_ACCESSIBLE);
        assertEquals(SLOT, h.library.elementOf("LF0001L8"), "nothing moved");
        panel.closeMailSlot();
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.IMPORT_OR_EXPORT_ELEMENT_ACCESSED);
        assertTrue(ieAccess());
        assertGood(h.move(a, SLOT, IE));
    }

    @Test
    void theMailSlotStaysShutWhileAnInitiatorPreventsRemoval() {
        assertGood(h.preventAllow(a, true));
        assertThrows(LibraryException.class, panel::openMailSlot);
        assertFalse(panel.status().mailSlotOpen());
        assertGood(h.preventAllow(a, false));
        assertDoesNotThrow(panel::openMailSlot);
    }

    @Test
    void offlineIsNotReadyAndOnlineAgainIsANotReadyToReadyChange() {
        assertTrue(panel.setOnline(false));
        assertFalse(panel.setOnline(false), "offline already");
        assertFalse(panel.status().online());
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.LOGICAL_UNIT_NOT_READY_OFFLINE);
        assertCheck(h.move(a, SLOT, SLOT + 9), SenseCode.LOGICAL_UNIT_NOT_READY_OFFLINE);
        assertCheck(h.readElementStatus(a, 0, true, false, 0, 100, 4096), SenseCode.LOGICAL_UNIT_NOT_READY_OFFLINE);
        assertGood(h.preventAllow(a, false));
        assertTrue(panel.setOnline(true));
        assertCheck(h.run(a, 0x00, 0, 0, 0, 0, 0), SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED);
        assertGood(h.run(a, 0x00, 0, 0, 0, 0, 0));
        assertGood(h.move(a, SLOT, SLOT + 9));
    }
}
