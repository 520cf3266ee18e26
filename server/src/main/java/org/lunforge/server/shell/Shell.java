package org.lunforge.server.shell;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lunforge.server.config.Config;
import org.lunforge.server.control.Backup;
import org.lunforge.server.control.Backups;
import org.lunforge.server.control.ClearConfig;
import org.lunforge.server.control.ListBackups;
import org.lunforge.server.control.Request;
import org.lunforge.server.control.RestoreConfig;
import org.lunforge.server.control.Response;
import org.lunforge.server.control.SaveConfig;
import org.lunforge.server.control.Saved;
import org.lunforge.server.control.Status;

/**
 * The lunforge shell's commands, the same whether typed at its prompt or given on the command line:
 * {@code [PATH] COMMAND [VALUE...] [NAME=VALUE...]}. A path alone changes to it. Every command sees the daemon's
 * configuration afresh; changes go to the daemon at once (the running target changes), and {@code saveconfig} makes
 * them survive a restart.
 */
public final class Shell {
    /** Commands every node has, with their one-line help. */
    static final Map<String, String> BUILTINS = new LinkedHashMap<>();

    static {
        BUILTINS.put("ls", "ls [PATH] [DEPTH]: the tree below a node, with each node's status");
        BUILTINS.put("cd", "cd [PATH]: go to a node (cd - : back; cd : to /)");
        BUILTINS.put("pwd", "pwd: where you are");
        BUILTINS.put("info", "info: everything about this node");
        BUILTINS.put("get", "get [GROUP] [NAME...]: attributes (groups: attribute, parameter, auth)");
        BUILTINS.put("set", "set [GROUP] NAME=VALUE...: change attributes, all in one change");
        BUILTINS.put("help", "help [COMMAND]: what this node is and offers");
        BUILTINS.put("saveconfig", "saveconfig [FILE]: save the running configuration (the previous file is"
                + " kept in backup/)");
        BUILTINS.put("restoreconfig", "restoreconfig [FILE] [backup=NAME|latest]: make a saved configuration the"
                + " running one; a file with an error changes nothing");
        BUILTINS.put("clearconfig", "clearconfig confirm=true: remove everything");
        BUILTINS.put("backups", "backups: the saved configurations restoreconfig backup=NAME can restore");
        BUILTINS.put("sessions", ShellSessions.USAGE + ": initiators logged in (port, connection, keys,"
                + " authentication, LUNs); close one");
        BUILTINS.put("faults", ShellFaults.USAGE + ": fault injection (never saved)");
        BUILTINS.put("status", "status: the daemon, its files and listening portals");
        BUILTINS.put("exit", "exit: leave the shell (changes are live already; saveconfig keeps them)");
    }

    private final ShellControl control;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Path workingFolder;
    /** The running configuration as last read or changed, checked for currency at every command. */
    private final ShellContext.Copy copy = new ShellContext.Copy();
    private String cwd = "/";
    private String previous = "/";
    private boolean exit;
    private int width = 100;

    public Shell(ShellControl control, PrintWriter out, PrintWriter err, Path workingFolder) {
        this.control = control;
        this.out = out;
        this.err = err;
        this.workingFolder = workingFolder;
    }

    public String cwd() {
        return cwd;
    }

    public boolean exitRequested() {
        return exit;
    }

    /** The width ls fills. */
    public void width(int columns) {
        this.width = Math.max(60, columns);
    }

    /** Runs one command line; false if it failed (the reason is printed). */
    public boolean run(String line) {
        try {
            return run(ShellWords.split(line));
        } catch (ShellException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return false;
        }
    }

