package org.lunforge.server.control;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default control socket folder: the daemon's own, or refused by the daemon and by the shell. */
class SocketFolderTest {
    @TempDir
    Path dir;

    static Path folder(Path at, String mode) throws IOException {
        Files.createDirectory(at);
        Files.setPosixFilePermissions(at, PosixFilePermissions.fromString(mode));
        return at;
    }

    @Test
    void theDaemonCreatesItWithMode0700() throws IOException {
        Path f = dir.resolve("lunforge-me");
        SocketFolder.claim(f);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        SocketFolder.claim(f); // its own, from an earlier start
        SocketFolder.verify(f);
    }

    @Test
    void aFolderOpenToOthersIsRefusedByBoth() throws IOException {
        Path f = folder(dir.resolve("lunforge-me"), "rwxrwxrwx");
        IOException d = assertThrows(IOException.class, () -> SocketFolder.claim(f));
        assertTrue(d.getMessage().startsWith("refusing control socket folder " + f + " (owner uid "), d.getMessage());
        assertTrue(d.getMessage().contains("mode 0777): group or others have access to it"), d.getMessage());
        IOException s = assertThrows(IOException.class, () -> SocketFolder.verify(f));
        assertTrue(s.getMessage().contains("mode 0777): group or others have access to it; another local user"),
                s.getMessage());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx--x--x"));
        assertThrows(IOException.class, () -> SocketFolder.claim(f), "search access is access");
    }

    @Test
    void aFolderOfAnotherUserIsRefusedByBoth() throws IOException {
        assumeTrue(ControlSockets.effectiveUid() == 0, "only root can give a folder away");
        Path f = folder(dir.resolve("lunforge-me"), "rwx------");
        Files.setAttribute(f, "unix:uid", 65534);
        IOException d = assertThrows(IOException.class, () -> SocketFolder.claim(f));
        assertTrue(d.getMessage().contains("(owner uid 65534 "), d.getMessage());
        assertTrue(d.getMessage().contains("mode 0700): it belongs to another user; it must be a folder of uid 0"),
                d.getMessage());
        IOException s = assertThrows(IOException.class, () -> SocketFolder.verify(f));
        assertTrue(s.getMessage().contains("it belongs to another user"), s.getMessage());
    }

    @Test
    void theDaemonAcceptsOnlyItsOwnUidAndTheShellAlsoRoot() throws IOException {
        // The rule in numbers, whoever runs the test: the shell accepts its own uid and root, nobody else.
        Path f = dir.resolve("lunforge-me");
        SocketFolder.claim(f);
        int self = ControlSockets.effectiveUid();
        assertNull(SocketFolder.refusal(f, self, true));
        assertNotNull(SocketFolder.refusal(f, self + 1, false), "a daemon of another uid refuses it");
        assertEquals(self == 0, SocketFolder.refusal(f, self + 1, true) == null, "a shell accepts root's folder");
    }

    @Test
    void aSymbolicLinkIsRefusedByBoth() throws IOException {
        Path real = folder(dir.resolve("real"), "rwx------");
        Path f = Files.createSymbolicLink(dir.resolve("lunforge-me"), real);
        IOException d = assertThrows(IOException.class, () -> SocketFolder.claim(f));
        assertTrue(d.getMessage().contains("it is a symbolic link (to " + real + ")"), d.getMessage());
        IOException s = assertThrows(IOException.class, () -> SocketFolder.verify(f));
        assertTrue(s.getMessage().contains("it is a symbolic link"), s.getMessage());
        Files.delete(f);
        Files.createSymbolicLink(f, dir.resolve("nowhere"));
        assertThrows(IOException.class, () -> SocketFolder.claim(f), "a dangling link too");
        assertFalse(Files.exists(dir.resolve("nowhere")), "and nothing is created where it points");
    }

    @Test
    void aFileIsRefused() throws IOException {
        Path f = Files.createFile(dir.resolve("lunforge-me"));
        IOException d = assertThrows(IOException.class, () -> SocketFolder.claim(f));
        assertTrue(d.getMessage().contains("it is not a directory"), d.getMessage());
    }
}
