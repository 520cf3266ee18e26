package org.lunforge.device.vtl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Fuzz target: the saved VTL inventory reader. With the first input byte odd, the rest is taken as the body and a
 * correct checksum line is appended, so that the fuzzer reaches the line parser behind the CRC. The reader returns an
 * inventory, which encodes and decodes back to itself, or throws IOException.
 */
class InventoryFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] file = Arrays.copyOfRange(input, 1, input.length);
        if ((input[0] & 1) != 0) {
            CRC32C crc = new CRC32C();
            crc.update(file);
            byte[] tail = "crc32c=%08x\n".formatted(crc.getValue()).getBytes(StandardCharsets.US_ASCII);
            byte[] whole = Arrays.copyOf(file, file.length + tail.length);
            System.arraycopy(tail, 0, whole, file.length, tail.length);
            file = whole;
        }
        Inventory inventory;
        try {
            inventory = Inventory.decode(file);
        } catch (IOException rejected) {
            return;
        }
        try {
            assertEquals(inventory, Inventory.decode(inventory.encode()));
        } catch (IOException e) {
            throw new AssertionError("an inventory that was read cannot be read back after encoding", e);
        }
    }
}
