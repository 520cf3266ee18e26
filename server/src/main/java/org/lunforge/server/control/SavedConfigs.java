package org.lunforge.server.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import org.lunforge.backstore.AtomicFileReplacement;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The configuration file and its backups. A save writes the whole file anew, atomically: a temporary file in the same
 * folder, written and forced to disk, renamed over the old one, then the folder forced, so that a crash leaves either
 * the old file or the new one, never a mix. Before the old file is replaced, a copy of it goes to {@code backup/}
 * beside it, named after the file and the time ({@code config-20261101-103000.123.json}), newest {@link #keep} kept.
 * Files are written with mode 0600: a configuration may hold CHAP secrets.
 */
public final class SavedConfigs {
    /** How many backups a save keeps. */
    public static final int DEFAULT_KEEP = 10;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss.SSS");
    private static final FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** What a save did. */
    public record Result(Path file, Path backup, boolean unchanged) {
    }

    private final Path file;
    private final int keep;
    private final Clock clock;

    public SavedConfigs(Path file) {
        this(file, DEFAULT_KEEP, Clock.systemDefaultZone());
    }

    SavedConfigs(Path file, int keep, Clock clock) {
        this.file = file.toAbsolutePath().normalize();
        this.keep = keep;
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    public Path backupFolder() {
        return file.resolveSibling("backup");
    }

    /** Writes {@code text} to the configuration file (or {@code other}, when not null), backing up what it held. */
    public Result save(Path other, String text) throws IOException {
        Path target = other == null ? file : other.toAbsolutePath().normalize();
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] old = null;
        try {
            old = Files.readAllBytes(target);
        } catch (NoSuchFileException e) {
            // first save
        }
        if (old != null && Arrays.equals(old, bytes)) {
            return new Result(target, null, true);
        }
        Files.createDirectories(target.getParent());
        Path backup = null;
        if (old != null) {
            backup = backup(target, old);
        }
        writeAtomically(target, bytes, null);
        return new Result(target, backup, false);
    }

    /** Backups of the configuration file, newest first. */
    public List<Path> backups() throws IOException {
        return backupsOf(file);
    }

    /** The backup of this name (or the newest, for "latest"); null if there is none. */
    public Path backup(String name) throws IOException {
        List<Path> all = backups();
        if (name.equals("latest")) {
            return all.isEmpty() ? null : all.getFirst();
        }
        return all.stream().filter(p -> p.getFileName().toString().equals(name)).findFirst().orElse(null);
    }

    private List<Path> backupsOf(Path target) throws IOException {
        Path folder = target.resolveSibling("backup");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        String prefix = stem(target) + "-";
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, prefix + "*.json")) {
            for (Path p : dir) {
                String stamp = p.getFileName().toString().substring(prefix.length());
                if (stamp.matches("[0-9]{8}-[0-9]{6}\\.[0-9]{3}\\.json")) {
                    out.add(p);
                }
            }
        }
        // The stamps sort as the times they name.
        out.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        return out;
    }

    private Path backup(Path target, byte[] old) throws IOException {
        Path folder = target.resolveSibling("backup");
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        LocalDateTime time = LocalDateTime.now(clock);
        Path backup;
        while (true) {
            backup = folder.resolve(stem(target) + "-" + time.format(STAMP) + ".json");
            try {
                // Created only if the name is free, in one step: a backup (or anything else there) is never
                // overwritten, even by a save in the same millisecond from another connection.
                AtomicFileReplacement.create(backup, ByteBuffer.wrap(old), OWNER_ONLY);
                break;
            } catch (FileAlreadyExistsException e) {
                time = time.plusNanos(1_000_000);
            }
        }
        List<Path> all = backupsOf(target);
        for (Path excess : all.subList(Math.min(keep, all.size()), all.size())) {
            Files.deleteIfExists(excess);
        }
        return backup;
    }

    private static String stem(Path target) {
        String name = target.getFileName().toString();
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }

    /**
     * Replaces {@code target} with {@code bytes}, mode 0600 ({@link AtomicFileReplacement}: an exclusively created
     * temporary file, force, rename, force the folder). On any failure the target is as it was and the temporary file
     * is gone. {@code beforeRename}, for tests, runs just before the rename.
     */
    static void writeAtomically(Path target, byte[] bytes, Runnable beforeRename) throws IOException {
        AtomicFileReplacement.replace(target, ByteBuffer.wrap(bytes), stage -> {
            if (stage == AtomicFileReplacement.Stage.TEMPORARY_WRITTEN && beforeRename != null) {
                beforeRename.run();
            }
        }, OWNER_ONLY);
    }
}
