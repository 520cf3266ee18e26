package org.lunforge.backstore.tape;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.lunforge.backstore.StoreConfig;

/** {@code file}: a {@link FileCartridgeStore}, a folder of cartridge journals named by barcode. Key: path (required). */
public final class FileCartridgeStoreProvider implements CartridgeStoreProvider {
    public static final String TYPE = "file";
    private static final Set<String> KEYS = Set.of("path");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String configHelp() {
        return "path=<folder of the cartridges, created if missing>";
    }

    @Override
    public void checkConfig(Map<String, String> config) {
        StoreConfig.requireOnly(config, KEYS);
        if (StoreConfig.require(config, "path").isBlank()) {
            throw new IllegalArgumentException("path is empty");
        }
    }

    @Override
    public CartridgeStore open(Map<String, String> config) throws IOException {
        checkConfig(config);
        return FileCartridgeStore.open(Path.of(config.get("path")));
    }
}
