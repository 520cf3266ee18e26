package org.lunforge.server.shell;

/** A command that could not be done, with a message that says what to do instead. */
public final class ShellException extends Exception {
    public ShellException(String message) {
        super(message);
    }
}
