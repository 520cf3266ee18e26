package org.lunforge.backstore.tape;

import java.io.IOException;

/** A record of the medium cannot be read back as written (CRC mismatch, damaged header): a medium error. */
public final class MediumException extends IOException {
    public MediumException(String message) {
        super(message);
    }
}
