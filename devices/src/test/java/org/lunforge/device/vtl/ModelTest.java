package org.lunforge.device.vtl;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.lunforge.device.changer.ElementLayout;
import org.lunforge.device.changer.ElementRange;
import org.lunforge.device.changer.ElementType;
import org.lunforge.device.vtl.LibraryConfig.CartridgePlacement;
import org.lunforge.device.vtl.LibraryConfig.ChangerIdentity;
import org.lunforge.device.vtl.LibraryConfig.DriveConfig;

/** Element addressing, barcodes and media types, and what a library configuration accepts. */
class ModelTest {
    private static final UUID ID = UUID.fromString("11111111-2222-3333-4444-555555555555");

    @Test
    void theStandardLayout() {
        ElementLayout l = ElementLayout.standard(4, 100, 8);
        assertEquals(new ElementRange(ElementType.MEDIUM_TRANSPORT, 0x0000, 1), l.mediumTransport());
        assertEquals(new ElementRange(ElementType.IMPORT_EXPORT, 0x0010, 8), l.importExport());
        assertEquals(new ElementRange(ElementType.DATA_TRANSFER, 0x0100, 4), l.dataTransfer());
        assertEquals(new ElementRange(ElementType.STORAGE, 0x0400, 100), l.storage());
        assertEquals(ElementType.STORAGE, l.typeOf(0x0463));
        assertNull(l.typeOf(0x0464));
        assertNull(l.typeOf(0x0018));
        assertEquals(ElementType.MEDIUM_TRANSPORT, l.typeOf(0));
        int[] all = l.addresses();
        assertEquals(1 + 8 + 4 + 100, all.length);
        for (int i = 1; i < all.length; i++) {
            assertTrue(all[i] > all[i - 1], "ascending");
        }
        assertEquals(List.of(ElementType.MEDIUM_TRANSPORT, ElementType.IMPORT_EXPORT, ElementType.DATA_TRANSFER,
                ElementType.STORAGE), l.byAddress().stream().map(ElementRange::type).toList());
    }

