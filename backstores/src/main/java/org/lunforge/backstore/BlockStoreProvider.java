package org.lunforge.backstore;

import java.io.IOException;
import java.util.Map;

/**
 * A kind of block store, found with {@link java.util.ServiceLoader} (tcmu-runner's handler struct): its identity and
 * configuration description, a check of a configuration before anything is opened, and {@code open}.
 *
 * <p>A configuration is a map of short keys to strings (the targetcli-style tree keeps them as they were typed):
 * {@code size=1G}, {@code path=/var/lib/lunforge/disk1.img}, {@code readonly=true}.
 */
public interface BlockStoreProvider {
    /** The type name a configuration refers to: "memory", "file", "block". */
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
    BlockStore open(Map<String, String> config) throws IOException;
}
