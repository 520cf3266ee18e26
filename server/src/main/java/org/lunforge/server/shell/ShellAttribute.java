package org.lunforge.server.shell;

import java.util.List;
import org.lunforge.server.config.Config;

/** A value get shows and set changes: how to read it from the node's object and how to write it into a Config. */
record ShellAttribute(String name, String help, String value, Setter setter, List<String> values) {
    interface Setter {
        Config set(Config config, String value) throws ShellException;
    }

    static ShellAttribute readOnly(String name, String help, String value) {
        return new ShellAttribute(name, help, value, null, List.of());
    }

    static ShellAttribute of(String name, String help, String value, Setter setter, String... values) {
        return new ShellAttribute(name, help, value, setter, List.of(values));
    }
}
