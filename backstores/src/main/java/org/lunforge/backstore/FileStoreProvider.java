package org.lunforge.backstore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code file}: a sparse regular file. Keys: path (required), size (creates or extends the file; required if it does
 * not exist), readonly.
 */
public final class FileStoreProvider implements BlockStoreProvider {
    private static final Set<String> KEYS = Set.of("path", "size", "readonly");

    @Override
    public String type() {
        return "file";
    }

    @Override
    public String configHelp() {
        return "path=<file> [size=<bytes, K/M/G/T suffix>: create or extend] [readonly=true|false]";
    }

    @Override
    public void checkConfig(Map<String, String> config) {
        StoreConfig.requireOnly(config, KEYS);
        Path path = Path.of(StoreConfig.require(config, "path"));
        boolean readOnly = StoreConfig.parseBoolean(config, "readonly", false);
        long size = config.containsKey("size") ? StoreConfig.parseSize("size", config.get("size")) : 0;
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(path + " is a directory");
        }
        if (!Files.exists(path) && (size == 0 || readOnly)) {
            throw new IllegalArgumentException(path + " does not exist and no size to create it with");
        }
    }

    @Override
    public BlockStore open(Map<String, String> config) throws IOException {
        checkConfig(config);
        long size = config.containsKey("size") ? StoreConfig.parseSize("size", config.get("size")) : 0;
        return FileBlockStore.open(Path.of(config.get("path").trim()), size,
                StoreConfig.parseBoolean(config, "readonly", false));
    }
}
