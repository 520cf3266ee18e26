package org.lunforge.backstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;
import org.lunforge.scsi.StateStore;

/**
 * A {@link StateStore} in a directory, one file per key. {@link #save} replaces a file atomically: write
 * {@code key.tmp}, fsync it, rename it over {@code key}, fsync the directory. After a crash a key holds its old value
 * or its new one, never a mixture; a stale {@code .tmp} is ignored and overwritten by the next save.
 */
public final class FileStateStore implements StateStore {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final Path directory;

    public FileStateStore(Path directory) throws IOException {
        this.directory = Files.createDirectories(directory);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public byte[] load(String key) throws IOException {
        try {
            return Files.readAllBytes(file(key));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public synchronized void save(String key, byte[] value) throws IOException {
        Path target = file(key);
        Path temp = directory.resolve(key + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(value);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + target + " atomically", e);
        }
        syncDirectory();
    }

    /** The rename is durable only once the directory entry is: fsync the directory itself. */
    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private Path file(String key) {
        if (!KEY.matcher(key).matches() || key.endsWith(".tmp")) {
            throw new IllegalArgumentException("bad state key: " + key);
        }
        return directory.resolve(key);
    }
}
