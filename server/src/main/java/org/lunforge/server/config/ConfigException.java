package org.lunforge.server.config;

/** A configuration that cannot be used, with where and why: "config.json:12: backstores[0].memory.size: ...". */
public final class ConfigException extends Exception {
    private final String source;
    private final int line;
    private final String path;
    private final String reason;

    public ConfigException(String source, int line, String path, String reason) {
        super(source + (line > 0 ? ":" + line : "") + ": " + (path.isEmpty() ? "" : path + ": ") + reason);
        this.source = source;
        this.line = line;
        this.path = path;
        this.reason = reason;
    }

    /** Where the configuration came from: a file name, or a word such as "configuration". */
    public String source() {
        return source;
    }

    /** The offending field ("backstores[0].memory.size"), or empty when the problem is the document's syntax. */
    public String path() {
        return path;
    }

    /** Why, without the source, line and path. */
    public String reason() {
        return reason;
    }

    /** The 1-based line of the offending value, or 0 when the problem is not at one place. */
    public int line() {
        return line;
    }
}
