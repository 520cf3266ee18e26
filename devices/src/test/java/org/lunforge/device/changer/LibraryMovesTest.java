package org.lunforge.device.changer;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/** The library's move count for metrics: a MOVE MEDIUM is one movement, an EXCHANGE MEDIUM two, a refusal none. */
class LibraryMovesTest {
    @TempDir
    Path dir;

    @Test
    void movesExchangesAndRefusals() {
        ChangerHarness h = ChangerHarness.standard(dir);
        Nexus n = h.login("iqn.1994-05.com.redhat:host");
        assertEquals(0, h.library.moves());
        assertGood(h.move(n, SLOT, DRIVE));
        assertEquals(1, h.library.moves());
        assertGood(h.exchange(n, SLOT + 1, SLOT + 2, SLOT + 1));
        assertEquals(3, h.library.moves());
        assertCheck(h.move(n, SLOT + 9, DRIVE + 1), SenseCode.MEDIUM_SOURCE_ELEMENT_EMPTY);
        assertEquals(3, h.library.moves(), "a refused move moved nothing");
    }
}
