package org.lunforge.backstore.tape;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cleaning cartridge is stored like a data cartridge, records nothing, and its memory counts its uses. */
class CleaningCartridgeTest {
    @TempDir
    Path dir;

    @Test
    void storedReopenedAndCountedDown() throws IOException {
        FileCartridgeStore store = FileCartridgeStore.open(dir);
        Cartridge created = store.create(CartridgeSpec.ofBarcode("CLN001CU"));
        assertTrue(created.cleaning());
        assertNull(created.format());
        Cartridge c = store.cartridge("CLN001CU");
        assertTrue(c.cleaning(), "the header says so after a reopen");
        assertEquals(CartridgeSpec.CLEANING_USES, c.cleaningUsesLeft());
        assertThrows(IOException.class, c::load, "nothing to record on");
        c.recordLoad("IBM     0000000001");
        assertEquals(CartridgeSpec.CLEANING_USES - 1, store.cartridge("CLN001CU").cleaningUsesLeft());
        assertEquals(java.util.List.of("CLN001CU"), store.barcodes());
    }

    @Test
    void aCleaningLabelNeverNamesADataCartridge() {
        assertTrue(CartridgeSpec.ofBarcode("CLN001L8").cleaning());
        assertThrows(IllegalArgumentException.class, () -> new CartridgeSpec("CLN001L8", TapeFormat.LTO8, false,
                1L << 30, 0, "LUNFORGE", "CLN001L8", LocalDate.now()));
        assertThrows(NullPointerException.class, () -> new CartridgeSpec("LF0001L8", null, false, 0, 0,
                "LUNFORGE", "LF0001L8", LocalDate.now()));
    }
}
