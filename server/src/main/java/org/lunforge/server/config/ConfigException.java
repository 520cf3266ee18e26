package org.lunforge.server.config;

/** A configuration that cannot be used, with where and why: "config.json:12: backstores[0].memory.size: ...". */
public final class ConfigException extends Exception {
    private final int line;

    public ConfigException(String source, int line, String path, String reason) {
        super(source + (line > 0 ? ":" + line : "") + ": " + (path.isEmpty() ? "" : path + ": ") + reason);
        this.line = line;
    }

    /** The 1-based line of the offending value, or 0 when the problem is not at one place. */
    public int line() {
        return line;
    }
}
