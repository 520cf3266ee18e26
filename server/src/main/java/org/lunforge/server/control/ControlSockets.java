package org.lunforge.server.control;

import java.nio.file.Path;

/** Where the control socket is when neither the command line nor the configuration says. */
public final class ControlSockets {
    /** The environment variable the shell reads the socket's path from. */
    public static final String ENVIRONMENT = "LUNFORGE_CONTROL";

    private ControlSockets() {
    }

    /**
     * {@code /run/lunforge/control.sock} for root; for another user {@code $XDG_RUNTIME_DIR/lunforge/control.sock},
     * or {@code /tmp/lunforge-<user>/control.sock} without XDG_RUNTIME_DIR.
     */
    public static Path defaultPath() {
        if (isRoot()) {
            return Path.of("/run/lunforge/control.sock");
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) {
            return Path.of(runtime, "lunforge", "control.sock");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "lunforge-" + System.getProperty("user.name"),
                "control.sock");
    }

    /** The path the shell talks to: LUNFORGE_CONTROL if set, else the default. */
    public static Path clientPath() {
        String env = System.getenv(ENVIRONMENT);
        return env != null && !env.isEmpty() ? Path.of(env) : defaultPath();
    }

    /** Whether this process runs as root (uid 0). */
    static boolean isRoot() {
        try {
            return effectiveUid() == 0;
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** This process's effective uid: the owner of /proc/self (proc(5)). */
    static int effectiveUid() throws java.io.IOException {
        return (Integer) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /** Whether {@code socket} lies in the default folder, which must be private ({@link SocketFolder}). */
    public static boolean inDefaultFolder(Path socket) {
        return socket.toAbsolutePath().normalize().getParent().equals(defaultPath().getParent());
    }
}
