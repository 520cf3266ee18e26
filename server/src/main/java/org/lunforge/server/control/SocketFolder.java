package org.lunforge.server.control;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;

/**
 * The default folder of a control socket ({@code /tmp/lunforge-<user>}, {@code $XDG_RUNTIME_DIR/lunforge},
 * {@code /run/lunforge}): whoever can write in it can put their own socket in the daemon's place, so it must be a real
 * directory (not a symbolic link), owned by the daemon's user, with no access for group or others (mode 0700 or
 * narrower).
 *
 * <p>Once verified it stays so: only its owner (and root) can change its mode or contents, and in a sticky parent
 * such as /tmp only its owner can rename or remove it. A folder the operator names ({@code --control},
 * control_socket) is the operator's choice and is not checked here; the peer credentials are checked either way
 * ({@link PeerCredentials}).
 */
public final class SocketFolder {
    private SocketFolder() {
    }

    /**
     * The daemon's side: creates {@code folder} with mode 0700, or verifies the one that exists, which must be owned by
     * this process's effective uid; otherwise an IOException naming the path, its owner and its mode.
     */
    static void claim(Path folder) throws IOException {
        try {
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // Made by an earlier daemon, or by someone else: verified below either way.
        }
        int self = ControlSockets.effectiveUid();
        String refusal = refusal(folder, self, false);
        if (refusal != null) {
            throw new IOException(refusal + "; it must be a folder of uid " + self + " with mode 0700, as lunforged"
                    + " creates it: remove it, or give a socket elsewhere with --control");
        }
    }

    /**
     * The shell's side, before it connects: {@code folder} must be owned by the shell's effective uid or root, with no
     * access for group or others; otherwise an IOException naming the path, its owner and its mode.
     */
    static void verify(Path folder) throws IOException {
        int self = ControlSockets.effectiveUid();
        String refusal = refusal(folder, self, true);
        if (refusal != null) {
            throw new IOException(refusal + "; another local user could stand in for lunforged there, so nothing was"
                    + " sent; it must be a folder of uid " + self + " (or root) with mode 0700");
        }
    }

    /** Why {@code folder} may not hold the control socket for uid {@code self}; null when it may. */
    static String refusal(Path folder, int self, boolean rootMayOwn) throws IOException {
        Map<String, Object> a = Files.readAttributes(folder, "unix:mode,uid,owner,isDirectory,isSymbolicLink",
                LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode") & 07777;
        String what = "control socket folder " + folder + " (owner uid " + uid + " "
                + ((UserPrincipal) a.get("owner")).getName() + ", mode " + String.format("%04o", mode) + ")";
        if ((Boolean) a.get("isSymbolicLink")) {
            return "refusing " + what + ": it is a symbolic link (to " + Files.readSymbolicLink(folder) + ")";
        }
        if (!(Boolean) a.get("isDirectory")) {
            return "refusing " + what + ": it is not a directory";
        }
        if (uid != self && !(rootMayOwn && uid == 0)) {
            return "refusing " + what + ": it belongs to another user";
        }
        if ((mode & 077) != 0) {
            return "refusing " + what + ": group or others have access to it";
        }
        return null;
    }
}
