package org.lunforge.backstore;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStateStoreTest {
    @TempDir
    Path dir;

    @Test
    void missingKeyIsNull() throws Exception {
        assertNull(new FileStateStore(dir).load("mode-pages"));
    }

    @Test
    void saveReplacesAndSurvivesANewInstance() throws Exception {
        FileStateStore s = new FileStateStore(dir.resolve("lun0"));
        s.save("pr", new byte[] {1, 2, 3});
        s.save("pr", new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, new FileStateStore(dir.resolve("lun0")).load("pr"));
        assertFalse(Files.exists(dir.resolve("lun0/pr.tmp")), "the temporary file is renamed away");
    }

    @Test
    void aStaleTemporaryFromACrashIsIgnored() throws Exception {
        FileStateStore s = new FileStateStore(dir);
        s.save("mode-pages", new byte[] {9});
        Files.write(dir.resolve("mode-pages.tmp"), new byte[] {6, 6, 6}); // crash between write and rename
        assertArrayEquals(new byte[] {9}, s.load("mode-pages"));
        s.save("mode-pages", new byte[] {10});
        assertArrayEquals(new byte[] {10}, s.load("mode-pages"));
    }

    @Test
    void aSymlinkPlantedAtTheOldTemporaryNameIsNotFollowed() throws Exception {
        Path victim = Files.write(dir.resolve("victim"), new byte[] {7, 7, 7});
        FileStateStore s = new FileStateStore(dir.resolve("lun0"));
        Files.createSymbolicLink(dir.resolve("lun0/pr.tmp"), victim);
        s.save("pr", new byte[] {1, 2});
        assertArrayEquals(new byte[] {7, 7, 7}, Files.readAllBytes(victim), "the link's target is untouched");
        assertFalse(Files.isSymbolicLink(dir.resolve("lun0/pr")));
        assertArrayEquals(new byte[] {1, 2}, s.load("pr"));
    }

    @Test
    void aStateFileLongerThanAnyValueIsRefusedUnread() throws Exception {
        FileStateStore s = new FileStateStore(dir);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(dir.resolve("pr").toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB that readAllBytes would try to hold
        }
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> s.load("pr"));
        assertTrue(e.getMessage().contains("pr"), e.getMessage());
    }

    @Test
    void loadingDiscardsTheTemporaryFileOfASaveACrashCutShort() throws Exception {
        FileStateStore s = new FileStateStore(dir);
        s.save("pr", new byte[] {1});
        Files.write(dir.resolve(".pr.0123456789abcdef.tmp"), new byte[] {6});
        assertArrayEquals(new byte[] {1}, s.load("pr"));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("pr"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void keysCannotEscapeTheDirectory() throws Exception {
        FileStateStore s = new FileStateStore(dir);
        assertThrows(IllegalArgumentException.class, () -> s.save("../x", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> s.save("a/b", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> s.load("x.tmp"));
    }
}
