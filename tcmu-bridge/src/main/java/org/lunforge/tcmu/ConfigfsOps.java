package org.lunforge.tcmu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file operations configfs set-up needs. In configfs a mkdir creates an object with its attribute files, a write
 * of an attribute is one write(2) that the kernel parses, a symlink links two objects, and rmdir destroys an object
 * (refused while it still has links or child objects). Tests substitute a fake tree that behaves that way.
 */
public interface ConfigfsOps {
    void mkdir(Path dir) throws IOException;

    void write(Path attribute, String value) throws IOException;

    String read(Path attribute) throws IOException;

    void symlink(Path link, Path target) throws IOException;

    void unlink(Path link) throws IOException;

    void rmdir(Path dir) throws IOException;

    boolean exists(Path path);

    /** The names in a directory (attributes, child objects and links alike), sorted; empty if it does not exist. */
    default List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** True for a link between objects (a LUN's link to its backstore, an ACL's link to a LUN). */
    default boolean isLink(Path path) {
        return Files.isSymbolicLink(path);
    }

    /** True for an object (a directory), not an attribute or a link. */
    default boolean isObject(Path path) {
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** Where a link points, as an absolute, normalized path (configfs writes them relative). */
    default Path linkTarget(Path link) throws IOException {
        Path target = Files.readSymbolicLink(link);
        return (target.isAbsolute() ? target : link.getParent().resolve(target)).normalize();
    }

    /** The real configfs. */
    static ConfigfsOps kernel() {
        return new ConfigfsOps() {
            @Override
            public void mkdir(Path dir) throws IOException {
                Files.createDirectory(dir);
            }

            @Override
            public void write(Path attribute, String value) throws IOException {
                // One write(2): configfs hands each write to the attribute's store function as a whole.
                Files.write(attribute, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            }

            @Override
            public String read(Path attribute) throws IOException {
                return Files.readString(attribute, StandardCharsets.US_ASCII);
            }

            @Override
            public void symlink(Path link, Path target) throws IOException {
                Files.createSymbolicLink(link, target);
            }

            @Override
            public void unlink(Path link) throws IOException {
                Files.delete(link);
            }

            @Override
            public void rmdir(Path dir) throws IOException {
                Files.delete(dir);
            }

            @Override
            public boolean exists(Path path) {
                return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
            }
        };
    }
}
