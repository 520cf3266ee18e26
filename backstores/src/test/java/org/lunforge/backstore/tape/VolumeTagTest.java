package org.lunforge.backstore.tape;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one barcode rule (SMC-3 volume identifier, LTO label convention) every layer builds its barcodes with. */
class VolumeTagTest {
    @Test
    void simple() {
        VolumeTag tag = VolumeTag.of("LF0001L8");
        assertEquals("L8", tag.mediaIdentifier());
        assertEquals(TapeFormat.LTO8, tag.format());
        assertFalse(tag.worm());
        assertFalse(tag.cleaning());
        assertTrue(tag.namesMedia());
        assertEquals("LF0001L8", tag.toString());
    }

    @Test
    void wormAndTypeM() {
        assertTrue(VolumeTag.of("LF0002LY").worm());
        assertEquals(TapeFormat.LTO8, VolumeTag.of("LF0002LY").format());
        assertEquals(TapeFormat.LTO7_TYPE_M, VolumeTag.of("LF0003M8").format());
        assertEquals(TapeFormat.LTO5, VolumeTag.of("A00001LV").format());
    }

    /** A CLN label is a cleaning cartridge whatever its media identifier: never a data cartridge of that format. */
    @Test
    void cleaning() {
        for (String label : List.of("CLN001CU", "CLN001L1", "CLN001L8", "CLN")) {
            VolumeTag tag = VolumeTag.of(label);
            assertTrue(tag.cleaning(), label);
            assertNull(tag.format(), label);
            assertFalse(tag.worm(), label);
            assertTrue(tag.namesMedia(), label);
        }
        assertTrue(CartridgeSpec.ofBarcode("CLN001L8").cleaning(),
                "the store makes a cleaning cartridge of a cleaning label, never a data cartridge");
    }

    @Test
    void otherForms() {
        assertNull(VolumeTag.of("VOL001").mediaIdentifier());
        assertNull(VolumeTag.of("VOL001").format());
        assertFalse(VolumeTag.of("VOL001").namesMedia());
        assertNull(VolumeTag.of("LF0003XX").format());
        assertNull(VolumeTag.of("LF-001L8").mediaIdentifier(), "an LTO volume serial is letters and digits");
        assertDoesNotThrow(() -> VolumeTag.of("A".repeat(VolumeTag.LENGTH)));
    }

    @Test
    void invalid() {
        for (String bad : List.of("", "lf0001l8", "LF 001L8", "-LF0001L8", "_A", "A".repeat(33), "LF0001L8?", "ÄB",
                "../etc", "A/B", "A.B")) {
            assertThrows(IllegalArgumentException.class, () -> VolumeTag.of(bad), bad);
            assertFalse(VolumeTag.isValid(bad), bad);
        }
        assertThrows(NullPointerException.class, () -> new VolumeTag(null));
        assertFalse(VolumeTag.isValid(null));
    }
}
