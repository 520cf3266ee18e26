package org.lunforge.server.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One node of the tree the shell walks (/backstores/memory/disk0, /iscsi/IQN/tpg1/luns/lun0, /vtl/vtl0/slots/slot3),
 * built from one snapshot of the running configuration: its children, the commands it offers beyond the shell's own,
 * its attribute groups for get/set, a one-line status for ls and the lines of info.
 *
 * <p>A node may be built in two steps: its name and status at once (what ls of its parent shows), the rest by a
 * filler when the node is first reached through {@link #resolve} or {@link #filled}. Each shell command builds a
 * fresh tree, so a tree of a thousand disks must cost little beyond the nodes the command walks: invariant: any
 * code that reads a node's commands, attributes, info or children reached it through resolve or called filled.
 */
final class ShellNode {
    final String name;
    final ShellNode parent;
    /** What this node is, in a few words, for help. */
    final String what;
    /** The status ls shows beside the name. */
    String status = "";
    final Map<String, ShellNode> children = new LinkedHashMap<>();
    final Map<String, ShellCommand> commands = new LinkedHashMap<>();
    /** Attribute groups by name ("attribute", "parameter", "auth"), each attribute by name. */
    final Map<String, Map<String, ShellAttribute>> groups = new LinkedHashMap<>();
    /** Lines info prints beyond the attributes. */
    final List<String> info = new ArrayList<>();

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
        return this;
    }

    ShellNode command(ShellCommand command) {
        commands.put(command.name(), command);
        return this;
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
            n = n.children.get(part);
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
