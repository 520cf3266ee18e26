package org.lunforge.server.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One node of the tree the shell walks (/backstores/memory/disk0, /iscsi/IQN/tpg1/luns/lun0, /vtl/vtl0/slots/slot3),
 * built from one snapshot of the running configuration: its children, the commands it offers beyond the shell's own,
 * its attribute groups for get/set, a one-line status for ls and the lines of info.
 *
 * <p>A node may be built in two steps: its name and status at once (what ls of its parent shows), the rest by a
 * filler when the node is first reached through {@link #resolve} or {@link #filled}. Each shell command builds a
 * fresh tree, so a tree of a thousand disks must cost little beyond the nodes the command walks: invariant: any
 * code that reads a node's commands, attributes, info or children reached it through resolve or called filled.
 *
 * <p>A node's children may be made on demand too ({@link #lazyChildren}): the one a path names when it is resolved,
 * all of them only when they are listed ({@link #children()}), so that a command on one of a thousand disks or LUNs
 * makes one node, not a thousand. A status may wait until it is shown ({@link #status(Supplier)}), so that what it
 * needs from the daemon (sessions, status) is asked for only then.
 */
final class ShellNode {
    final String name;
    final ShellNode parent;
    /** What this node is, in a few words, for help. */
    final String what;
    /** The status ls shows beside the name, or null until {@link #statusLater} makes it. */
    private String status = "";
    private Supplier<String> statusLater;
    private final Map<String, ShellNode> children = new LinkedHashMap<>();
    /** The child of a name, made on demand (or null: there is none); and every child, made when listed. */
    private Function<String, ShellNode> findChild;
    private Consumer<ShellNode> allChildren;
    final Map<String, ShellCommand> commands = new LinkedHashMap<>();
    /** Attribute groups by name ("attribute", "parameter", "auth"), each attribute by name. */
    final Map<String, Map<String, ShellAttribute>> groups = new LinkedHashMap<>();
    /** Lines info prints beyond the attributes; and more made only when info prints them. */
    final List<String> info = new ArrayList<>();
    private Supplier<List<String>> infoLater;

    /** What is still to be built, or null. */
    private Consumer<ShellNode> filler;

    ShellNode(String name, ShellNode parent, String what) {
        this.name = name;
        this.parent = parent;
        this.what = what;
    }

    ShellNode child(String childName, String childWhat) {
        ShellNode n = new ShellNode(childName, this, childWhat);
        children.put(childName, n);
        return n;
    }

    /** A child whose commands, attributes, info and children {@code fill} adds when it is first reached. */
    ShellNode lazyChild(String childName, String childWhat, Consumer<ShellNode> fill) {
        ShellNode n = child(childName, childWhat);
        n.filler = fill;
        return n;
    }

    /** This node, built whole. */
    ShellNode filled() {
        Consumer<ShellNode> fill = filler;
        if (fill != null) {
            filler = null;
            fill.accept(this);
        }
        return this;
    }

    ShellNode status(String text) {
        this.status = text;
        this.statusLater = null;
        return this;
    }

    /** A status made when it is first shown. */
    ShellNode status(Supplier<String> later) {
        this.statusLater = later;
        return this;
    }

    String status() {
        if (statusLater != null) {
            status = statusLater.get();
            statusLater = null;
        }
        return status;
    }

    /**
     * Children made on demand: {@code find} makes the child of a name (through {@link #lazyChild} or {@link #child})
     * and returns it, or returns null when there is none; {@code all} makes every child, when they are listed.
     */
    ShellNode lazyChildren(Function<String, ShellNode> find, Consumer<ShellNode> all) {
        this.findChild = find;
        this.allChildren = all;
        return this;
    }

    /** Every child, in order (made now if they were made on demand). */
    Map<String, ShellNode> children() {
        Consumer<ShellNode> all = allChildren;
        if (all != null) {
            allChildren = null;
            findChild = null;
            // The children found on demand so far stay the nodes they are (a caller may hold one), in list order.
            Map<String, ShellNode> found = new LinkedHashMap<>(children);
            children.clear();
            all.accept(this);
            found.forEach((name, node) -> children.replace(name, node));
        }
        return children;
    }

    /** Lines for info made when it prints them (what the daemon must be asked for, such as sessions). */
    ShellNode info(Supplier<List<String>> later) {
        this.infoLater = later;
        return this;
    }

    /** Every line info prints beyond the attributes. */
    List<String> infoLines() {
        if (infoLater != null) {
            info.addAll(infoLater.get());
            infoLater = null;
        }
        return info;
    }

    /** The child of this name, made now if children are made on demand; null if there is none. */
    ShellNode childNamed(String childName) {
        ShellNode n = children.get(childName);
        if (n == null && findChild != null) {
            n = findChild.apply(childName);
        } else if (n == null && allChildren != null) {
            n = children().get(childName);
        }
        return n;
    }

    ShellNode command(ShellCommand command) {
        commands.put(command.name(), command);
        return this;
    }

    /** A command that only edits the configuration ({@link ShellCommand#editsOnly}). */
    ShellNode editCommand(ShellCommand command) {
        return command(command.editing());
    }

    ShellNode attribute(String group, ShellAttribute attribute) {
        groups.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(attribute.name(), attribute);
        return this;
    }

    String path() {
        if (parent == null) {
            return "/";
        }
        String up = parent.path();
        return (up.equals("/") ? "" : up) + "/" + name;
    }

    /** The node at {@code path}, absolute or relative to this one (".", "..", "a/b"); null if there is none. */
    ShellNode resolve(String path) {
        ShellNode n = (path.startsWith("/") ? root() : this).filled();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                n = n.parent == null ? n : n.parent;
                continue;
            }
            n = n.childNamed(part);
            if (n == null) {
                return null;
            }
            n.filled();
        }
        return n;
    }

    ShellNode root() {
        ShellNode n = this;
        while (n.parent != null) {
            n = n.parent;
        }
        return n;
    }
}
