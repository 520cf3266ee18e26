package org.lunforge.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a configuration file: syntax, mapping onto the model and validation, each refusal with its line. */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /** The configuration in {@code file}, with relative paths resolved against the file's folder. */
    public static Config load(Path file) throws IOException, ConfigException {
        return load(file, "");
    }

    /**
     * The configuration in {@code file}; when the file names no state folder, {@code defaultStateDir} (if not empty)
     * rather than the one beside the file: a running daemon restoring a file keeps its state folder.
     */
    public static Config load(Path file, String defaultStateDir) throws IOException, ConfigException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        ConfigJson.Parsed parsed = ConfigJson.read(file.toString(), text);
        ConfigValidator.validate(parsed, file.toString());
        Config config = parsed.config();
        if (config.getStateDir().isEmpty() && !defaultStateDir.isEmpty()) {
            config = config.toBuilder().setStateDir(defaultStateDir).build();
        }
        return resolvePaths(config, file.toAbsolutePath().getParent());
    }

    static Config resolvePaths(Config config, Path base) {
        Config.Builder b = config.toBuilder();
        b.setStateDir(resolve(base, config.getStateDir().isEmpty() ? "lunforge-state" : config.getStateDir()));
        for (Backstore.Builder store : b.getBackstoresBuilderList()) {
            if (store.hasFileio()) {
                store.getFileioBuilder().setPath(resolve(base, store.getFileio().getPath()));
            }
            if (store.hasRbd()) {
                store.getRbdBuilder().setConf(resolve(base, store.getRbd().getConf()));
                if (!store.getRbd().getKeyring().isEmpty()) {
                    store.getRbdBuilder().setKeyring(resolve(base, store.getRbd().getKeyring()));
                }
            }
        }
        for (TapeLibrary.Builder library : b.getLibrariesBuilderList()) {
            library.setPoolDir(resolve(base, library.getPoolDir()));
        }
        return b.build();
    }

    private static String resolve(Path base, String path) {
        return base.resolve(path).normalize().toString();
    }
}
