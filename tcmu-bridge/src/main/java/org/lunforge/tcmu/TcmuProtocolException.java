package org.lunforge.tcmu;

/**
 * The ring holds something the ABI does not allow (a bad entry length, an offset outside the mapping, a cmd_id
 * reused while in flight). Serving stops: guessing would corrupt the kernel's data or fault on unmapped pages.
 */
public final class TcmuProtocolException extends RuntimeException {
    public TcmuProtocolException(String message) {
        super(message);
    }
}
