package org.lunforge.device.changer;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/** EXCHANGE MEDIUM: a swap, a rotation through a third element, drives on either side, and the refusals. */
class ExchangeMediumTest {
    @TempDir
    Path dir;
    private ChangerHarness h;
    private Nexus n;

    @BeforeEach
    void setUp() {
        h = ChangerHarness.standard(dir);
        n = h.login("iqn.1994-05.com.redhat:host");
    }

    private String tag(int address) {
        return h.library.elementStatus().stream().filter(e -> e.address() == address).findFirst().orElseThrow()
                .volumeTag();
    }

    @Test
    void swapWhenTheSecondDestinationIsTheSource() {
        assertGood(h.exchange(n, SLOT, SLOT + 1, SLOT));
        assertEquals("LF0002L8", tag(SLOT));
        assertEquals("LF0001L8", tag(SLOT + 1));
    }

    @Test
    void rotateThroughAThirdElement() {
        assertGood(h.exchange(n, SLOT, SLOT + 1, SLOT + 9));
        assertNull(tag(SLOT));
        assertEquals("LF0001L8", tag(SLOT + 1));
        assertEquals("LF0002L8", tag(SLOT + 9));
    }

    @Test
    void exchangeTheCartridgeInADriveForAnother() {
        assertGood(h.move(n, SLOT, DRIVE));
        // Put LF0002L8 into the drive, and the drive's LF0001L8 into slot 0x0409.
        assertGood(h.exchange(n, SLOT + 1, DRIVE, SLOT + 9));
        assertEquals("LF0002L8", h.drives.get(0).loaded);
        assertEquals("LF0002L8", tag(DRIVE));
        assertEquals("LF0001L8", tag(SLOT + 9));
        assertTrue(h.drives.get(0).calls.containsAll(java.util.List.of("unload LF0001L8", "load LF0002L8")));
    }

    @Test
    void refusals() {
        assertField(h.exchange(n, SLOT + 5, SLOT, SLOT + 5), SenseCode.MEDIUM_SOURCE_ELEMENT_EMPTY, 4, 7);
        // The first destination is the source of the second movement.
        assertField(h.exchange(n, SLOT, SLOT + 5, SLOT), SenseCode.MEDIUM_SOURCE_ELEMENT_EMPTY, 6, 7);
        assertField(h.exchange(n, SLOT, SLOT + 1, SLOT + 2), SenseCode.MEDIUM_DESTINATION_ELEMENT_FULL, 8, 7);
        assertField(h.exchange(n, SLOT, SLOT + 1, SLOT + 1), SenseCode.MEDIUM_DESTINATION_ELEMENT_FULL, 8, 7);
        assertField(h.exchange(n, SLOT, SLOT, SLOT + 5), SenseCode.INVALID_ELEMENT_ADDRESS, 6, 7);
        assertField(h.exchange(n, SLOT, SLOT + 1, 0x0300), SenseCode.INVALID_ELEMENT_ADDRESS, 8, 7);
        assertField(h.run(n, 0xA6, 0, 0, 0x05, 0x04, 0, 0x04, 0x01, 0x04, 0, 0, 0), SenseCode.INVALID_ELEMENT_ADDRESS,
                2, 7);
        assertEquals("LF0001L8", tag(SLOT));
        assertEquals("LF0002L8", tag(SLOT + 1));
    }

    @Test
    void aLockedDriveOrMailSlotRefusesTheExchange() {
        assertGood(h.move(n, SLOT, DRIVE));
        h.drives.get(0).prevented = true;
        assertField(h.exchange(n, SLOT + 1, DRIVE, SLOT), SenseCode.MEDIUM_REMOVAL_PREVENTED, 6, 7);
        h.drives.get(0).prevented = false;
        assertGood(h.preventAllow(n, true));
        assertGood(h.move(n, DRIVE, SLOT));
        assertField(h.exchange(n, SLOT, SLOT + 1, IE), SenseCode.MEDIUM_REMOVAL_PREVENTED, 8, 7);
    }
}
