package org.lunforge.tcmu;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * configfs as LIO shows it, over a temporary directory: a mkdir creates the object's attribute files and default
 * groups, a write needs an existing attribute, rmdir refuses while links or child objects remain and while the object
 * is linked to, and the tcm_loop and dbroot rules the kernel enforces (or that cost a scan, as seen in the kernel lab)
 * are checked. Every operation is logged relative to the root.
 */
public final class FakeConfigfs implements ConfigfsOps {
    public final Path root;
    public final List<String> log = new ArrayList<>();
    private final Set<Path> defaults = new HashSet<>();

    public FakeConfigfs(Path root) throws IOException {
        this.root = root;
        for (String dir : List.of("core", "loopback", "iscsi")) {
            Files.createDirectories(root.resolve(dir));
            defaults.add(root.resolve(dir));
        }
        Files.writeString(root.resolve("dbroot"), "/etc/target");
        defaults.add(root.resolve("dbroot"));
    }

    private String rel(Path p) {
        return root.relativize(p).toString();
    }

    @Override
    public void mkdir(Path dir) throws IOException {
        if (!Files.isDirectory(dir.getParent())) {
            throw new NoSuchFileException(dir.getParent().toString());
        }
        Files.createDirectory(dir);
        log.add("mkdir " + rel(dir));
        String[] parts = rel(dir).split("/");
        if (parts[0].equals("core") && parts.length == 3) {
            files(dir, "control", "enable", "udev_path", "info");
            files(dir.resolve("attrib"), "tmr_notification", "cmd_time_out", "qfull_time_out", "emulate_write_cache",
                    "hw_block_size", "hw_max_sectors", "dev_config", "dev_size", "max_data_area_mb",
                    "nl_reply_supported", "alua_support", "pgr_support");
            Files.writeString(dir.resolve("attrib/hw_block_size"), "512\n");
            Files.writeString(dir.resolve("attrib/hw_max_sectors"), "128\n");
            Files.writeString(dir.resolve("attrib/tmr_notification"), "0\n");
            Files.writeString(dir.resolve("attrib/cmd_time_out"), "30\n");
            Files.writeString(dir.resolve("attrib/max_data_area_mb"), "1024\n");
            Files.writeString(dir.resolve("enable"), "0\n");
            files(dir.resolve("action"), "block_dev", "reset_ring", "free_kept_buf");
            files(dir.resolve("pr"));
            files(dir.resolve("alua"));
        } else if (parts[0].equals("loopback") && parts.length == 3) {
            files(dir, "nexus", "address");
            files(dir.resolve("lun"));
        } else if (parts[0].equals("iscsi") && parts.length == 3) {
            files(dir, "enable");
            files(dir.resolve("lun"));
            files(dir.resolve("np"));
            files(dir.resolve("acls"));
            files(dir.resolve("attrib"), "authentication", "generate_node_acls", "cache_dynamic_acls",
                    "demo_mode_write_protect");
            files(dir.resolve("auth"), "userid", "password", "userid_mutual", "password_mutual");
        } else if (parts[0].equals("iscsi") && parts.length == 5 && parts[3].equals("acls")) {
            files(dir.resolve("auth"), "userid", "password", "userid_mutual", "password_mutual");
        } else if (parts[0].equals("iscsi") && parts.length == 6 && parts[3].equals("acls")) {
            files(dir, "write_protect");
        } else if (parts.length >= 2 && parts[parts.length - 2].equals("lun")) {
            files(dir, "alua_tg_pt_gp");
        }
    }

    private void files(Path dir, String... names) throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectory(dir);
            defaults.add(dir);
        }
        for (String name : names) {
            Files.writeString(dir.resolve(name), "");
            defaults.add(dir.resolve(name));
        }
    }

    @Override
    public void write(Path attribute, String value) throws IOException {
        if (!Files.isRegularFile(attribute, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(attribute.toString(), null, "configfs creates no files");
        }
        String name = rel(attribute);
        if (name.equals("dbroot") && anyDevice()) {
            throw new FileSystemException(name, null, "dbroot cannot change once a device exists");
        }
        if (name.endsWith("/nexus") && value.equals("NULL") && hasLinks(attribute.getParent().resolve("lun"))) {
            throw new FileSystemException(name, null, "Unable to remove I_T Nexus with active TPG port count");
        }
        if (name.endsWith("/control") && !value.matches("[a-z_]+=[^,\\n]*")) {
            throw new FileSystemException(name, null, "one option per write expected: " + value);
        }
        if (name.endsWith("/control")) {
            // The kernel keeps each control option; configfs shows most of them as attributes.
            String key = value.substring(0, value.indexOf('='));
            Path shown = attribute.getParent().resolve("attrib").resolve(key);
            if (Files.exists(shown)) {
                Files.writeString(shown, value.substring(key.length() + 1) + "\n");
            }
        } else {
            Files.writeString(attribute, value + "\n"); // the kernel shows values with a newline
        }
        log.add("write " + name + " " + value);
    }

    @Override
    public String read(Path attribute) throws IOException {
        return Files.readString(attribute);
    }

    @Override
    public void symlink(Path link, Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            throw new NoSuchFileException(target.toString());
        }
        String name = rel(link);
        if (name.startsWith("loopback/")) {
            Path nexus = link.getParent().getParent().getParent().resolve("nexus");
            String current = Files.readString(nexus).strip();
            if (current.isEmpty() || current.equals("NULL")) {
                throw new FileSystemException(name, null, "TCM_Loop I_T Nexus does not exist: the scan would fail");
            }
        }
        Files.createSymbolicLink(link, target);
        log.add("link " + name + " -> " + rel(target));
    }

    @Override
    public void unlink(Path link) throws IOException {
        if (!Files.isSymbolicLink(link)) {
            throw new NoSuchFileException(link.toString());
        }
        Files.delete(link);
        log.add("unlink " + rel(link));
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(dir.toString());
        }
        if (isLinkedTo(dir)) {
            throw new FileSystemException(rel(dir), null, "EBUSY: still linked");
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                if (!p.equals(dir) && !defaults.contains(p)) {
                    throw new DirectoryNotEmptyException(rel(dir) + " holds " + rel(p));
                }
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
                defaults.remove(p);
            }
        }
        log.add("rmdir " + rel(dir));
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    private boolean anyDevice() throws IOException {
        try (Stream<Path> walk = Files.walk(root.resolve("core"), 2)) {
            return walk.anyMatch(p -> p.getNameCount() - root.resolve("core").getNameCount() == 2);
        }
    }

    private boolean hasLinks(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.anyMatch(Files::isSymbolicLink);
        }
    }

    private boolean isLinkedTo(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
                if (Files.readSymbolicLink(p).equals(dir)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every path below the root that is not a default entry: empty once everything was torn down. */
    public List<String> leftovers() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !p.equals(root) && !defaults.contains(p)).map(this::rel).sorted().toList();
        }
    }
}