    /** Runs one command given as words; false if it failed (the reason is printed). */
    public boolean run(List<String> words) {
        try {
            if (!words.isEmpty() && !words.getFirst().startsWith("#")) {
                execute(words);
            }
            return true;
        } catch (ShellException e) {
            err.println("error: " + e.getMessage());
            return false;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** A fresh tree of the daemon's state. */
    ShellNode tree(ShellContext ctx) throws ShellException {
        ShellNode root = new ShellNode("", null, "lunforge: the daemon's whole configuration");
        // Asked of the daemon only when shown (ls /): a command elsewhere costs no round trip for it.
        root.status(() -> ctx.statusOrReason(s -> s.getVersion() + ", generation " + ctx.state().getGeneration()));
        BackstoreNodes.build(root, ctx);
        IscsiNodes.build(root, ctx);
        VtlNodes.build(root, ctx);
        KernelNodes.build(root, ctx);
        AluaNodes.build(root, ctx);
        return root;
    }

    ShellContext context() throws ShellException {
        return new ShellContext(control, out, workingFolder, copy, false);
    }

    /**
     * Runs a command. A command that only edits ({@link ShellCommand#editsOnly}, and set) runs on the shell's copy of
     * the configuration as it is: its edit carries the generation of the copy, so the daemon refuses it if the copy
     * was stale, and the edit is redone on the running configuration. Every other command first asks whether the copy
     * is current. A failure on a copy not known to be current (no such path, an object that exists) is checked the
     * same way, and the command runs again on the running configuration if the copy was stale. So a batch of
     * creates costs one round trip each, and nothing is shown or refused from a stale copy.
     */
    private void execute(List<String> words) throws ShellException {
        try {
            execute(words, true);
        } catch (ShellContext.StaleCopy stale) {
            execute(words, false);
        }
    }

    private void execute(List<String> words, boolean onCopy) throws ShellException {
        ShellContext ctx = new ShellContext(control, out, workingFolder, copy, onCopy);
        try {
            dispatch(words, ctx);
        } catch (ShellException e) {
            if (ctx.mayRunAgain()) {
                ctx.confirmCurrent();
            }
            throw e;
        }
    }

    private void dispatch(List<String> words, ShellContext ctx) throws ShellException {
        ShellNode root = tree(ctx);
        ShellNode here = root.resolve(cwd);
        if (here == null) {
            ctx.confirmCurrent();
            here = root;
            cwd = "/";
        }
        String first = words.getFirst();
        boolean isPath = first.startsWith("/") || first.startsWith(".")
                || (!BUILTINS.containsKey(first) && !here.commands.containsKey(first) && !first.equals("quit")
                && here.resolve(first) != null);
        ShellNode at = here;
        List<String> rest = words;
        if (isPath) {
            at = here.resolve(first);
            if (at == null) {
                throw new ShellException("no such path: " + first + " (ls " + parentOf(first) + " shows what is there)");
            }
            rest = words.subList(1, words.size());
            if (rest.isEmpty()) {
                ctx.confirmCurrent();
                cd(at.path());
                return;
            }
        }
        String command = rest.getFirst();
        List<String> args = rest.subList(1, rest.size());
        ShellCommand offered = at.commands.get(command);
        boolean editsOnly = command.equals("set") || (offered != null && offered.editsOnly()
                && !BUILTINS.containsKey(command));
        if (!editsOnly) {
            ctx.confirmCurrent();
        }
        switch (command) {
            case "ls" -> ls(at, args);
            case "cd" -> cd(at, args);
            case "pwd" -> out.println(at.path());
            case "info" -> info(ctx, at);
            case "get" -> get(at, args);
            case "set" -> set(ctx, at, args);
            case "help" -> help(at, args);
            case "saveconfig" -> saveconfig(ctx, args);
            case "restoreconfig" -> restoreconfig(ctx, args);
            case "clearconfig" -> clearconfig(ctx, args);
            case "backups" -> backups(ctx);
            case "sessions" -> ShellSessions.run(ctx, args);
            case "faults" -> ShellFaults.run(ctx, args);
            case "status" -> status(ctx);
            case "exit", "quit" -> exit = true;
            default -> {
                ShellCommand c = at.commands.get(command);
                if (c == null) {
                    throw new ShellException("no command '" + command + "' at " + at.path() + " (here: "
                            + String.join(", ", commandNames(at)) + ")");
                }
                c.handler().run(ShellArgs.parse(c, args), ctx);
            }
        }
    }

    static List<String> commandNames(ShellNode n) {
        List<String> names = new ArrayList<>(n.commands.keySet());
        names.addAll(BUILTINS.keySet());
        return names;
    }

    private static String parentOf(String path) {
        int cut = path.lastIndexOf('/');
        return cut <= 0 ? (path.startsWith("/") ? "/" : ".") : path.substring(0, cut);
    }

    private void cd(String path) {
        if (!path.equals(cwd)) {
            previous = cwd;
            cwd = path;
        }
    }

    private void cd(ShellNode at, List<String> args) throws ShellException {
        if (args.isEmpty()) {
            cd(at.parent == null || at.path().equals(cwd) ? "/" : at.path());
            return;
        }
        if (args.getFirst().equals("-")) {
            cd(previous);
            return;
        }
        ShellNode to = at.resolve(args.getFirst());
        if (to == null) {
            throw new ShellException("no such path: " + args.getFirst());
        }
        cd(to.path());
    }

    private void ls(ShellNode at, List<String> args) throws ShellException {
        ShellNode from = at;
        int depth = Integer.MAX_VALUE;
        for (String a : args) {
            if (a.matches("(depth=)?[0-9]+")) {
                depth = ShellWords.number("depth", a.replace("depth=", ""), 0, 1000);
            } else {
                from = at.resolve(a);
                if (from == null) {
                    throw new ShellException("no such path: " + a);
                }
            }
        }
        TreeView.print(out, from, depth, width);
    }

    private void info(ShellContext ctx, ShellNode at) throws ShellException {
        out.println(at.path() + ": " + at.what);
        if (!at.status().isEmpty()) {
            out.println("status: " + at.status());
        }
        at.infoLines().forEach(out::println);
        ShellFaults.info(ctx, at.path(), out);
        for (var group : at.groups.entrySet()) {
            for (ShellAttribute a : group.getValue().values()) {
                out.println(group.getKey() + " " + a.name() + "=" + ShellWords.quoteIfNeeded(a.value()));
            }
        }
    }

    private void get(ShellNode at, List<String> args) throws ShellException {
        if (at.groups.isEmpty()) {
            throw new ShellException(at.path() + " has no attributes");
        }
        List<String> names = args;
        Map<String, Map<String, ShellAttribute>> groups = at.groups;
        if (!args.isEmpty() && at.groups.containsKey(args.getFirst())) {
            groups = Map.of(args.getFirst(), at.groups.get(args.getFirst()));
            names = args.subList(1, args.size());
        }
        for (String name : names) {
            if (find(at, groups, name) == null) {
                throw new ShellException(at.path() + " has no attribute " + name + " (get lists them)");
            }
        }
        for (var group : groups.entrySet()) {
            if (names.isEmpty()) {
                out.println(group.getKey().toUpperCase() + ":");
            }
            for (ShellAttribute a : group.getValue().values()) {
                if (names.isEmpty()) {
                    out.println("  " + a.name() + "=" + ShellWords.quoteIfNeeded(a.value()) + "    # " + a.help()
                            + (a.setter() == null ? " (read-only)" : ""));
                } else if (names.contains(a.name())) {
                    out.println(a.name() + "=" + ShellWords.quoteIfNeeded(a.value()));
                }
            }
        }
    }

    private static ShellAttribute find(ShellNode at, Map<String, Map<String, ShellAttribute>> groups, String name) {
        for (var g : groups.values()) {
            if (g.containsKey(name)) {
                return g.get(name);
            }
        }
        return null;
    }

    private void set(ShellContext ctx, ShellNode at, List<String> args) throws ShellException {
        Map<String, Map<String, ShellAttribute>> groups = at.groups;
        List<String> pairs = args;
        if (!args.isEmpty() && at.groups.containsKey(args.getFirst())) {
            groups = Map.of(args.getFirst(), at.groups.get(args.getFirst()));
            pairs = args.subList(1, args.size());
        } else if (!args.isEmpty() && !args.getFirst().contains("=")) {
            throw new ShellException(at.path() + " has no attribute group " + args.getFirst() + " (groups: "
                    + String.join(", ", at.groups.keySet()) + ")");
        }
        if (pairs.isEmpty()) {
            throw new ShellException("set what? e.g. set attribute NAME=VALUE (get lists them)");
        }
        List<ShellAttribute> attributes = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ShellException("'" + pair + "': write NAME=VALUE");
            }
            ShellAttribute a = find(at, groups, pair.substring(0, eq));
            if (a == null) {
                throw new ShellException(at.path() + " has no attribute " + pair.substring(0, eq) + " (get lists them)");
            }
            if (a.setter() == null) {
                throw new ShellException(a.name() + " is read-only: " + a.help());
            }
            attributes.add(a);
            values.add(pair.substring(eq + 1));
        }
        ctx.edit(running -> {
            Config next = running;
            for (int i = 0; i < attributes.size(); i++) {
                next = attributes.get(i).setter().set(next, values.get(i));
            }
            return next;
        });
        for (int i = 0; i < attributes.size(); i++) {
            out.println("Parameter " + attributes.get(i).name() + " is now '" + values.get(i) + "'.");
        }
    }

