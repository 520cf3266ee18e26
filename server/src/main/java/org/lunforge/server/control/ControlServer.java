package org.lunforge.server.control;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The daemon's control socket: a Unix-domain stream socket, one virtual thread per connection, each answering
 * length-delimited {@link Request}s with {@link Response}s through a {@link ControlService}.
 *
 * <p>Who may connect: the socket file has mode 0600 and is created in a private folder and renamed into place, so it
 * is never reachable by others even for a moment; a fresh parent folder gets mode 0700, and the default folder must
 * be the daemon's own ({@link SocketFolder#claim}) or the daemon does not start. Every connection's peer is also
 * checked ({@link PeerCredentials}): only root and the daemon's own user are served; anyone else gets one error and
 * the door. A connection that breaks the framing is closed; the daemon and every other connection go on.
 */
public final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());

    private final Path path;
    private final ServerSocketChannel server;
    private final ControlService service;
    private final Predicate<UnixDomainPrincipal> allowed;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, ControlService service,
                          Predicate<UnixDomainPrincipal> allowed) {
        this.path = path;
        this.server = server;
        this.service = service;
        this.allowed = allowed;
        this.acceptor = Thread.ofPlatform().name("control-accept").daemon().unstarted(this::accept);
    }

    /** Listens at {@code path}, serving root and this process's user. */
    public static ControlServer start(Path path, ControlService service) throws IOException {
        return start(path, service, null, ControlSockets.inDefaultFolder(path));
    }

    /**
     * Listens at {@code path}; {@code allowed} decides who is served (null: root and this process's user);
     * {@code defaultFolder}: the folder must be the daemon's own.
     */
    static ControlServer start(Path path, ControlService service, Predicate<UnixDomainPrincipal> allowed,
                               boolean defaultFolder) throws IOException {
        Path socket = path.toAbsolutePath().normalize();
        if (defaultFolder) {
            SocketFolder.claim(socket.getParent());
        }
        ServerSocketChannel server = bind(socket);
        if (allowed == null) {
            UserPrincipal self = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS);
            UserPrincipal root = PeerCredentials.root();
            allowed = peer -> PeerCredentials.trusted(peer.user(), self, root);
        }
        ControlServer cs = new ControlServer(socket, server, service, allowed);
        service.socket(socket);
        cs.acceptor.start();
        LOG.log(INFO, () -> "control socket " + socket);
        return cs;
    }

    public Path path() {
        return path;
    }

    private static ServerSocketChannel bind(Path socket) throws IOException {
        Path folder = socket.getParent();
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (ControlClient.answers(socket)) {
                throw new FileAlreadyExistsException(socket.toString(), null,
                        "another lunforged answers on this control socket; stop it, or give this one --control");
            }
            if (!Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new FileAlreadyExistsException(socket.toString(), null, "exists and is not a socket");
            }
            Files.delete(socket); // left by a daemon that did not stop cleanly
        }
        Path privateFolder = Files.createTempDirectory(folder, ".lf", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path temp = privateFolder.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(temp));
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            Files.move(temp, socket, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(temp);
            throw e;
        } finally {
            Files.deleteIfExists(privateFolder);
        }
        return server;
    }

    private void accept() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(WARNING, "control socket accept failed", e);
                }
                return;
            }
            connections.add(ch);
            Thread.ofVirtual().name("control-connection").start(() -> serve(ch));
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            InputStream in = Channels.newInputStream(ch);
            OutputStream out = Channels.newOutputStream(ch);
            if (!allowed.test(peer)) {
                LOG.log(WARNING, () -> "control socket: refused user " + peer.user().getName());
                ControlFrames.write(out, ControlService.error(Error.Kind.FAILED, "permission denied: user "
                        + peer.user().getName() + " may not control this lunforged (root and its own user may)"));
                return;
            }
            while (!closed) {
                Request request = ControlFrames.read(in, Request.parser());
                if (request == null) {
                    return;
                }
                ControlFrames.write(out, service.handle(request));
            }
        } catch (ControlFrames.ControlProtocolException e) {
            LOG.log(WARNING, () -> "control socket: closing a connection that sent " + e.getMessage());
        } catch (IOException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, () -> "control connection ended: " + e);
            }
        } finally {
            connections.remove(ch);
        }
    }

    /** Stops listening, closes every connection and removes the socket file. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(WARNING, "closing the control socket", e);
        }
        for (SocketChannel ch : connections) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(WARNING, "removing " + path, e);
        }
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
