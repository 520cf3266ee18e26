package org.lunforge.device.vtl;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.device.changer.ChangerHarness;
import org.lunforge.device.changer.ElementException;
import org.lunforge.device.changer.ElementStatus;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/** The inventory survives a restart, and a crash at any point of a save leaves the old or the new one, whole. */
class LibraryPersistenceTest {
    @TempDir
    Path dir;

    private static String tagAt(VirtualTapeLibrary library, int address) {
        return library.elementStatus().stream().filter(e -> e.address() == address).findFirst().orElseThrow()
                .volumeTag();
    }

    @Test
    void theFirstStartPlacesTheConfiguredCartridgesCreatingThoseThePoolLacks() {
        ChangerHarness h = ChangerHarness.standard(dir);
        assertTrue(h.pool.exists("LF0001L8"));
        assertEquals(MediaType.LTO8, h.pool.find("LF0004L8").mediaType());
        assertEquals("LF0004L8", tagAt(h.library, SLOT + 3));
        assertTrue(Files.exists(h.stateFolder.resolve("inventory")));
    }

    @Test
    void movementsAndImportsSurviveARestart() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertGood(h.move(n, SLOT, DRIVE));
        assertGood(h.move(n, SLOT + 1, SLOT + 9));
        h.pool.with("LF0005L8");
        h.library.importCartridge("LF0005L8", IE + 1);

        ChangerHarness after = h.restarted();
        assertEquals(h.library.elementStatus(), after.library.elementStatus());
        assertEquals(SLOT, after.library.elementStatus().stream().filter(e -> e.address() == DRIVE).findFirst()
                .orElseThrow().sourceAddress());
        assertEquals(List.of("load LF0001L8"), after.drives.get(0).calls, "the drive still held it: no reload");
    }

    @Test
    void theConfiguredPlacementsCountOnlyOnTheFirstStart() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertGood(h.move(n, SLOT, SLOT + 5));
        ChangerHarness after = h.restarted();
        assertNull(tagAt(after.library, SLOT));
        assertEquals("LF0001L8", tagAt(after.library, SLOT + 5));
    }

    @Test
    void aCrashBeforeTheRenameKeepsTheOldInventory() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        byte[] before = Files.readAllBytes(h.stateFolder.resolve("inventory"));
        // The crash left a half-written temporary file behind.
        Files.write(h.stateFolder.resolve("inventory.tmp"), "lunforge-vtl-inventory 1\n0x0400 LF00".getBytes());
        ChangerHarness after = h.restarted();
        assertEquals("LF0001L8", tagAt(after.library, SLOT));
        assertArrayEquals(before, Files.readAllBytes(h.stateFolder.resolve("inventory")));
        assertFalse(Files.exists(h.stateFolder.resolve("inventory.tmp")), "the unfinished save is discarded");
    }

    @Test
    void aSymlinkPlantedAtTheOldTemporaryNameIsNotFollowed() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        Path victim = Files.write(dir.resolve("victim"), "someone else's file".getBytes());
        Files.createSymbolicLink(h.stateFolder.resolve("inventory.tmp"), victim);
        h.library.move(SLOT, SLOT + 9);
        assertArrayEquals("someone else's file".getBytes(), Files.readAllBytes(victim));
        assertFalse(Files.isSymbolicLink(h.stateFolder.resolve("inventory")));
        ChangerHarness after = h.restarted();
        assertEquals("LF0001L8", tagAt(after.library, SLOT + 9));
    }

    @Test
    void anInventoryLargerThanAnyLibraryIsRefusedUnread() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        Path file = h.stateFolder.resolve("inventory");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB that readAllBytes would try to hold
        }
        IOException e = assertThrows(IOException.class,
                () -> VirtualTapeLibrary.open(h.config, List.copyOf(h.drives), h.pool));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aSaveThatDiesMidwayUndoesTheMovementAndTheRestartSeesTheOldState() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        FakeDrive drive = h.drives.getFirst();
        boolean[] crash = {false};
        InventoryFile crashing = new InventoryFile(h.stateFolder, stage -> {
            if (crash[0] && stage == InventoryFile.Stage.TEMPORARY_WRITTEN) {
                throw new IOException("power lost");
            }
        });
        VirtualTapeLibrary library = VirtualTapeLibraryAccess.openWithFile(h.config, h.drives, h.pool, crashing);
        crash[0] = true;
        ElementException e = assertThrows(ElementException.class, () -> library.move(SLOT, DRIVE));
        assertEquals(ElementException.Reason.INVENTORY_NOT_SAVED, e.reason());
        assertNull(drive.loaded, "the load was undone");
        assertEquals("LF0001L8", tagAt(library, SLOT), "nothing moved in memory either");

        ChangerHarness after = h.restarted();
        assertEquals("LF0001L8", tagAt(after.library, SLOT));
        assertNull(tagAt(after.library, DRIVE));
    }

    @Test
    void aCrashAfterTheRenameKeepsTheNewInventory() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        boolean[] crash = {false};
        InventoryFile crashing = new InventoryFile(h.stateFolder, stage -> {
            if (crash[0] && stage == InventoryFile.Stage.REPLACED) {
                throw new IOException("power lost after the rename");
            }
        });
        VirtualTapeLibrary library = VirtualTapeLibraryAccess.openWithFile(h.config, h.drives, h.pool, crashing);
        crash[0] = true;
        assertThrows(ElementException.class, () -> library.move(SLOT, SLOT + 9));
        // The process died here; what is on disk is the new inventory, and the restart believes it.
        ChangerHarness after = h.restarted();
        assertNull(tagAt(after.library, SLOT));
        assertEquals("LF0001L8", tagAt(after.library, SLOT + 9));
    }

    @Test
    void aDamagedInventoryStopsTheLibraryWithTheFilesName() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        Path file = h.stateFolder.resolve("inventory");
        byte[] b = Files.readAllBytes(file);
        b[30] ^= 0x20;
        Files.write(file, b);
        IOException e = assertThrows(IOException.class,
                () -> VirtualTapeLibrary.open(h.config, List.copyOf(h.drives), h.pool));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void aUnitAttentionTellsInitiatorsOfAnOperatorImportAndNotOfTheirOwnMoves() throws Exception {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus a = h.login("iqn.1994-05.com.redhat:a");
        Nexus b = h.login("iqn.1994-05.com.redhat:b");
        assertGood(h.move(a, SLOT, DRIVE));
        assertEquals(SenseCode.NO_ADDITIONAL_SENSE, h.requestSense(b));
        h.pool.with("LF0005L8");
        h.library.importCartridge("LF0005L8");
        assertCheck(h.move(a, SLOT + 1, SLOT + 5), SenseCode.IMPORT_OR_EXPORT_ELEMENT_ACCESSED);
        assertEquals(SenseCode.IMPORT_OR_EXPORT_ELEMENT_ACCESSED, h.requestSense(b));
        h.library.exportCartridge("LF0005L8");
        assertEquals(SenseCode.IMPORT_OR_EXPORT_ELEMENT_ACCESSED, h.requestSense(a));
    }
}
