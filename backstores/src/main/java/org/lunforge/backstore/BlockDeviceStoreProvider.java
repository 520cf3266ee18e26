package org.lunforge.backstore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** {@code block}: a Linux block device. Keys: path (required, e.g. /dev/vdb), readonly. */
public final class BlockDeviceStoreProvider implements BlockStoreProvider {
    private static final Set<String> KEYS = Set.of("path", "readonly");

    @Override
    public String type() {
        return "block";
    }

    @Override
    public String configHelp() {
        return "path=/dev/<device> [readonly=true|false]";
    }

    @Override
    public void checkConfig(Map<String, String> config) {
        StoreConfig.requireOnly(config, KEYS);
        Path path = Path.of(StoreConfig.require(config, "path"));
        StoreConfig.parseBoolean(config, "readonly", false);
        if (Files.exists(path) && (Files.isRegularFile(path) || Files.isDirectory(path))) {
            throw new IllegalArgumentException(path + " is not a block device (use type 'file' for regular files)");
        }
    }

    @Override
    public BlockStore open(Map<String, String> config) throws IOException {
        checkConfig(config);
        return BlockDeviceStore.open(Path.of(config.get("path").trim()),
                StoreConfig.parseBoolean(config, "readonly", false));
    }
}