    @Test
    void layoutLimits() {
        assertDoesNotThrow(() -> ElementLayout.standard(768, 0xFFFF - 0x0400 + 1, 240));
        assertThrows(IllegalArgumentException.class, () -> ElementLayout.standard(769, 10, 2));
        assertThrows(IllegalArgumentException.class, () -> ElementLayout.standard(1, 10, 241));
        assertThrows(IllegalArgumentException.class, () -> ElementLayout.standard(1, 0xFFFF - 0x0400 + 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new ElementLayout(
                new ElementRange(ElementType.MEDIUM_TRANSPORT, 0, 1), new ElementRange(ElementType.STORAGE, 0x10, 8),
                new ElementRange(ElementType.IMPORT_EXPORT, 0x14, 2), new ElementRange(ElementType.DATA_TRANSFER,
                0x100, 1)), "overlap");
        assertThrows(IllegalArgumentException.class, () -> new ElementLayout(
                new ElementRange(ElementType.MEDIUM_TRANSPORT, 0, 2), new ElementRange(ElementType.STORAGE, 0x10, 8),
                new ElementRange(ElementType.IMPORT_EXPORT, 0x20, 2), new ElementRange(ElementType.DATA_TRANSFER,
                0x100, 1)), "one robot");
        // An IBM-like layout: transport 1, drives 0x0101, slots 0x0401, I/E 0x0301 (the driver only needs ranges).
        ElementLayout ibm = new ElementLayout(new ElementRange(ElementType.MEDIUM_TRANSPORT, 1, 1),
                new ElementRange(ElementType.STORAGE, 0x0401, 20), new ElementRange(ElementType.IMPORT_EXPORT,
                0x0301, 4), new ElementRange(ElementType.DATA_TRANSFER, 0x0101, 2));
        assertEquals(ElementType.IMPORT_EXPORT, ibm.typeOf(0x0302));
    }

    @Test
    void barcodesAndMediaTypes() {
        assertEquals(MediaType.LTO8, Volume.of("LF0001L8").mediaType());
        assertEquals(MediaType.LTO7_TYPE_M, Volume.of("LF0001M8").mediaType());
        assertEquals(MediaType.LTO5, Volume.of("A00001L5").mediaType());
        assertEquals(MediaType.CLEANING, Volume.of("CLN001CU").mediaType());
        assertNull(MediaType.fromBarcode("VOL001"));
        assertThrows(IllegalArgumentException.class, () -> Volume.of("VOL001"));
        assertEquals(MediaType.LTO9, new Volume("VOL001", MediaType.LTO9).mediaType());
        for (String bad : List.of("", "lf0001l8", "LF 001L8", "-LF0001L8", "A".repeat(33), "LF0001L8?", "ÄB")) {
            assertThrows(IllegalArgumentException.class, () -> new Volume(bad, MediaType.LTO9), bad);
        }
        assertDoesNotThrow(() -> new Volume("A".repeat(32), MediaType.LTO9));
    }

    /** WORM labels name their generation's type; a CLN label is a cleaning cartridge, never the type it ends in. */
    @Test
    void oneLabelRule() {
        assertEquals(MediaType.LTO8, MediaType.fromBarcode("LF0002LY"));
        assertEquals(MediaType.CLEANING, MediaType.fromBarcode("CLN001CU"));
        assertEquals(MediaType.CLEANING, MediaType.fromBarcode("CLN001L8"));
        assertNull(MediaType.fromBarcode("lf0001l8"));
        for (MediaType t : MediaType.values()) {
            if (!t.cleaning()) {
                assertSame(t, MediaType.of(t.format()));
                assertSame(t, MediaType.fromBarcode("LF0001" + t.mediaIdentifier()));
            }
        }
    }

    @Test
    void configuration() {
        Path p = Path.of("/tmp/x");
        List<DriveConfig> drives = List.of(new DriveConfig("d0", 1));
        LibraryConfig c = new LibraryConfig("l", p, p, ChangerIdentity.stkL700(ID), drives, 10, 2,
                List.of(new CartridgePlacement("LF0001L8", null, 10)));
        assertEquals(ElementLayout.standard(1, 10, 2), c.layout());
        assertEquals("STK", c.changer().logicalUnitIdentity().vendor());
        assertEquals("03584L32", ChangerIdentity.ibm3584(ID).logicalUnitIdentity().product());
        assertThrows(IllegalArgumentException.class, () -> new LibraryConfig("l", p, p, ChangerIdentity.stkL700(ID),
                List.of(), 10, 2, List.of()), "no drive");
        assertThrows(IllegalArgumentException.class, () -> new LibraryConfig("l", p, p, ChangerIdentity.stkL700(ID),
                drives, 10, 2, List.of(new CartridgePlacement("LF0001L8", null, 11))), "slot beyond");
        assertThrows(IllegalArgumentException.class, () -> new LibraryConfig("l", p, p, ChangerIdentity.stkL700(ID),
                drives, 10, 2, List.of(new CartridgePlacement("LF0001L8", null, 1),
                new CartridgePlacement("LF0002L8", null, 1))), "two in one slot");
        assertThrows(IllegalArgumentException.class, () -> new LibraryConfig("l", p, p, ChangerIdentity.stkL700(ID),
                drives, 10, 2, List.of(new CartridgePlacement("LF0001L8", null, 1),
                new CartridgePlacement("LF0001L8", null, 2))), "one in two slots");
        assertThrows(IllegalArgumentException.class, () -> new CartridgePlacement("VOL001", null, 1), "no type");
        assertThrows(IllegalArgumentException.class, () -> new DriveConfig("d", 8));
        assertThrows(IllegalArgumentException.class, () -> new ChangerIdentity("VENDORTOOLONG", "p", "r", ID));
        assertThrows(IllegalArgumentException.class, () -> new LibraryConfig("l", p, p, ChangerIdentity.stkL700(ID),
                drives, 10, 2, List.of(), ElementLayout.standard(2, 10, 2)), "layout with other counts");
    }
}
