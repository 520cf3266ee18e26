package org.lunforge.server.shell;

import java.io.IOException;
import org.lunforge.server.control.Request;
import org.lunforge.server.control.Response;

/** Where the shell's requests go: the daemon's control socket, or (in tests) a control service in the same process. */
@FunctionalInterface
public interface ShellControl {
    Response call(Request request) throws IOException;
}
