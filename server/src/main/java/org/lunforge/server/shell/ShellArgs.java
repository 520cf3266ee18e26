package org.lunforge.server.shell;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A command's parameters by name, from positional words and name=value words. */
final class ShellArgs {
    private final String command;
    private final Map<String, String> values;

    private ShellArgs(String command, Map<String, String> values) {
        this.command = command;
        this.values = values;
    }

    static ShellArgs parse(ShellCommand command, List<String> words) throws ShellException {
        Map<String, String> values = new LinkedHashMap<>();
        int position = 0;
        for (String w : words) {
            int eq = w.indexOf('=');
            String name = eq > 0 ? w.substring(0, eq) : null;
            if (name != null && command.params().stream().anyMatch(p -> p.name().equals(name))) {
                if (values.put(name, w.substring(eq + 1)) != null) {
                    throw new ShellException(command.name() + ": " + name + " given twice");
                }
                continue;
            }
            while (position < command.params().size() && values.containsKey(command.params().get(position).name())) {
                position++;
            }
            if (position >= command.params().size()) {
                throw new ShellException(command.name() + ": unexpected '" + w + "' (usage: " + command.usage() + ")");
            }
            values.put(command.params().get(position++).name(), w);
        }
        for (ShellCommand.Param p : command.params()) {
            if (p.required() && !values.containsKey(p.name())) {
                throw new ShellException(command.name() + ": " + p.name() + " is needed (usage: " + command.usage()
                        + ")");
            }
        }
        return new ShellArgs(command.name(), values);
    }

    static ShellArgs of(String command, Map<String, String> values) {
        return new ShellArgs(command, values);
    }

    String get(String name) {
        return values.get(name);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String command() {
        return command;
    }
}