    private void help(ShellNode at, List<String> args) {
        if (!args.isEmpty()) {
            String name = args.getFirst();
            ShellCommand c = at.commands.get(name);
            if (c != null) {
                out.println(c.usage() + "\n  " + c.help());
                for (ShellCommand.Param p : c.params()) {
                    out.println("  " + p.name() + (p.required() ? "" : " (optional)") + ": " + p.help());
                }
            } else if (BUILTINS.containsKey(name)) {
                out.println(BUILTINS.get(name));
            } else {
                out.println("no command " + name + " here");
            }
            return;
        }
        out.println(at.path() + ": " + at.what);
        if (!at.commands.isEmpty()) {
            out.println("Commands here:");
            at.commands.values().forEach(c -> out.println("  " + c.usage() + "\n      " + c.help()));
        }
        for (var group : at.groups.entrySet()) {
            out.println("Attributes in group " + group.getKey() + " (get " + group.getKey() + ", set "
                    + group.getKey() + " NAME=VALUE):");
            group.getValue().values().forEach(a -> out.println("  " + a.name() + (a.setter() == null
                    ? " (read-only)" : "") + ": " + a.help()));
        }
        out.println("Everywhere:");
        BUILTINS.values().forEach(h -> out.println("  " + h));
    }

    private void saveconfig(ShellContext ctx, List<String> args) throws ShellException {
        SaveConfig.Builder s = SaveConfig.newBuilder();
        if (!args.isEmpty()) {
            s.setFile(workingFolder.resolve(args.getFirst().replaceFirst("^savefile=", "")).toString());
        }
        Saved saved = ctx.call(Request.newBuilder().setSaveConfig(s).build()).getSaved();
        if (saved.getUnchanged()) {
            out.println("Configuration unchanged: " + saved.getFile() + " holds it already.");
        } else {
            out.println("Configuration saved to " + saved.getFile() + "."
                    + (saved.getBackup().isEmpty() ? "" : " The previous one is " + saved.getBackup() + "."));
        }
    }

