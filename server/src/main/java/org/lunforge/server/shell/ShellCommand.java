package org.lunforge.server.shell;

import java.util.List;
import java.util.function.Function;

/**
 * A command a node offers (create, delete, import, ...): its parameters in order, so that they may be given by
 * position or as name=value, and what it does. {@code editsOnly}: all it asks of the daemon is edits of the
 * configuration ({@link ShellContext#edit}, which carry the generation they were made from), and all it prints is
 * their outcome; such a command may run on the shell's copy of the configuration without first asking whether the
 * copy is current (see {@link Shell}).
 */
record ShellCommand(String name, String help, List<Param> params, Handler handler, boolean editsOnly) {
    ShellCommand(String name, String help, List<Param> params, Handler handler) {
        this(name, help, params, handler, false);
    }

    /** This command, marked as one that only edits (see the class comment). */
    ShellCommand editing() {
        return new ShellCommand(name, help, params, handler, true);
    }

    /** A parameter; {@code values} proposes completions from the current snapshot (null: none). */
    record Param(String name, boolean required, String help, Function<ShellContext, List<String>> values) {
        static Param required(String name, String help) {
            return new Param(name, true, help, null);
        }

        static Param optional(String name, String help) {
            return new Param(name, false, help, null);
        }

        Param values(Function<ShellContext, List<String>> proposals) {
            return new Param(name, required, help, proposals);
        }
    }

    interface Handler {
        void run(ShellArgs args, ShellContext context) throws ShellException;
    }

    String usage() {
        StringBuilder sb = new StringBuilder(name);
        for (Param p : params) {
            sb.append(' ').append(p.required() ? p.name() : "[" + p.name() + "=...]");
        }
        return sb.toString();
    }
}
