package org.lunforge.backstore.tape;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cartridge stores are found like block stores: ServiceLoader, by type name, configuration checked first. */
class CartridgeStoresTest {
    @TempDir
    Path dir;

    @Test
    void theFileStoreIsFound() {
        CartridgeStores stores = CartridgeStores.load();
        assertTrue(stores.types().contains("file"), stores.types().toString());
        assertInstanceOf(FileCartridgeStoreProvider.class, stores.provider("file"));
        assertFalse(stores.provider("file").configHelp().isEmpty());
    }

    @Test
    void simple() throws IOException {
        Path folder = dir.resolve("pool");
        CartridgeStore store = CartridgeStores.load().open("file", Map.of("path", folder.toString()));
        assertTrue(Files.isDirectory(folder));
        store.create(CartridgeSpec.ofBarcode("LF0001L8"));
        assertTrue(store.exists("LF0001L8"));
        assertEquals(List.of("LF0001L8"), store.barcodes());
        assertEquals(TapeFormat.LTO8, store.cartridge("LF0001L8").format());
        store.delete("LF0001L8");
        assertFalse(store.exists("LF0001L8"));
    }

    @Test
    void invalid() {
        CartridgeStores stores = CartridgeStores.load();
        assertThrows(IllegalArgumentException.class, () -> stores.open("file", Map.of()), "path is required");
        assertThrows(IllegalArgumentException.class,
                () -> stores.open("file", Map.of("path", dir.toString(), "size", "1G")), "unknown key");
        assertThrows(IllegalArgumentException.class, () -> stores.open("tape-robot", Map.of()), "unknown type");
        assertFalse(Files.exists(dir.resolve("pool")), "nothing opened");
    }
}
