package org.lunforge.device.vtl;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.tape.FileCartridgeStore;
import org.lunforge.device.changer.ElementLayout;
import org.lunforge.device.tape.TapeDrive;
import org.lunforge.device.tape.TapeDriveModel;

/** The library over real tape drives and a real cartridge pool: what the adapters promise the library. */
class RealDriveLibraryTest {
    @TempDir
    Path dir;

    private LibraryConfig config() {
        return new LibraryConfig("lib0", dir.resolve("pool"), dir.resolve("state"),
                LibraryConfig.ChangerIdentity.stkL700(UUID.nameUUIDFromBytes("lib0".getBytes())),
                List.of(new LibraryConfig.DriveConfig("drive0", 1), new LibraryConfig.DriveConfig("drive1", 2)), 4, 1,
                List.of(new LibraryConfig.CartridgePlacement("LF0001L8", MediaType.LTO8, 1),
                        new LibraryConfig.CartridgePlacement("LF0002LY", MediaType.LTO8, 2)), null);
    }

    private record Opened(VirtualTapeLibrary library, TapeDrive[] drives, FileCartridgeStore pool) implements AutoCloseable {
        @Override
        public void close() {
            for (TapeDrive d : drives) {
                d.close();
            }
        }
    }

    private Opened open() throws IOException {
        LibraryConfig config = config();
        FileCartridgeStore pool = FileCartridgeStore.open(config.poolFolder());
        TapeDrive[] drives = {new TapeDrive(TapeDriveModel.IBM_LTO8, "SN0"), new TapeDrive(TapeDriveModel.IBM_LTO8,
                "SN1")};
        List<DataTransferDevice> elements = List.of(new TapeDriveElement(drives[0], pool),
                new TapeDriveElement(drives[1], pool));
        return new Opened(VirtualTapeLibrary.open(config, elements, new StoreCartridgePool(pool, 64L << 20)), drives,
                pool);
    }

    @Test
    void moveIntoADriveLoadsItAndOutUnloadsIt() throws IOException {
        try (Opened o = open()) {
            ElementLayout layout = o.library().layout();
            int slot1 = layout.storage().address(0);
            int slot3 = layout.storage().address(2);
            int drive0 = layout.dataTransfer().address(0);
            assertTrue(o.pool().exists("LF0001L8"), "placed cartridges are created in the pool");
            assertTrue(o.pool().cartridge("LF0002LY").worm(), "an LY barcode is an LTO-8 WORM cartridge");

            o.library().move(slot1, drive0);
            assertEquals("LF0001L8", o.drives()[0].cartridge().barcode());
            assertTrue(o.drives()[0].isReady());

            o.library().move(drive0, slot3);
            assertNull(o.drives()[0].cartridge());
            assertEquals(slot3, o.library().elementOf("LF0001L8"));
        }
        try (Opened again = open()) {
            assertEquals(again.library().layout().storage().address(2), again.library().elementOf("LF0001L8"),
                    "the inventory survives a restart");
        }
    }

