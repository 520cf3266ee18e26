package org.lunforge.server.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What TAB proposes for the word being typed: commands and paths first; then, by command, paths (cd, ls), attribute
 * groups, names and values (get, set), a command's parameters as NAME= and the values it knows (object paths,
 * barcodes on the shelf, drive models). A proposal ending in '/' or '=' expects more to be typed.
 */
final class ShellCompletion {
    private ShellCompletion() {
    }

    static List<String> complete(Shell shell, String line) {
        List<String> words;
        try {
            words = new ArrayList<>(ShellWords.split(line));
        } catch (ShellException e) {
            return List.of();
        }
        boolean fresh = line.isEmpty() || Character.isWhitespace(line.charAt(line.length() - 1));
        String partial = fresh || words.isEmpty() ? "" : words.removeLast();
        ShellContext ctx;
        ShellNode here;
        try {
            ctx = shell.context();
            ShellNode root = shell.tree(ctx);
            here = root.resolve(shell.cwd());
            if (here == null) {
                here = root;
            }
        } catch (ShellException e) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (words.isEmpty()) {
            out.addAll(Shell.commandNames(here));
            out.addAll(paths(here, partial));
            return matching(out, partial);
        }
        ShellNode at = here;
        List<String> rest = words;
        String first = words.getFirst();
        if (first.startsWith("/") || first.startsWith(".") || (!Shell.BUILTINS.containsKey(first)
                && !here.commands.containsKey(first) && here.resolve(first) != null)) {
            at = here.resolve(first);
            if (at == null) {
                return List.of();
            }
            rest = words.subList(1, words.size());
            if (rest.isEmpty()) {
                return matching(Shell.commandNames(at), partial);
            }
        }
        String command = rest.getFirst();
        List<String> given = rest.subList(1, rest.size());
        switch (command) {
            case "cd", "ls" -> out.addAll(paths(at, partial));
            case "help" -> out.addAll(Shell.commandNames(at));
            case "get", "set" -> attributes(at, command.equals("set"), given, partial, out);
            case "clearconfig" -> out.add("confirm=true");
            case "restoreconfig" -> out.add("backup=latest");
            default -> {
                ShellCommand c = at.commands.get(command);
                if (c != null) {
                    parameters(c, ctx, given, partial, out);
                }
            }
        }
        return matching(out, partial);
    }

    private static List<String> matching(List<String> candidates, String partial) {
        return new ArrayList<>(new TreeSet<>(candidates.stream().filter(c -> c.startsWith(partial)).toList()));
    }

    /** Paths below {@code at} completing {@code partial} ("/backstores/me" gives "/backstores/memory/"). */
    static List<String> paths(ShellNode at, String partial) {
        int cut = partial.lastIndexOf('/');
        String base = cut < 0 ? "" : partial.substring(0, cut + 1);
        ShellNode dir = base.isEmpty() ? at : at.resolve(base);
        List<String> out = new ArrayList<>();
        if (dir == null) {
            return out;
        }
        for (ShellNode child : dir.children().values()) {
            out.add(base + child.name + (child.filled().children().isEmpty() ? "" : "/"));
        }
        return out;
    }

    private static void attributes(ShellNode at, boolean set, List<String> given, String partial, List<String> out) {
        var groups = at.groups;
        if (!given.isEmpty() && groups.containsKey(given.getFirst())) {
            groups = java.util.Map.of(given.getFirst(), groups.get(given.getFirst()));
        } else if (given.isEmpty()) {
            out.addAll(groups.keySet());
        }
        int eq = partial.indexOf('=');
        for (var g : groups.values()) {
            for (ShellAttribute a : g.values()) {
                if (!set) {
                    out.add(a.name());
                } else if (eq > 0 && partial.substring(0, eq).equals(a.name())) {
                    a.values().forEach(v -> out.add(a.name() + "=" + v));
                } else if (a.setter() != null) {
                    out.add(a.name() + "=");
                }
            }
        }
    }

    private static void parameters(ShellCommand c, ShellContext ctx, List<String> given, String partial,
                                   List<String> out) {
        int eq = partial.indexOf('=');
        if (eq > 0) {
            for (ShellCommand.Param p : c.params()) {
                if (p.name().equals(partial.substring(0, eq)) && p.values() != null) {
                    p.values().apply(ctx).forEach(v -> out.add(p.name() + "=" + v));
                }
            }
            return;
        }
        int positional = (int) given.stream().filter(w -> !w.contains("=")).count();
        List<String> named = given.stream().filter(w -> w.contains("=")).map(w -> w.substring(0, w.indexOf('=')))
                .toList();
        List<ShellCommand.Param> open = c.params().stream().filter(p -> !named.contains(p.name())).toList();
        if (positional < open.size() && open.get(positional).values() != null) {
            out.addAll(open.get(positional).values().apply(ctx));
        }
        for (ShellCommand.Param p : open.subList(Math.min(positional, open.size()), open.size())) {
            out.add(p.name() + "=");
        }
    }
}
