package org.lunforge.device.changer;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/** MOVE MEDIUM: the state machine, the drives it loads and unloads, and every refusal with its field pointer. */
class MoveMediumTest {
    @TempDir
    Path dir;
    private ChangerHarness h;
    private Nexus n;

    @BeforeEach
    void setUp() {
        h = ChangerHarness.standard(dir);
        n = h.login("iqn.1994-05.com.redhat:host");
    }

    private ElementStatus status(int address) {
        return h.library.elementStatus().stream().filter(e -> e.address() == address).findFirst().orElseThrow();
    }

    @Test
    void slotToDriveLoadsItAndDriveToSlotUnloadsIt() {
        assertGood(h.move(n, SLOT, DRIVE));
        assertEquals("LF0001L8", h.drives.get(0).loaded);
        assertEquals(List.of("load LF0001L8"), h.drives.get(0).calls);
        assertNull(status(SLOT).volumeTag());
        assertEquals("LF0001L8", status(DRIVE).volumeTag());
        assertEquals(SLOT, status(DRIVE).sourceAddress());

        assertGood(h.move(n, DRIVE, SLOT + 9));
        assertNull(h.drives.get(0).loaded);
        assertEquals(List.of("load LF0001L8", "unload LF0001L8"), h.drives.get(0).calls);
        // The source a slot remembers is the last storage element, not the drive it came through.
        assertEquals(SLOT, status(SLOT + 9).sourceAddress());
    }

    @Test
    void driveToDriveUnloadsThenLoads() {
        assertGood(h.move(n, SLOT + 1, DRIVE));
        assertGood(h.move(n, DRIVE, DRIVE + 1));
        assertNull(h.drives.get(0).loaded);
        assertEquals("LF0002L8", h.drives.get(1).loaded);
        assertEquals(SLOT + 1, status(DRIVE + 1).sourceAddress());
    }

    @Test
    void theTransportAddressMayBeZeroOrOurs() {
        assertGood(h.run(n, 0xA5, 0, 0, 0, 0x04, 0x00, 0x04, 0x09, 0, 0, 0, 0));
        assertField(h.run(n, 0xA5, 0, 0, 0x01, 0x04, 0x09, 0x04, 0x08, 0, 0, 0, 0), SenseCode.INVALID_ELEMENT_ADDRESS,
                2, 7);
    }

    @Test
    void sourceEqualToDestinationIsAllowedWhenFull() {
        assertGood(h.move(n, SLOT, SLOT));
        assertEquals("LF0001L8", status(SLOT).volumeTag());
        assertField(h.move(n, SLOT + 5, SLOT + 5), SenseCode.MEDIUM_SOURCE_ELEMENT_EMPTY, 4, 7);
    }

    @Test
    void emptySourceFullDestinationAndInvalidAddresses() throws IOException {
        byte[] before = Files.readAllBytes(h.stateFolder.resolve("inventory"));
        assertField(h.move(n, SLOT + 5, SLOT + 6), SenseCode.MEDIUM_SOURCE_ELEMENT_EMPTY, 4, 7);
        assertField(h.move(n, DRIVE, SLOT), SenseCode.MEDIUM_SOURCE_ELEMENT_EMPTY, 4, 7);
        assertField(h.move(n, SLOT, SLOT + 1), SenseCode.MEDIUM_DESTINATION_ELEMENT_FULL, 6, 7);
        assertField(h.move(n, 0x0300, SLOT), SenseCode.INVALID_ELEMENT_ADDRESS, 4, 7);
        assertField(h.move(n, SLOT, SLOT + 10), SenseCode.INVALID_ELEMENT_ADDRESS, 6, 7);
        assertField(h.move(n, SLOT, 0x0012), SenseCode.INVALID_ELEMENT_ADDRESS, 6, 7);
        // The medium transport holds no cartridge between commands: it is neither source nor destination.
        assertField(h.move(n, TRANSPORT, SLOT + 5), SenseCode.INVALID_ELEMENT_ADDRESS, 4, 7);
        assertField(h.move(n, SLOT, TRANSPORT), SenseCode.INVALID_ELEMENT_ADDRESS, 6, 7);
        assertArrayEquals(before, Files.readAllBytes(h.stateFolder.resolve("inventory")), "nothing saved");
        assertTrue(h.drives.get(0).calls.isEmpty());
    }

    @Test
    void aDriveWhoseRemovalIsPreventedKeepsItsCartridge() {
        assertGood(h.move(n, SLOT, DRIVE));
        h.drives.get(0).prevented = true; // st has /dev/nst0 open
        assertField(h.move(n, DRIVE, SLOT), SenseCode.MEDIUM_REMOVAL_PREVENTED, 4, 7);
        assertEquals("LF0001L8", h.drives.get(0).loaded);
        assertEquals("LF0001L8", status(DRIVE).volumeTag());
        h.drives.get(0).prevented = false;
        assertGood(h.move(n, DRIVE, SLOT));
    }

    @Test
    void aLoadThatFailsMovesNothing() {
        h.drives.get(0).failLoad = new IOException("no such cartridge file");
        assertCheck(h.move(n, SLOT, DRIVE), SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
        assertEquals("LF0001L8", status(SLOT).volumeTag());
        assertNull(status(DRIVE).volumeTag());
        assertNull(h.drives.get(0).loaded);
    }

    @Test
    void anUnloadThatFailsMovesNothing() {
        assertGood(h.move(n, SLOT, DRIVE));
        h.drives.get(0).failUnload = new IOException("flush failed");
        assertCheck(h.move(n, DRIVE, SLOT), SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
        assertEquals("LF0001L8", status(DRIVE).volumeTag());
        assertEquals("LF0001L8", h.drives.get(0).loaded);
    }

    @Test
    void aLoadThatFailsAfterAnUnloadPutsTheFirstCartridgeBack() {
        assertGood(h.move(n, SLOT, DRIVE));
        h.drives.get(1).failLoad = new IOException("drive 1 broken");
        assertCheck(h.move(n, DRIVE, DRIVE + 1), SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
        assertEquals("LF0001L8", h.drives.get(0).loaded, "undone: reloaded into the first drive");
        assertEquals(List.of("load LF0001L8", "unload LF0001L8", "load LF0001L8"), h.drives.get(0).calls);
        assertEquals("LF0001L8", status(DRIVE).volumeTag());
    }

    @Test
    void theUnitAttentionOfOneInitiatorDoesNotStopAnothersMove() {
        Nexus other = nexus("iqn.1994-05.com.redhat:other");
        assertCheck(h.move(other, SLOT, DRIVE), SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertGood(h.move(other, SLOT, DRIVE));
    }
}
