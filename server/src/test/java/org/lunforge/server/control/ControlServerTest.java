package org.lunforge.server.control;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
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
        try (ControlServer server = ControlServer.start(socket, service, peer -> false, false);
             ControlClient c = ControlClient.connect(socket)) {
            Response r = c.call(get());
            assertTrue(r.getError().getMessage().startsWith("permission denied: user "), r.toString());
            assertFalse(r.hasConfig());
            assertThrows(IOException.class, () -> c.call(get()), "the connection is closed after the refusal");
        }
    }

    @Test
    void aRefusalSentBeforeTheRequestIsReadNotABrokenPipe() throws IOException {
        // The daemon answers a user it does not serve at once and closes, maybe before the request arrives; writing
        // the request then fails (EPIPE), but the refusal is already waiting to be read.
        try (ServerSocketChannel refusing = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            refusing.bind(UnixDomainSocketAddress.of(dir.resolve("refusing.sock")));
            try (ControlClient c = ControlClient.connect(dir.resolve("refusing.sock"))) {
                try (SocketChannel accepted = refusing.accept()) {
                    ControlFrames.write(java.nio.channels.Channels.newOutputStream(accepted),
                            ControlService.error(Error.Kind.FAILED, "permission denied: user x"));
                }
                assertEquals("permission denied: user x", c.call(get()).getError().getMessage());
            }
        }
    }

    @Test
    void thePeerIsTheProcessUser() throws IOException {
        var seen = new java.util.concurrent.atomic.AtomicReference<String>();
        try (ControlServer server = ControlServer.start(socket, service, peer -> {
            seen.set(peer.user().getName());
            return true;
        }, false); ControlClient c = ControlClient.connect(socket)) {
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
    void inItsDefaultFolderTheDaemonRefusesAFolderOthersCanUse() throws IOException {
        Path open = SocketFolderTest.folder(dir.resolve("open"), "rwxrwxrwx");
        IOException e = assertThrows(IOException.class,
                () -> ControlServer.start(open.resolve("control.sock"), service, null, true));
        assertTrue(e.getMessage().startsWith("refusing control socket folder " + open), e.getMessage());
        Path link = Files.createSymbolicLink(dir.resolve("link"), SocketFolderTest.folder(dir.resolve("real"),
                "rwx------"));
        e = assertThrows(IOException.class, () -> ControlServer.start(link.resolve("control.sock"), service, null, true));
        assertTrue(e.getMessage().contains("it is a symbolic link"), e.getMessage());
        try (var files = Files.list(open); var more = Files.list(dir.resolve("real"))) {
            assertEquals(0, files.count() + more.count(), "no socket was made in either");
        }
        if (ControlSockets.effectiveUid() == 0) {
            Path foreign = SocketFolderTest.folder(dir.resolve("foreign"), "rwx------");
            Files.setAttribute(foreign, "unix:uid", 65534);
            e = assertThrows(IOException.class,
                    () -> ControlServer.start(foreign.resolve("control.sock"), service, null, true));
            assertTrue(e.getMessage().contains("(owner uid 65534 "), e.getMessage());
        }
    }

    @Test
    void inItsDefaultFolderTheDaemonAndTheShellWork() throws IOException {
        try (ControlServer server = ControlServer.start(socket, service, null, true);
             ControlClient c = ControlClient.connect(socket, true, null)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            assertEquals(daemon.running(), c.call(get()).getConfig().getConfig());
        }
    }

    @Test
    void theShellRefusesADefaultFolderOthersCanUseBeforeConnecting() throws IOException {
        Path open = SocketFolderTest.folder(dir.resolve("open"), "rwxrwxrwx");
        Path at = open.resolve("control.sock");
        try (ServerSocketChannel impostor = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            impostor.bind(UnixDomainSocketAddress.of(at));
            impostor.configureBlocking(false);
            IOException e = assertThrows(IOException.class, () -> ControlClient.connect(at, true, null));
            assertTrue(e.getMessage().startsWith("refusing control socket folder " + open), e.getMessage());
            assertTrue(e.getMessage().contains("nothing was sent"), e.getMessage());
            assertNull(impostor.accept(), "the shell did not even connect");
            try (ControlClient c = ControlClient.connect(at, false, null)) {
                assertNotNull(impostor.accept(), "a socket the operator names is the operator's choice");
            }
        }
    }

    @Test
    void theShellRefusesADaemonOfAnotherUserBeforeSendingAnything() throws IOException {
        // As in aUserTheServerDoesNotServeIsRefused, a rule that trusts no one stands in for a daemon of another user;
        // aDaemonRunAsAnotherUserIsRefusedByTheShell is the real one, where root can run it.
        try (ServerSocketChannel impostor = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            impostor.bind(UnixDomainSocketAddress.of(dir.resolve("impostor.sock")));
            IOException e = assertThrows(IOException.class,
                    () -> ControlClient.connect(dir.resolve("impostor.sock"), false, peer -> false));
            assertTrue(e.getMessage().startsWith("refusing the process on " + dir.resolve("impostor.sock")
                    + ": it runs as user " + System.getProperty("user.name") + ", not as "), e.getMessage());
            try (SocketChannel accepted = impostor.accept()) {
                assertEquals(-1, accepted.read(ByteBuffer.allocate(16)), "closed with nothing sent");
            }
        }
    }

    @Test
    void aDaemonRunAsAnotherUserIsRefusedByTheShell() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ControlSockets.effectiveUid() == 0
                && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv to run as uid 65534");
        // uid 65534 listens in a folder of its own (this test's folder is opened for it to reach that one).
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path theirs = SocketFolderTest.folder(dir.resolve("theirs"), "rwx------");
        Files.setAttribute(theirs, "unix:uid", 65534);
        Path source = dir.resolve("Listen.java");
        Files.writeString(source, """
                import java.net.*; import java.nio.*; import java.nio.channels.*;
                class Listen { public static void main(String[] a) throws Exception {
                    var s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                    s.bind(UnixDomainSocketAddress.of(a[0]));
                    System.out.println("listening"); System.out.flush();
                    long n = 0; try (var c = s.accept()) { for (int r; (r = c.read(ByteBuffer.allocate(64))) > 0; ) n += r; }
                    System.out.println("received " + n); } }
                """);
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        Path at = theirs.resolve("control.sock");
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), source.toString(), at.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            assertEquals("listening", out.readLine());
            IOException e = assertThrows(IOException.class, () -> ControlClient.connect(at));
            assertTrue(e.getMessage().startsWith("refusing the process on " + at + ": it runs as user nobody, not as"
                    + " root, so it is not a lunforged of yours"), e.getMessage());
            assertEquals("received 0", out.readLine());
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    @Test
    void noDaemonIsSaidPlainly() {
        IOException e = assertThrows(IOException.class, () -> ControlClient.connect(dir.resolve("none.sock")));
        assertTrue(e.getMessage().startsWith("no lunforged is running"), e.getMessage());
    }
}
