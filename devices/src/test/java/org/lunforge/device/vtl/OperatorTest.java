package org.lunforge.device.vtl;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.device.changer.ChangerHarness;
import org.lunforge.device.changer.ElementStatus;
import org.lunforge.scsi.Nexus;

/** What the daemon's shell does with a library: create cartridges, import, export, list. */
class OperatorTest {
    @TempDir
    Path dir;
    private ChangerHarness h;
    private VirtualTapeLibrary library;

    @BeforeEach
    void setUp() {
        h = ChangerHarness.standard(dir);
        library = h.library;
    }

    @Test
    void createCartridgesWithLtoBarcodes() throws Exception {
        List<Volume> made = library.createCartridges("LF", 10, 3, MediaType.LTO8);
        assertEquals(List.of("LF0010L8", "LF0011L8", "LF0012L8"), made.stream().map(Volume::barcode).toList());
        assertEquals(MediaType.LTO9, library.createCartridges("ABCD", 7, 1, MediaType.LTO9).getFirst().mediaType());
        assertEquals("CLN001CU", library.createCartridges("CLN", 1, 1, MediaType.CLEANING).getFirst().barcode());
        assertTrue(h.pool.exists("LF0011L8"));
        assertTrue(library.shelf().contains(Volume.of("LF0012L8")));
        assertFalse(library.shelf().contains(Volume.of("LF0001L8")), "in the library, not on the shelf");
    }

    @Test
    void createRefusesWhatExistsOrDoesNotFitAndCreatesNoneThen() throws Exception {
        LibraryException exists = assertThrows(LibraryException.class,
                () -> library.createCartridges("LF", 3, 3, MediaType.LTO8));
        assertTrue(exists.getMessage().contains("LF0003L8"), exists.getMessage());
        assertFalse(h.pool.exists("LF0005L8"), "none created");
        assertThrows(LibraryException.class, () -> library.createCartridges("LF", 9999, 2, MediaType.LTO8));
        assertThrows(LibraryException.class, () -> library.createCartridges("LFLFLF", 1, 1, MediaType.LTO8));
        assertThrows(LibraryException.class, () -> library.createCartridges("XY", 1, 1, MediaType.CLEANING));
        assertThrows(LibraryException.class, () -> library.createCartridge("lf0001l8", MediaType.LTO8));
        assertThrows(LibraryException.class, () -> library.createCartridge("LF0001L8", MediaType.LTO8));
    }

    @Test
    void importIntoTheFirstEmptyMailSlotAndExportBackToTheShelf() throws Exception {
        library.createCartridges("LF", 20, 3, MediaType.LTO8);
        assertEquals(IE, library.importCartridge("LF0020L8"));
        assertEquals(IE + 1, library.importCartridge("LF0021L8"));
        LibraryException full = assertThrows(LibraryException.class, () -> library.importCartridge("LF0022L8"));
        assertTrue(full.getMessage().contains("no empty"), full.getMessage());
        ElementStatus mail = library.elementStatus().stream().filter(e -> e.address() == IE).findFirst()
                .orElseThrow();
        assertTrue(mail.placedByOperator());
        assertEquals(-1, mail.sourceAddress());

        assertEquals("LF0020L8", library.exportCartridge(IE).barcode());
        assertEquals(-1, library.elementOf("LF0020L8"));
        assertTrue(library.shelf().contains(Volume.of("LF0020L8")));
    }

    @Test
    void importAndExportRefusals() throws Exception {
        assertThrows(LibraryException.class, () -> library.importCartridge("LF0099L8"), "not in the pool");
        assertThrows(LibraryException.class, () -> library.importCartridge("LF0001L8", IE), "already in the library");
        library.createCartridge("LF0030L8", MediaType.LTO8);
        assertThrows(LibraryException.class, () -> library.importCartridge("LF0030L8", SLOT + 8), "not a mail slot");
        assertThrows(LibraryException.class, () -> library.exportCartridge(IE), "empty");
        LibraryException inSlot = assertThrows(LibraryException.class, () -> library.exportCartridge("LF0001L8"));
        assertTrue(inSlot.getMessage().contains("0x0400"), inSlot.getMessage());
    }

    @Test
    void exportingWhatTheRobotPutIntoAMailSlot() throws Exception {
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertGood(h.move(n, SLOT + 2, IE + 1)); // the backup application ejects a tape
        assertEquals(Volume.of("LF0003L8"), library.exportCartridge("LF0003L8"));
    }

    @Test
    void theListingIsEveryElementInAddressOrder() {
        List<ElementStatus> all = library.elementStatus();
        assertEquals(1 + 2 + 2 + 10, all.size());
        assertEquals(List.of(0x0000, 0x0010, 0x0011, 0x0100, 0x0101, 0x0400), all.stream().limit(6)
                .map(ElementStatus::address).toList());
        assertEquals("LF0001L8", all.get(5).volumeTag());
        assertEquals("10WT000001", all.get(4).identification().serialNumber());
    }

    /** The panel enters new cartridges through the first empty mail slot into the lowest free, unreserved slots. */
    @Test
    void panelEntersNewCartridgesIntoFreeSlots() throws Exception {
        OperatorPanel panel = new OperatorPanel(library);
        OperatorPanel.Plan plan = panel.planEntry(List.of("NEW001L8", "NEW002L9"), java.util.Set.of());
        List<Integer> free = library.elementStatus().stream()
                .filter(e -> e.type() == org.lunforge.device.changer.ElementType.STORAGE && e.volumeTag() == null)
                .map(ElementStatus::address).sorted().toList();
        assertEquals(free.subList(0, 2), plan.entries().stream().map(OperatorPanel.Entry::slotAddress).toList());
        assertFalse(h.pool.exists("NEW001L8"), "planning creates nothing");
        OperatorPanel.Plan reserved = panel.planEntry(List.of("NEW001L8"),
                java.util.Set.of(plan.entries().getFirst().slotNumber()));
        assertEquals(free.get(1), reserved.entries().getFirst().slotAddress(), "a reserved slot is skipped");
        panel.enter(plan);
        assertEquals(free.get(0), library.elementOf("NEW001L8"));
        assertEquals(MediaType.LTO9, plan.entries().get(1).mediaType());
    }

    /** A batch is checked whole: one bad, doubled or existing barcode and nothing is created. */
    @Test
    void panelRefusesABadBatchWhole() throws Exception {
        OperatorPanel panel = new OperatorPanel(library);
        assertTrue(assertThrows(LibraryException.class, () -> panel.createOnShelf(List.of("NEW001L8", "NOTABARCODE")))
                .getMessage().contains("not an LTO barcode"));
        assertTrue(assertThrows(LibraryException.class, () -> panel.createOnShelf(List.of("NEW001L8", "NEW001L8")))
                .getMessage().contains("named twice"));
        assertTrue(assertThrows(LibraryException.class, () -> panel.createOnShelf(List.of("NEW001L8", "LF0001L8")))
                .getMessage().contains("exists (in the library)"));
        assertFalse(h.pool.exists("NEW001L8"));
        assertEquals(List.of(MediaType.CLEANING), panel.checkNew(List.of("CLN009CU")),
                "the cleaning label the library makes is one the panel reads as cleaning");
    }
}
