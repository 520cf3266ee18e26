package org.lunforge.device.vtl;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.lunforge.device.vtl.Inventory.Occupant;

class InventoryTest {
    private static final Inventory SAMPLE = Inventory.EMPTY
            .with(0x0400, new Occupant(Volume.of("LF0001L8"), -1, false))
            .with(0x0100, new Occupant(Volume.of("LF0002L8"), 0x0401, false))
            .with(0x0010, new Occupant(Volume.of("CLN001CU"), -1, true));

    @Test
    void encodesAsTextWithAChecksumAndDecodesBack() throws IOException {
        byte[] encoded = SAMPLE.encode();
        String text = new String(encoded, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("""
                lunforge-vtl-inventory 1
                0x0010 CLN001CU CLEANING source=- by=operator
                0x0100 LF0002L8 LTO8 source=0x0401 by=transport
                0x0400 LF0001L8 LTO8 source=- by=transport
                crc32c="""), text);
        assertEquals(SAMPLE, Inventory.decode(encoded));
        assertEquals(Inventory.EMPTY, Inventory.decode(Inventory.EMPTY.encode()));
    }

    @Test
    void aDamagedOrCutFileIsRefused() {
        byte[] encoded = SAMPLE.encode();
        byte[] flipped = encoded.clone();
        flipped[40] ^= 0x01;
        assertTrue(assertThrows(IOException.class, () -> Inventory.decode(flipped)).getMessage()
                .contains("checksum"));
        byte[] cut = java.util.Arrays.copyOf(encoded, encoded.length / 2);
        assertThrows(IOException.class, () -> Inventory.decode(cut));
        assertThrows(IOException.class, () -> Inventory.decode(new byte[0]));
        assertThrows(IOException.class, () -> Inventory.decode("something else\n".getBytes()));
    }

    @Test
    void aCartridgeIsInOneElementOnly() {
        assertThrows(IllegalArgumentException.class,
                () -> SAMPLE.with(0x0401, new Occupant(Volume.of("LF0001L8"), -1, false)));
        assertEquals(0x0100, SAMPLE.addressOf("LF0002L8"));
        assertNull(SAMPLE.addressOf("LF0009L8"));
        assertNull(SAMPLE.without(0x0100).at(0x0100));
        assertNotNull(SAMPLE.at(0x0100), "immutable: without() made a new inventory");
    }
}
