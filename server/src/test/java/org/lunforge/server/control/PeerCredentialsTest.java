package org.lunforge.server.control;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerCredentialsTest {
    @TempDir
    Path dir;

    private static UserPrincipal uid(int uid) throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(Integer.toString(uid));
    }

    @Test
    void bothEndsOfARealSocketSeeThisProcessUser() throws IOException {
        var address = UnixDomainSocketAddress.of(dir.resolve("s"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            try (SocketChannel client = SocketChannel.open(address); SocketChannel accepted = server.accept()) {
                UserPrincipal self = PeerCredentials.self();
                assertEquals(self, PeerCredentials.peer(client), "the shell's view of the daemon");
                assertEquals(self, PeerCredentials.peer(accepted), "the daemon's view of the shell");
                assertEquals(uid(ControlSockets.effectiveUid()), self, "principals compare by uid");
                assertTrue(PeerCredentials.trusted(PeerCredentials.peer(client), self, PeerCredentials.root()));
            }
        }
    }

    @Test
    void aForeignUidIsNotTrustedAndRootIs() throws IOException {
        UserPrincipal root = PeerCredentials.root();
        assertEquals(uid(0), root);
        UserPrincipal user = uid(1000);
        assertFalse(PeerCredentials.trusted(uid(65534), user, root));
        assertFalse(PeerCredentials.trusted(uid(1001), user, root));
        assertFalse(PeerCredentials.trusted(uid(65534), root, root), "root's daemon trusts no other user either");
        assertTrue(PeerCredentials.trusted(uid(1000), user, root));
        assertTrue(PeerCredentials.trusted(root, user, root));
        assertTrue(PeerCredentials.trusted(root, root, root));
    }
}
