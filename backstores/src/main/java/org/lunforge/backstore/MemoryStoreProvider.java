package org.lunforge.backstore;

import java.util.Map;
import java.util.Set;

/** {@code memory}: a thin, volatile store in off-heap memory. Keys: size (required), limit (allocation cap). */
public final class MemoryStoreProvider implements BlockStoreProvider {
    private static final Set<String> KEYS = Set.of("size", "limit");

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public String configHelp() {
        return "size=<bytes, K/M/G/T suffix> [limit=<most bytes of memory to allocate>]";
    }

    @Override
    public void checkConfig(Map<String, String> config) {
        StoreConfig.requireOnly(config, KEYS);
        long size = StoreConfig.parseSize("size", StoreConfig.require(config, "size"));
        if (size == 0 || size > (long) Integer.MAX_VALUE * MemoryBlockStore.CHUNK_SIZE) {
            throw new IllegalArgumentException("size out of range: " + config.get("size"));
        }
        if (config.containsKey("limit")) {
            StoreConfig.parseSize("limit", config.get("limit"));
        }
    }

    @Override
    public BlockStore open(Map<String, String> config) {
        checkConfig(config);
        long size = StoreConfig.parseSize("size", config.get("size"));
        long limit = config.containsKey("limit") ? StoreConfig.parseSize("limit", config.get("limit")) : Long.MAX_VALUE;
        return new MemoryBlockStore(size, limit);
    }
}
