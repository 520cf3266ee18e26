package org.lunforge.backstore;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileReplacementTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes());
    }

    @Test
    void replaceWritesWholeAndLeavesOnlyTheTarget() throws IOException {
        Path target = dir.resolve("state");
        AtomicFileReplacement.replace(target, bytes("one"));
        AtomicFileReplacement.replace(target, bytes("two"));
        assertEquals("two", Files.readString(target));
        assertEquals(List.of("state"), names());
    }

    @Test
    void replaceOverALinkReplacesTheLinkNotItsTarget() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim"), "mine");
        Path target = Files.createSymbolicLink(dir.resolve("state"), victim);
        AtomicFileReplacement.replace(target, bytes("new"));
        assertEquals("mine", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(target));
        assertEquals("new", Files.readString(target));
    }

    @Test
    void aFaultBeforeTheRenameLeavesTheOldContentsAndNoTemporary() throws IOException {
        Path target = dir.resolve("state");
        AtomicFileReplacement.replace(target, bytes("old"));
        assertThrows(IOException.class, () -> AtomicFileReplacement.replace(target, bytes("new"), stage -> {
            if (stage == AtomicFileReplacement.Stage.TEMPORARY_WRITTEN) {
                throw new IOException("disk full");
            }
        }));
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("state"), names());
    }

    @Test
    void createRefusesATakenNameAndChangesNothing() throws IOException {
        Path target = dir.resolve("cartridge");
        AtomicFileReplacement.create(target, bytes("first"));
        assertThrows(FileAlreadyExistsException.class, () -> AtomicFileReplacement.create(target, bytes("second")));
        assertEquals("first", Files.readString(target));
        assertEquals(List.of("cartridge"), names());
    }

    @Test
    void attributesAreSetAtCreation() throws IOException {
        Path target = dir.resolve("secret");
        AtomicFileReplacement.replace(target, bytes("chap"), AtomicFileReplacement.Fault.NONE,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    @Test
    void readRefusesAFileLongerThanItsFormatAllows() throws IOException {
        Path file = Files.write(dir.resolve("index"), new byte[100]);
        assertEquals(100, AtomicFileReplacement.read(file, 100).remaining());
        IOException e = assertThrows(IOException.class, () -> AtomicFileReplacement.read(file, 99));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void discardTemporariesRemovesOnlyThoseOfItsTarget() throws IOException {
        Path target = Files.writeString(dir.resolve("inventory"), "x");
        Files.writeString(dir.resolve(".inventory.00112233aabbccdd.tmp"), "left by a crash");
        Files.writeString(dir.resolve(".other.00112233aabbccdd.tmp"), "another file's");
        Files.writeString(dir.resolve(".inventory.x.00112233aabbccdd.tmp"), "the file inventory.x's");
        AtomicFileReplacement.discardTemporaries(target);
        assertEquals(List.of(".inventory.x.00112233aabbccdd.tmp", ".other.00112233aabbccdd.tmp", "inventory"),
                names());
    }
}
