package org.lunforge.server.shell;

import java.io.PrintWriter;
import java.util.List;

/**
 * ls's drawing of the tree: one line per node, "o- name", a line of dots, and the node's status in brackets at the
 * right margin; a "|" continues each level that has more nodes below.
 */
final class TreeView {
    private TreeView() {
    }

    static void print(PrintWriter out, ShellNode from, int depth, int width) {
        line(out, "", from.parent == null ? "/" : from.name, from.status(), width);
        walk(out, from, "  ", depth, width);
    }

    private static void walk(PrintWriter out, ShellNode node, String prefix, int depth, int width) {
        if (depth <= 0) {
            return;
        }
        List<ShellNode> children = List.copyOf(node.children().values());
        for (int i = 0; i < children.size(); i++) {
            ShellNode c = children.get(i).filled();
            boolean last = i == children.size() - 1;
            line(out, prefix, c.name, c.status(), width);
            walk(out, c, prefix + (last ? "  " : "| "), depth - 1, width);
        }
    }

    private static void line(PrintWriter out, String prefix, String name, String status, int width) {
        StringBuilder sb = new StringBuilder(prefix).append("o- ").append(name).append(' ');
        String right = status.isEmpty() ? "" : " [" + status + "]";
        int dots = width - sb.length() - right.length();
        if (right.isEmpty()) {
            out.println(sb.toString().stripTrailing());
            return;
        }
        sb.append(".".repeat(Math.max(3, dots)));
        out.println(sb.append(right));
    }
}
