package org.lunforge.backstore;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockStoresTest {
    private final BlockStores stores = BlockStores.load();

    @Test
    void serviceLoaderFindsTheThreeBuiltInTypes() {
        assertTrue(stores.types().containsAll(java.util.Set.of("memory", "file", "block")), stores.types().toString());
        for (String type : stores.types()) {
            assertFalse(stores.provider(type).configHelp().isBlank());
        }
    }

    @Test
    void opensAMemoryStoreFromItsConfig() throws Exception {
        try (BlockStore s = stores.open("memory", Map.of("size", "64M"))) {
            assertEquals(64L << 20, s.size());
        }
    }

    @Test
    void opensAFileStoreFromItsConfig(@TempDir Path dir) throws Exception {
        try (BlockStore s = stores.open("file", Map.of("path", dir.resolve("a.img").toString(), "size", "1m"))) {
            assertEquals(1 << 20, s.size());
        }
    }

    @Test
    void badConfigsNameTheirKey(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> stores.checkConfig("memory", Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stores.checkConfig("memory", Map.of("size", "1G", "sise", "2G")));
        assertTrue(e.getMessage().contains("sise"));
        assertThrows(IllegalArgumentException.class, () -> stores.checkConfig("memory", Map.of("size", "lots")));
        assertThrows(IllegalArgumentException.class,
                () -> stores.checkConfig("file", Map.of("path", dir.resolve("missing.img").toString())));
        assertThrows(IllegalArgumentException.class,
                () -> stores.checkConfig("block", Map.of("path", dir.toString())));
        assertThrows(IllegalArgumentException.class, () -> stores.provider("tape"));
    }

    @Test
    void sizesParseWithBinarySuffixes() {
        assertEquals(1L << 30, StoreConfig.parseSize("size", "1G"));
        assertEquals(1536L << 20, StoreConfig.parseSize("size", "1536MiB"));
        assertEquals(4096, StoreConfig.parseSize("size", "4k"));
        assertEquals(512, StoreConfig.parseSize("size", "512"));
        assertThrows(IllegalArgumentException.class, () -> StoreConfig.parseSize("size", "-1"));
        assertThrows(IllegalArgumentException.class, () -> StoreConfig.parseSize("size", "99999999999T"));
    }
}
