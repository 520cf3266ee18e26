package org.lunforge.server.control;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;

/**
 * Who is at the other end of a control connection, as the kernel says (SO_PEERCRED, socket(7) and unix(7)): the
 * credentials of the peer when it called connect(2), or listen(2) for the daemon's side. A process cannot choose
 * them, unlike the socket's path. Both ends apply one rule: only the same user, or root, is trusted.
 *
 * <p>The JDK gives them as a {@link UserPrincipal} made from the uid; its Unix principals are equal exactly when
 * their uids are (sun.nio.fs.UnixUserPrincipals.User#equals compares ids, not names), which is what the rule needs.
 */
public final class PeerCredentials {
    private PeerCredentials() {
    }

    /** The user of the process at the other end of {@code channel}. */
    static UserPrincipal peer(SocketChannel channel) throws IOException {
        return channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
    }

    /** This process's effective user: /proc/self belongs to it (proc(5)). */
    static UserPrincipal self() throws IOException {
        return Files.getOwner(Path.of("/proc/self"));
    }

    /**
     * Uid 0. Looked up by the number: getpwnam("0") fails (user names are never all digits; useradd and systemd refuse
     * them for this reason), so the JDK takes the string as the uid.
     */
    static UserPrincipal root() throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("0");
    }

    /** Whether a peer running as {@code peer} may drive, or stand for, a process running as {@code self}. */
    static boolean trusted(UserPrincipal peer, UserPrincipal self, UserPrincipal root) {
        return peer.equals(self) || peer.equals(root);
    }
}
