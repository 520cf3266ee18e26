package org.lunforge.backstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A small file's contents replaced whole so that a crash leaves the old or the new contents, never a mixture, and so
 * that nothing but the named file is ever written (the daemon's state folders may be shared with other users).
 *
 * <ul>
 *   <li>The new contents go to a temporary file in the same folder, created exclusively ({@code O_CREAT|O_EXCL}:
 *       an existing file, or a symlink planted there, makes creation fail instead of being followed) under a name with
 *       64 random bits, {@code .<name>.<hex>.tmp}. It is synced before it is renamed.</li>
 *   <li>{@link #replace} renames it over the target (POSIX rename(2) is atomic and replaces a symlink itself, never
 *       its target); {@link #create} hard-links it to the target instead, which fails atomically if any file or link
 *       of that name exists: the check and the claim are one operation, so of two creators exactly one wins.</li>
 *   <li>The folder is synced afterwards: the rename or link is durable only once its directory entry is.</li>
 * </ul>
 * On a failure the temporary file is removed and the target is as it was. A crash can leave a temporary file behind;
 * {@link #discardTemporaries} removes those of one target. File attributes given (e.g. mode 0600 for a file that holds
 * secrets) are set when the temporary file is created, so the contents are never readable under other ones.
 */
public final class AtomicFileReplacement {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TEMPORARY_SUFFIX = ".tmp";

    /** Where a replacement can be interrupted, for tests that crash it there. */
    public enum Stage {
        /** The temporary file is written and synced; the target is as it was. */
        TEMPORARY_WRITTEN,
        /** The target has its new contents; the folder is not yet synced. */
        REPLACED
    }

    /** A test hook that may throw at a stage, as a crash or a failing disk would stop the replacement there. */
    @FunctionalInterface
    public interface Fault {
        Fault NONE = stage -> { };

        void at(Stage stage) throws IOException;
    }

    private AtomicFileReplacement() {
    }

    /** Replaces (or creates) {@code target} with {@code contents}, atomically and durably. */
    public static void replace(Path target, ByteBuffer contents) throws IOException {
        replace(target, contents, Fault.NONE);
    }

    public static void replace(Path target, ByteBuffer contents, Fault fault, FileAttribute<?>... attributes)
            throws IOException {
        Path temporary = writeTemporary(target, contents, attributes);
        try {
            fault.at(Stage.TEMPORARY_WRITTEN);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            discard(temporary, e);
            throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            discard(temporary, e);
            throw e;
        }
        fault.at(Stage.REPLACED);
        syncFolder(folderOf(target));
    }

    /**
     * Creates {@code target} with {@code contents} only if no file, directory or link of that name exists; whole or not
     * at all, durably.
     *
     * @throws FileAlreadyExistsException if the name is taken (nothing was changed then)
     */
    public static void create(Path target, ByteBuffer contents, FileAttribute<?>... attributes) throws IOException {
        Path temporary = writeTemporary(target, contents, attributes);
        try {
            Files.createLink(target, temporary);
        } finally {
            Files.deleteIfExists(temporary);
        }
        syncFolder(folderOf(target));
    }

    /** Removes the file (a link itself, not its target) and makes the removal durable; a missing file is fine. */
    public static void delete(Path target) throws IOException {
        try {
            Files.delete(target);
        } catch (NoSuchFileException e) {
            return;
        }
        syncFolder(folderOf(target));
    }

    /** Makes the folder's entries durable; Linux allows fsync on a directory opened for reading. */
    public static void syncFolder(Path folder) throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /**
     * The whole file, refused unread if it is longer than {@code maxLength}: the most its format can hold. A damaged or
     * hostile file then costs an error, not an allocation of its size.
     */
    public static ByteBuffer read(Path file, long maxLength) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > maxLength) {
                throw new IOException(file + ": " + size + " bytes, more than the " + maxLength
                        + " its format allows (damaged)");
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // until the size read at open, or an end of file that came sooner (a file cut meanwhile)
            }
            return b.flip();
        }
    }

    /** Removes the temporary files a crash left behind while {@code target} was being replaced. */
    public static void discardTemporaries(Path target) throws IOException {
        Path folder = folderOf(target);
        // Exactly this target's names: ".pr.<hex>.tmp" is the key pr's, ".pr.x.<hex>.tmp" is pr.x's.
        Pattern own = Pattern.compile(Pattern.quote("." + target.getFileName() + ".") + "[0-9a-f]{16}"
                + Pattern.quote(TEMPORARY_SUFFIX));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder,
                p -> own.matcher(p.getFileName().toString()).matches())) {
            for (Path p : files) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // no folder, no temporaries
        }
    }

    /** A new, exclusively created temporary file beside {@code target}, holding {@code contents}, synced. */
    private static Path writeTemporary(Path target, ByteBuffer contents, FileAttribute<?>... attributes)
            throws IOException {
        Path folder = folderOf(target);
        byte[] bits = new byte[8];
        for (int attempt = 0; ; attempt++) {
            RANDOM.nextBytes(bits);
            Path temporary = folder.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(bits)
                    + TEMPORARY_SUFFIX);
            FileChannel ch;
            try {
                ch = FileChannel.open(temporary, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        attributes);
            } catch (FileAlreadyExistsException e) {
                if (attempt < 16) {
                    continue; // 64 random bits: only a planted file gets here, and not sixteen times
                }
                throw e;
            }
            try (ch) {
                ByteBuffer b = contents.duplicate();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            } catch (IOException | RuntimeException e) {
                discard(temporary, e);
                throw e;
            }
            return temporary;
        }
    }

    private static void discard(Path temporary, Exception failure) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static Path folderOf(Path target) {
        Path folder = target.toAbsolutePath().getParent();
        if (folder == null) {
            throw new IllegalArgumentException("no folder: " + target);
        }
        return folder;
    }
}
