package org.lunforge.backstore.tape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file replacement that survives a crash: after one, the file holds either its old or its new contents. The new
 * contents go to a temporary file that is synced, renamed over the old one, and the folder is synced so the rename
 * itself is durable (POSIX rename is atomic; its durability needs the directory's fsync).
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    static void replace(Path target, ByteBuffer contents) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = contents.duplicate();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncFolder(target.getParent());
    }

    /** Removes the file and makes the removal durable; a missing file is not an error. */
    static void delete(Path target) throws IOException {
        try {
            Files.delete(target);
        } catch (NoSuchFileException e) {
            return;
        }
        syncFolder(target.getParent());
    }

    static void syncFolder(Path folder) throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    static ByteBuffer readAll(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file));
    }
}
