package org.lunforge.backstore.tape;

import java.io.IOException;
import java.util.Map;

/**
 * A kind of cartridge store, found with {@link java.util.ServiceLoader} as a {@link org.lunforge.backstore
 * .BlockStoreProvider} is (tcmu-runner's handler struct): its type name and configuration description, a check of a
 * configuration before anything is opened, and {@code open}. A configuration is a map of short keys to strings:
 * {@code path=/var/lib/lunforge/vtl0}.
 */
public interface CartridgeStoreProvider {
    /** The type name a configuration refers to: "file". */
    String type();

    /** Human-readable description of the configuration keys, for the shell's help. */
    String configHelp();

    /**
     * Checks a configuration without opening anything.
     *
     * @throws IllegalArgumentException naming the first key that is missing, unknown or malformed
     */
    void checkConfig(Map<String, String> config);

    /** Opens the store the configuration describes; the configuration has passed {@link #checkConfig}. */
    CartridgeStore open(Map<String, String> config) throws IOException;
}
