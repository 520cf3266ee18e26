package org.lunforge.backstore;

import java.io.IOException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The block store providers on the class path, by type name (memory, file, block, and any plug-in's own). */
public final class BlockStores {
    private final Map<String, BlockStoreProvider> byType;

    private BlockStores(Map<String, BlockStoreProvider> byType) {
        this.byType = byType;
    }

    /** Loads every {@link BlockStoreProvider} that {@link ServiceLoader} finds; a type defined twice is an error. */
    public static BlockStores load() {
        return load(BlockStores.class.getClassLoader());
    }

    public static BlockStores load(ClassLoader loader) {
        Map<String, BlockStoreProvider> map = new TreeMap<>();
        for (BlockStoreProvider p : ServiceLoader.load(BlockStoreProvider.class, loader)) {
            BlockStoreProvider previous = map.putIfAbsent(p.type(), p);
            if (previous != null) {
                throw new IllegalStateException("block store type '" + p.type() + "' defined by "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new BlockStores(Map.copyOf(map));
    }

    /** Type names, sorted. */
    public java.util.SortedSet<String> types() {
        return new java.util.TreeSet<>(byType.keySet());
    }

    public BlockStoreProvider provider(String type) {
        BlockStoreProvider p = byType.get(type);
        if (p == null) {
            throw new IllegalArgumentException("no block store type '" + type + "' (have " + types() + ")");
        }
        return p;
    }

    public void checkConfig(String type, Map<String, String> config) {
        provider(type).checkConfig(config);
    }

    public BlockStore open(String type, Map<String, String> config) throws IOException {
        BlockStoreProvider p = provider(type);
        p.checkConfig(config);
        return p.open(config);
    }
}
