package org.lunforge.device.vtl;

/** An operator operation the library refused or could not carry out; the message says why, for the shell to show. */
public final class LibraryException extends Exception {
    public LibraryException(String message) {
        super(message);
    }

    public LibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
