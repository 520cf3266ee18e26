package org.lunforge.server.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.function.Predicate;

/** A connection to a daemon's control socket: {@link #call} sends one request and waits for its response. */
public final class ControlClient implements AutoCloseable {
    private final Path path;
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    private ControlClient(Path path, SocketChannel channel) {
        this.path = path;
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects, or says in words a person can act on why not. Nothing is sent before the socket's folder (when it is
     * the default one, {@link SocketFolder#verify}) and the process listening on it ({@link PeerCredentials}: this
     * user or root) are known to be trusted.
     */
    public static ControlClient connect(Path path) throws IOException {
        return connect(path, ControlSockets.inDefaultFolder(path), null);
    }

    /** As {@link #connect(Path)}; {@code trusted} decides which daemon users to talk to (null: this user and root). */
    static ControlClient connect(Path path, boolean defaultFolder, Predicate<UserPrincipal> trusted)
            throws IOException {
        if (defaultFolder && Files.exists(path.getParent(), LinkOption.NOFOLLOW_LINKS)) {
            SocketFolder.verify(path.getParent());
        }
        if (!Files.exists(path)) {
            throw new IOException("no lunforged is running with control socket " + path
                    + " (start one: bin/lunforged --config FILE; or point LUNFORGE_CONTROL / --socket at its socket)");
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            ch.close();
            String why = String.valueOf(e.getMessage());
            if (e instanceof AccessDeniedException || why.contains("ermission")) {
                throw new IOException("permission denied on " + path + ": the daemon serves root and its own user");
            }
            if (why.contains("efused")) {
                throw new IOException("no lunforged answers on " + path + " (the socket is left from one that stopped;"
                        + " start the daemon again)");
            }
            throw new IOException("cannot connect to " + path + ": " + why, e);
        }
        try {
            UserPrincipal daemon = PeerCredentials.peer(ch);
            UserPrincipal self = PeerCredentials.self();
            UserPrincipal root = PeerCredentials.root();
            if (trusted == null ? !PeerCredentials.trusted(daemon, self, root) : !trusted.test(daemon)) {
                throw new IOException("refusing the process on " + path + ": it runs as user " + daemon.getName()
                        + ", not as " + (self.equals(root) ? "root" : self.getName() + " or root") + ", so it is not"
                        + " a lunforged of yours (another local user may be standing in for it); nothing was sent");
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new ControlClient(path, ch);
    }

    /** Whether a daemon answers on {@code path} now. */
    static boolean answers(Path path) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    public synchronized Response call(Request request) throws IOException {
        try {
            ControlFrames.write(out, request);
        } catch (IOException e) {
            // A daemon that does not serve this user writes its refusal and closes without reading (ControlServer),
            // so the request may meet a closed socket (EPIPE); the refusal is still in the receive queue.
            Response refusal = ControlFrames.read(in, Response.parser());
            if (refusal == null) {
                throw e;
            }
            return refusal;
        }
        Response response = ControlFrames.read(in, Response.parser());
        if (response == null) {
            throw new IOException("lunforged closed the control connection (did it stop?)");
        }
        return response;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
