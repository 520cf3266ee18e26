package org.lunforge.device.vtl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.lunforge.backstore.AtomicFileReplacement;

/**
 * The inventory's file in the library's state folder, replaced atomically ({@link AtomicFileReplacement}): the new
 * content goes to an exclusively created temporary file that is forced to disk, renamed over {@code inventory} (an
 * atomic rename on POSIX file systems), and the folder is forced so the rename itself is durable. After a crash at any
 * point, {@code inventory} holds the old or the new content, whole; a leftover temporary file is an unfinished save
 * and is discarded at the next load. The file is read only if it is no longer than {@link #MAX_LENGTH}.
 */
final class InventoryFile {
    static final String NAME = "inventory";
    /** The fixed temporary name of earlier versions: still discarded at load, never written. */
    static final String TEMPORARY = "inventory.tmp";
    /**
     * The longest inventory: a line of at most 128 characters for each of the 65536 element addresses (the
     * ELEMENT ADDRESS field is two bytes, SMC-3 6.10), plus the magic line and the checksum.
     */
    static final long MAX_LENGTH = 65_536L * 128 + 1024;

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
        AtomicFileReplacement.discardTemporaries(path());
        try {
            ByteBuffer b = AtomicFileReplacement.read(path(), MAX_LENGTH);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    void save(byte[] content) throws IOException {
        Files.createDirectories(folder);
        AtomicFileReplacement.replace(path(), ByteBuffer.wrap(content), stage -> fault.at(switch (stage) {
            case TEMPORARY_WRITTEN -> Stage.TEMPORARY_WRITTEN;
            case REPLACED -> Stage.REPLACED;
        }));
    }
}
