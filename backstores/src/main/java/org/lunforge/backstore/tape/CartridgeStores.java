package org.lunforge.backstore.tape;

import java.io.IOException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The cartridge store providers on the class path, by type name ("file", and any plug-in's own). */
public final class CartridgeStores {
    private final Map<String, CartridgeStoreProvider> byType;

    private CartridgeStores(Map<String, CartridgeStoreProvider> byType) {
        this.byType = byType;
    }

    /** Loads every {@link CartridgeStoreProvider} that ServiceLoader finds; a type defined twice is an error. */
    public static CartridgeStores load() {
        return load(CartridgeStores.class.getClassLoader());
    }

    public static CartridgeStores load(ClassLoader loader) {
        Map<String, CartridgeStoreProvider> map = new TreeMap<>();
        for (CartridgeStoreProvider p : ServiceLoader.load(CartridgeStoreProvider.class, loader)) {
            CartridgeStoreProvider previous = map.putIfAbsent(p.type(), p);
            if (previous != null) {
                throw new IllegalStateException("cartridge store type '" + p.type() + "' defined by "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new CartridgeStores(Map.copyOf(map));
    }

    /** Type names, sorted. */
    public SortedSet<String> types() {
        return new TreeSet<>(byType.keySet());
    }

    public CartridgeStoreProvider provider(String type) {
        CartridgeStoreProvider p = byType.get(type);
        if (p == null) {
            throw new IllegalArgumentException("no cartridge store type '" + type + "' (have " + types() + ")");
        }
        return p;
    }

    public CartridgeStore open(String type, Map<String, String> config) throws IOException {
        CartridgeStoreProvider p = provider(type);
        p.checkConfig(config);
        return p.open(config);
    }
}
