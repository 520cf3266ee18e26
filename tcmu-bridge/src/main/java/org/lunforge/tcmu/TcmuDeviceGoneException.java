package org.lunforge.tcmu;

import java.io.IOException;

/** The uio device went away under us: its user backstore was disabled or removed in configfs. */
public final class TcmuDeviceGoneException extends IOException {
    public TcmuDeviceGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
