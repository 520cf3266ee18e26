package org.lunforge.backstore.rbd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RbdMismatchTest {
    static final long OBJECT = 64 << 10;

    @Test
    void librbd16ReportsTheObjectStartPlusTheOffsetIntoTheData() {
        // measured: byte 300 of a 512-byte compare at 73728 (object 1, 8192 in) came back as 65836
        assertEquals(300, RbdMismatch.offsetInData(65836, 73728, 512, OBJECT));
    }

    @Test
    void anImageOffsetAsDocumentedIsReadAsSuch() {
        assertEquals(300, RbdMismatch.offsetInData(74028, 73728, 512, OBJECT));
    }

    @Test
    void atAnObjectStartBothReadingsAgree() {
        assertEquals(7, RbdMismatch.offsetInData(OBJECT + 7, OBJECT, 512, OBJECT));
    }

    @Test
    void aValueOutsideTheDataIsUnknown() {
        assertEquals(-1, RbdMismatch.offsetInData(5 * OBJECT, 73728, 512, OBJECT));
        assertEquals(-1, RbdMismatch.offsetInData(0, 73728, 512, OBJECT));
    }
}
