package org.lunforge.server.control;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.server.Daemon;
import org.lunforge.server.config.Config;

class ControlServerTest {
    @TempDir
    Path dir;
    Daemon daemon;
    ControlService service;
    Path socket;

    @BeforeEach
    void start() throws IOException {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(Config.newBuilder().setStateDir(dir.resolve("state").toString()).build());
        service = new ControlService(daemon, dir.resolve("config.json"));
        socket = dir.resolve("run/control.sock");
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private static Request get() {
        return Request.newBuilder().setGetConfig(GetConfig.getDefaultInstance()).build();
    }

    @Test
    void theSocketIsOnlyForItsOwnerAndGoesAwayOnClose() throws IOException {
        try (ControlServer server = ControlServer.start(socket, service)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            try (ControlClient c = ControlClient.connect(socket)) {
                assertEquals(daemon.running(), c.call(get()).getConfig().getConfig());
            }
            try (var files = Files.list(socket.getParent())) {
                assertEquals(1, files.count()); // no private folder left behind
            }
        }
        assertFalse(Files.exists(socket));
    }

    @Test
    void aMalformedMessageClosesThatConnectionOnly() throws IOException {
        try (ControlServer server = ControlServer.start(socket, service);
             ControlClient good = ControlClient.connect(socket);
             SocketChannel bad = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertFalse(good.call(get()).hasError());
            bad.connect(UnixDomainSocketAddress.of(socket));
            bad.write(ByteBuffer.wrap(new byte[] {3, 0x0A, 100, 0})); // a field claiming 100 bytes of 2
            ByteBuffer reply = ByteBuffer.allocate(16);
            assertEquals(-1, bad.read(reply), "the server closes the connection without an answer");
            assertFalse(good.call(get()).hasError(), "the other connection goes on");
            try (ControlClient later = ControlClient.connect(socket)) {
                assertFalse(later.call(get()).hasError(), "the server goes on");
            }
        }
    }

    @Test
    void aFrameAnnouncingTooMuchClosesThatConnection() throws IOException {
        try (ControlServer server = ControlServer.start(socket, service);
             SocketChannel bad = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            bad.connect(UnixDomainSocketAddress.of(socket));
            bad.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F}));
            assertEquals(-1, bad.read(ByteBuffer.allocate(16)));
            try (ControlClient later = ControlClient.connect(socket)) {
                assertFalse(later.call(get()).hasError());
            }
        }
    }

    @Test
    void aUserTheServerDoesNotServeIsRefused() throws IOException {
        // Peer credentials come from the kernel (SO_PEERCRED); a policy that refuses this very user stands in for a
        // second user, which a unit test cannot become.
        try (ControlServer server = ControlServer.start(socket, service, peer -> false);
             ControlClient c = ControlClient.connect(socket)) {
            Response r = c.call(get());
            assertTrue(r.getError().getMessage().startsWith("permission denied: user "), r.toString());
            assertFalse(r.hasConfig());
            assertThrows(IOException.class, () -> c.call(get()), "the connection is closed after the refusal");
        }
    }

    @Test
    void thePeerIsTheProcessUser() throws IOException {
        var seen = new java.util.concurrent.atomic.AtomicReference<String>();
        try (ControlServer server = ControlServer.start(socket, service, peer -> {
            seen.set(peer.user().getName());
            return true;
        }); ControlClient c = ControlClient.connect(socket)) {
            assertFalse(c.call(get()).hasError());
        }
        assertEquals(System.getProperty("user.name"), seen.get());
    }

    @Test
    void aSecondServerOnTheSameSocketIsRefusedAndAStaleSocketIsReplaced() throws IOException {
        try (ControlServer first = ControlServer.start(socket, service)) {
            assertThrows(FileAlreadyExistsException.class, () -> ControlServer.start(socket, service));
            try (ControlClient c = ControlClient.connect(socket)) {
                assertFalse(c.call(get()).hasError(), "the first one still answers");
            }
        }
        // A socket file no one answers on, as a killed daemon leaves it.
        try (var stale = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        try (ControlServer again = ControlServer.start(socket, service);
             ControlClient c = ControlClient.connect(socket)) {
            assertFalse(c.call(get()).hasError());
        }
    }

    @Test
    void noDaemonIsSaidPlainly() {
        IOException e = assertThrows(IOException.class, () -> ControlClient.connect(dir.resolve("none.sock")));
        assertTrue(e.getMessage().startsWith("no lunforged is running"), e.getMessage());
    }
}
