package org.lunforge.device.vtl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The inventory's file in the library's state folder, replaced atomically: the new content is written to {@code
 * inventory.tmp} and forced to disk, renamed over {@code inventory} (an atomic rename on POSIX file systems), and the
 * folder is forced so the rename itself is durable. After a crash at any point, {@code inventory} holds the old or the
 * new content, whole; a leftover {@code inventory.tmp} is an unfinished save and is discarded.
 */
final class InventoryFile {
    static final String NAME = "inventory";
    static final String TEMPORARY = "inventory.tmp";

    /** Where a save can be interrupted, for tests that crash it there. */
    enum Stage {
        /** The temporary file is written and forced; the old inventory is still in place. */
        TEMPORARY_WRITTEN,
        /** The rename is done; the folder is not yet forced. */
        REPLACED
    }

    /** A test hook that may throw at a stage, as a crash or a failing disk would stop the save there. */
    interface Fault {
        Fault NONE = stage -> { };

        void at(Stage stage) throws IOException;
    }

    private final Path folder;
    private final Fault fault;

    InventoryFile(Path folder) {
        this(folder, Fault.NONE);
    }

    InventoryFile(Path folder, Fault fault) {
        this.folder = folder;
        this.fault = fault;
    }

    Path path() {
        return folder.resolve(NAME);
    }

    /** The saved content, or null if nothing was ever saved. */
    byte[] load() throws IOException {
        Files.deleteIfExists(folder.resolve(TEMPORARY));
        try {
            return Files.readAllBytes(path());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    void save(byte[] content) throws IOException {
        Files.createDirectories(folder);
        Path temporary = folder.resolve(TEMPORARY);
        try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        fault.at(Stage.TEMPORARY_WRITTEN);
        Files.move(temporary, path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fault.at(Stage.REPLACED);
        forceFolder();
    }

    /** Makes the rename durable; Linux allows fsync on a directory opened for reading. */
    private void forceFolder() throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