    private void restoreconfig(ShellContext ctx, List<String> args) throws ShellException {
        RestoreConfig.Builder r = RestoreConfig.newBuilder();
        for (String a : args) {
            if (a.startsWith("backup=")) {
                r.setBackup(a.substring(7));
            } else {
                r.setFile(workingFolder.resolve(a.replaceFirst("^savefile=", "")).toString());
            }
        }
        Response resp = ctx.raw(Request.newBuilder().setRestoreConfig(r).build());
        if (resp.hasError()) {
            throw new ShellException(resp.getError().getMessage() + "\nThe running configuration is unchanged.");
        }
        out.println("Configuration restored" + (r.hasBackup() ? " from backup " + r.getBackup()
                : r.getFile().isEmpty() ? " from " + ctx.state().getConfigFile() : " from " + r.getFile())
                + " (generation " + resp.getConfig().getGeneration() + ").");
    }

    private void clearconfig(ShellContext ctx, List<String> args) throws ShellException {
        boolean confirm = false;
        for (String a : args) {
            if (a.startsWith("confirm=")) {
                confirm = ShellWords.bool("confirm", a.substring(8));
            }
        }
        ctx.call(Request.newBuilder().setClearConfig(ClearConfig.newBuilder().setConfirm(confirm)).build());
        out.println("All configuration cleared (saveconfig would make that permanent).");
        cwd = "/";
    }

    private void backups(ShellContext ctx) throws ShellException {
        Backups b = ctx.call(Request.newBuilder().setListBackups(ListBackups.getDefaultInstance()).build())
                .getBackups();
        if (b.getBackupsCount() == 0) {
            out.println("No backups in " + b.getFolder() + " yet (each saveconfig that changes the file makes one).");
        }
        for (Backup x : b.getBackupsList()) {
            out.println(x.getName() + "  " + Instant.ofEpochSecond(x.getModified()) + "  " + x.getSize() + " bytes");
        }
    }

    private void status(ShellContext ctx) throws ShellException {
        Status s = ctx.status();
        out.println(s.getVersion() + ", pid " + s.getPid() + ", up " + s.getUptimeSeconds() + " s");
        out.println("configuration: " + s.getConfigFile() + " (generation " + s.getGeneration() + ")");
        out.println("state folder: " + s.getStateDir());
        out.println("control socket: " + s.getControlSocket());
        out.println("iSCSI portals listening: " + (s.getListeningCount() == 0 ? "none"
                : String.join(", ", s.getListeningList())));
        out.println("kernel target (configfs): " + (s.getKernelTargetPresent() ? "present"
                : "absent on this host: /tcmu, /loopback and /lio_iscsi cannot be served here"));
    }
}