    @Test
    void poolStoresCleaningCartridgesAndRefusesMismatchedTypes() throws IOException {
        StoreCartridgePool pool = new StoreCartridgePool(FileCartridgeStore.open(dir.resolve("p")), 0);
        assertEquals(new Volume("CLN001L1", MediaType.CLEANING), pool.create("CLN001L1", MediaType.CLEANING));
        assertTrue(pool.store().cartridge("CLN001L1").cleaning());
        assertThrows(IOException.class, () -> pool.create("CLN002CU", MediaType.LTO8));
        assertThrows(IOException.class, () -> pool.create("LF0009L8", MediaType.LTO9));
        assertEquals(new Volume("LF0009L9", MediaType.LTO9), pool.create("LF0009L9", MediaType.LTO9));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> pool.create("LF0009L9", MediaType.LTO9));
        assertEquals(List.of(new Volume("CLN001L1", MediaType.CLEANING), new Volume("LF0009L9", MediaType.LTO9)),
                pool.list());
    }

    /** A cleaning cartridge moved into a drive cleans it; the panel injects faults into the drive by its name. */
    @Test
    void cleaningThroughTheChangerAndFaultsThroughThePanel() throws Exception {
        try (Opened o = open()) {
            ElementLayout layout = o.library().layout();
            OperatorPanel panel = new OperatorPanel(o.library());
            o.drives()[0].setCleaningInterval(1);
            o.library().createCartridge("CLN001CU", MediaType.CLEANING);
            o.library().importCartridge("CLN001CU", layout.importExport().address(0));
            o.library().move(layout.importExport().address(0), layout.storage().address(3));
            o.library().move(layout.storage().address(0), layout.dataTransfer().address(0));
            o.drives()[0].medium().writeBlock(org.lunforge.scsi.SgList.wrap(new byte[100]), false);
            o.library().move(layout.dataTransfer().address(0), layout.storage().address(0));
            assertTrue(panel.driveStatus("drive0").cleaningRequired());
            assertTrue(panel.driveStatus("drive0").tapeAlertFlags().contains(20), "CLEAN NOW");

            o.library().move(layout.storage().address(3), layout.dataTransfer().address(0));
            OperatorPanel.DriveStatus cleaned = panel.driveStatus("drive0");
            assertFalse(cleaned.cleaningRequired());
            assertEquals(1, cleaned.cleanings());
            assertEquals(49, o.pool().cartridge("CLN001CU").cleaningUsesLeft());
            o.library().move(layout.dataTransfer().address(0), layout.storage().address(3));

            assertEquals(20, panel.injectTapeAlert("drive1", "clean_now"));
            panel.injectMediumError("drive1");
            OperatorPanel.DriveStatus faulty = panel.driveStatus("drive1");
            assertTrue(faulty.mediumErrorInjected());
            assertEquals(List.of(20), faulty.tapeAlertFlags());
            assertThrows(LibraryException.class, () -> panel.injectMediumError("drive9"));
            assertThrows(LibraryException.class, () -> panel.injectTapeAlert("drive0", "0"));
        }
    }

    /** A cartridge's own capacity beats the library's; out of range it is refused with the reason, nothing made. */
    @Test
    void perCartridgeCapacity() throws Exception {
        try (Opened o = open()) {
            OperatorPanel panel = new OperatorPanel(o.library());
            panel.createOnShelf(List.of("CP0001L8"), 16L << 20);
            assertEquals(16L << 20, o.pool().cartridge("CP0001L8").spec().capacity());
            assertEquals(16L << 20, o.library().capacity("CP0001L8"));
            panel.createOnShelf(List.of("CP0002L8"));
            assertEquals(64L << 20, o.pool().cartridge("CP0002L8").spec().capacity(), "the library's setting");
            LibraryException small = assertThrows(LibraryException.class,
                    () -> panel.createOnShelf(List.of("CP0003L8"), 4096));
            assertTrue(small.getMessage().contains("out of range"), small.getMessage());
            LibraryException big = assertThrows(LibraryException.class,
                    () -> panel.createOnShelf(List.of("CP0003L5", "CP0004L8"), 2_000_000_000_000L));
            assertTrue(big.getMessage().contains("LTO5"), big.getMessage());
            assertFalse(o.pool().exists("CP0004L8"), "the batch is refused whole");
            assertThrows(LibraryException.class, () -> panel.createOnShelf(List.of("CLN001CU"), 16L << 20));
            assertThrows(IllegalArgumentException.class,
                    () -> new LibraryConfig.CartridgePlacement("LF0009L8", null, 3, 1));
            assertEquals(1L << 20, new LibraryConfig.CartridgePlacement("LF0009L8", null, 3, 1L << 20).capacity());
        }
    }

    /** The library's cleaning slot: a drive that asks to be cleaned is cleaned as soon as it is emptied. */
    @Test
    void theLibraryCleansADriveFromItsCleaningSlot() throws Exception {
        try (Opened o = open()) {
            ElementLayout layout = o.library().layout();
            o.library().setCleaningSlot(4);
            assertThrows(IllegalArgumentException.class, () -> o.library().setCleaningSlot(5));
            o.library().createCartridge("CLN004CU", MediaType.CLEANING);
            o.library().importCartridge("CLN004CU", layout.importExport().address(0));
            o.library().move(layout.importExport().address(0), layout.storage().address(3));
            o.drives()[0].setCleaningInterval(100);
            o.library().move(layout.storage().address(0), layout.dataTransfer().address(0));
            o.drives()[0].medium().writeBlock(org.lunforge.scsi.SgList.wrap(new byte[1000]), false);
            assertTrue(o.drives()[0].cleaningRequired());
            o.library().move(layout.dataTransfer().address(0), layout.storage().address(0));
            assertFalse(o.drives()[0].cleaningRequired());
            assertEquals(1, o.drives()[0].cleanings());
            assertEquals(1, o.library().autoCleanings());
            assertNull(o.drives()[0].cartridge(), "the cleaning cartridge went back");
            assertEquals(layout.storage().address(3), o.library().elementOf("CLN004CU"));
            assertEquals(49, o.pool().cartridge("CLN004CU").cleaningUsesLeft());
        }
    }
}
