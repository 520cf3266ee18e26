package org.lunforge.device.vtl;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.device.changer.ChangerHarness;
import org.lunforge.device.changer.ElementStatus;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/** At start the inventory and what the drives report are made to agree (see VirtualTapeLibrary.reconcile). */
class ReconcileTest {
    @TempDir
    Path dir;

    private static ElementStatus at(VirtualTapeLibrary library, int address) {
        return library.elementStatus().stream().filter(e -> e.address() == address).findFirst().orElseThrow();
    }

    @Test
    void aDriveThatForgotItsCartridgeOverARestartIsLoadedAgain() {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertGood(h.move(n, SLOT + 2, DRIVE + 1));
        h.drives.get(1).loaded = null; // the drive's logical unit restarted empty
        ChangerHarness after = h.restarted();
        assertEquals("LF0003L8", after.drives.get(1).loaded);
        assertEquals("LF0003L8", at(after.library, DRIVE + 1).volumeTag());
    }

    @Test
    void aMoveOutOfADriveThatCrashedBeforeItsSaveLeavesTheCartridgeInTheDrive() {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertGood(h.move(n, SLOT, DRIVE));
        h.drives.getFirst().loaded = null; // unloaded, then the daemon died before saving the move
        ChangerHarness after = h.restarted();
        assertEquals("LF0001L8", after.drives.getFirst().loaded);
        assertEquals("LF0001L8", at(after.library, DRIVE).volumeTag());
    }

    @Test
    void aMoveIntoADriveThatCrashedBeforeItsSaveIsUndone() {
        ChangerHarness h = ChangerHarness.standard(dir);
        h.drives.getFirst().loaded = "LF0001L8"; // loaded, then the daemon died: the inventory still has it in slot 1
        ChangerHarness after = h.restarted();
        assertNull(after.drives.getFirst().loaded);
        assertEquals("LF0001L8", at(after.library, SLOT).volumeTag());
        assertNull(at(after.library, DRIVE).volumeTag());
    }

    @Test
    void aCartridgeTheInventoryDoesNotKnowIsAdoptedWhereTheDriveHasIt() {
        ChangerHarness h = ChangerHarness.standard(dir);
        h.pool.with("LF0007L8");
        h.drives.get(1).loaded = "LF0007L8";
        ChangerHarness after = h.restarted();
        ElementStatus drive = at(after.library, DRIVE + 1);
        assertEquals("LF0007L8", drive.volumeTag());
        assertEquals(-1, drive.sourceAddress(), "where it came from is not known");
        assertTrue(after.drives.get(1).calls.isEmpty());
    }

    @Test
    void aRecordedCartridgeDisplacedByTheDrivesOwnGoesBackToItsSlot() {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertGood(h.move(n, SLOT + 3, DRIVE));
        h.pool.with("LF0007L8");
        h.drives.getFirst().loaded = "LF0007L8";
        ChangerHarness after = h.restarted();
        assertEquals("LF0007L8", at(after.library, DRIVE).volumeTag());
        assertEquals("LF0004L8", at(after.library, SLOT + 3).volumeTag());
    }

    @Test
    void aDriveThatCannotBeReloadedIsReportedWithExcept() {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertGood(h.move(n, SLOT, DRIVE));
        h.drives.getFirst().loaded = null;
        h.drives.getFirst().failLoad = new IOException("cartridge file missing");
        ChangerHarness after = h.restarted();
        ElementStatus drive = at(after.library, DRIVE);
        assertEquals("LF0001L8", drive.volumeTag(), "the inventory keeps it: the medium transport can take it out");
        assertEquals(SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED, drive.exception());
        // Taking it out (the drive is empty, so the unload gives nothing) clears the exception.
        Nexus m = after.login("iqn.1994-05.com.redhat:host");
        assertGood(after.move(m, DRIVE, SLOT));
        assertNull(at(after.library, DRIVE).exception());
    }

    @Test
    void theOperatorsReinitializeTellsEveryInitiatorWhenTheInventoryChanged() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertFalse(h.library.reinitialize());
        assertEquals(SenseCode.NO_ADDITIONAL_SENSE, h.requestSense(n));
        h.pool.with("LF0007L8");
        h.drives.getFirst().loaded = "LF0007L8";
        assertTrue(h.library.reinitialize());
        assertEquals(SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED, h.requestSense(n));
        assertEquals(DRIVE, h.library.elementOf("LF0007L8"));
    }

    @Test
    void cartridgesInElementsTheLayoutNoLongerHasGoBackToTheShelf(@TempDir Path other) throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertGood(h.move(n, SLOT + 3, SLOT + 9));
        ChangerHarness smaller = new ChangerHarness(dir, h.pool, h.drives, 5, 2, h.config.cartridges());
        assertEquals(-1, smaller.library.elementOf("LF0004L8"));
        assertTrue(smaller.library.shelf().contains(Volume.of("LF0004L8")));
        assertEquals(List.of(SLOT, SLOT + 1, SLOT + 2), List.of(smaller.library.elementOf("LF0001L8"),
                smaller.library.elementOf("LF0002L8"), smaller.library.elementOf("LF0003L8")));
    }
}
