package org.lunforge.server.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShellNodeTest {
    /** A tree with many lazy disks, recording which were built. */
    private static ShellNode tree(List<String> built, int disks) {
        ShellNode root = new ShellNode("", null, "root");
        ShellNode memory = root.child("backstores", "disks").child("memory", "memory disks");
        for (int i = 0; i < disks; i++) {
            String name = "d" + i;
            memory.lazyChild(name, "a disk", n -> {
                built.add(name);
                n.status("1 MiB");
                n.info.add("path: /backstores/memory/" + name);
            });
        }
        return root;
    }

    @Test
    void aCommandOnOneDiskBuildsThatDiskOnly() {
        List<String> built = new ArrayList<>();
        ShellNode root = tree(built, 1000);

        ShellNode disk = root.resolve("/backstores/memory/d417");

        assertEquals(List.of("d417"), built);
        assertEquals("1 MiB", disk.status());
        assertEquals(List.of("path: /backstores/memory/d417"), disk.info);
        assertSame(disk, root.resolve("backstores/memory/d417"));
        assertEquals(List.of("d417"), built, "a node is built once");
    }

    @Test
    void resolvingTheGroupBuildsNoDisk() {
        List<String> built = new ArrayList<>();
        ShellNode root = tree(built, 3);

        root.resolve("/backstores/memory");

        assertTrue(built.isEmpty());
    }

    @Test
    void lsShowsTheStatusOfEveryLazyChild() {
        List<String> built = new ArrayList<>();
        ShellNode memory = tree(built, 3).resolve("/backstores/memory");
        StringWriter out = new StringWriter();

        TreeView.print(new PrintWriter(out, true), memory, 1, 60);

        assertEquals(List.of("d0", "d1", "d2"), built);
        assertEquals(3, out.toString().lines().filter(l -> l.contains("[1 MiB]")).count(), out.toString());
    }
}
