package org.lunforge.backstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.lunforge.scsi.StateStore;

/**
 * A {@link StateStore} in a directory, one file per key. {@link #save} replaces a file atomically
 * ({@link AtomicFileReplacement}: an exclusively created temporary file, fsync, rename over {@code key}, fsync the
 * directory). After a crash a key holds its old value or its new one, never a mixture; a leftover temporary file
 * ({@code .key.<random>.tmp}) is removed when the key is next loaded. A value is at most {@link #MAX_VALUE} bytes,
 * which is also the most loading reads.
 */
public final class FileStateStore implements StateStore {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /**
     * The longest value: far above what the units keep (mode pages, and persistent reservations, whose registrations
     * SPC-4 lets a device bound), far below what would strain the daemon's memory if a damaged file claimed it.
     */
    public static final int MAX_VALUE = 16 << 20;

    private final Path directory;

    public FileStateStore(Path directory) throws IOException {
        this.directory = Files.createDirectories(directory);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public synchronized byte[] load(String key) throws IOException {
        Path target = file(key);
        AtomicFileReplacement.discardTemporaries(target); // what a save cut short by a crash left
        try {
            ByteBuffer b = AtomicFileReplacement.read(target, MAX_VALUE);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public synchronized void save(String key, byte[] value) throws IOException {
        Path target = file(key);
        if (value.length > MAX_VALUE) {
            throw new IOException("state " + key + ": " + value.length + " bytes, more than " + MAX_VALUE);
        }
        AtomicFileReplacement.replace(target, ByteBuffer.wrap(value));
    }

    private Path file(String key) {
        if (!KEY.matcher(key).matches() || key.endsWith(".tmp")) {
            throw new IllegalArgumentException("bad state key: " + key);
        }
        return directory.resolve(key);
    }
}
