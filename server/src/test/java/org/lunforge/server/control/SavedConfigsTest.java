package org.lunforge.server.control;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedConfigsTest {
    @TempDir
    Path dir;

    private static Clock at(long second) {
        return Clock.fixed(Instant.ofEpochSecond(1_800_000_000L + second), ZoneOffset.UTC);
    }

    @Test
    void firstSaveWritesTheFileWithoutBackup() throws IOException {
        SavedConfigs s = new SavedConfigs(dir.resolve("config.json"), 3, at(0));
        SavedConfigs.Result r = s.save(null, "{}\n");
        assertFalse(r.unchanged());
        assertNull(r.backup());
        assertEquals("{}\n", Files.readString(dir.resolve("config.json")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.file())));
        assertEquals(List.of(), s.backups());
    }

    @Test
    void sameTextTwiceWritesNothingAndBacksNothingUp() throws IOException {
        SavedConfigs s = new SavedConfigs(dir.resolve("config.json"), 3, at(0));
        s.save(null, "{\"a\":1}\n");
        assertTrue(s.save(null, "{\"a\":1}\n").unchanged());
        assertEquals(List.of(), s.backups());
    }

    @Test
    void eachChangeBacksUpThePreviousFileAndOnlyTheNewestAreKept() throws IOException {
        Path file = dir.resolve("config.json");
        for (int i = 0; i < 6; i++) {
            new SavedConfigs(file, 3, at(i)).save(null, "v" + i + "\n");
        }
        SavedConfigs s = new SavedConfigs(file, 3, at(10));
        List<Path> backups = s.backups();
        assertEquals(3, backups.size(), backups.toString());
        // Newest first: the versions before the last one.
        assertEquals("v4\n", Files.readString(backups.get(0)));
        assertEquals("v3\n", Files.readString(backups.get(1)));
        assertEquals("v2\n", Files.readString(backups.get(2)));
        assertEquals("v5\n", Files.readString(file));
        assertEquals(backups.get(0), s.backup("latest"));
        assertEquals(backups.get(2), s.backup(backups.get(2).getFileName().toString()));
        assertNull(s.backup("config-nothing.json"));
    }

    @Test
    void twoSavesInOneMillisecondKeepBothBackups() throws IOException {
        SavedConfigs s = new SavedConfigs(dir.resolve("config.json"), 10, at(0));
        s.save(null, "a\n");
        s.save(null, "b\n");
        s.save(null, "c\n");
        List<Path> backups = s.backups();
        assertEquals(2, backups.size());
        assertEquals("b\n", Files.readString(backups.get(0)));
        assertEquals("a\n", Files.readString(backups.get(1)));
    }

    @Test
    void aNameTakenInTheBackupFolderIsNeverOverwritten() throws IOException {
        SavedConfigs s = new SavedConfigs(dir.resolve("config.json"), 10, at(0));
        s.save(null, "a\n");
        Files.createDirectories(dir.resolve("backup"));
        // A dangling link where this second's backup goes: "does it exist?" says no; only an atomic claim sees it.
        Path taken = dir.resolve("backup/config-20270115-080000.000.json");
        Files.createSymbolicLink(taken, dir.resolve("nowhere"));
        SavedConfigs.Result r = s.save(null, "b\n");
        assertTrue(Files.isSymbolicLink(taken), "the link is still there");
        assertFalse(Files.exists(dir.resolve("nowhere")));
        assertEquals("config-20270115-080000.001.json", r.backup().getFileName().toString());
        assertEquals("a\n", Files.readString(r.backup()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.backup())));
    }

    @Test
    void aFailureBeforeTheRenameLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "old\n");
        assertThrows(UncheckedIOException.class, () -> SavedConfigs.writeAtomically(file, "new\n".getBytes(),
                () -> {
                    throw new UncheckedIOException(new IOException("disk full"));
                }));
        assertEquals("old\n", Files.readString(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }
}
