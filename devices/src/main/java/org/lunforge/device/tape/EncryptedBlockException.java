package org.lunforge.device.tape;

import java.io.IOException;

/**
 * A block the drive's data decryption cannot hand to the application (SSC-4 4.2.26): what went wrong, for
 * {@link TapeOutcomes} to turn into DATA PROTECT sense. The cursor stays in front of the block, as a real drive leaves
 * it for a NEXT BLOCK ENCRYPTION STATUS query and a retry with the right key.
 */
final class EncryptedBlockException extends IOException {
    /** Why the block is not returned. */
    enum Reason {
        /** An encrypted block while the decryption mode is DISABLE. */
        NOT_DECRYPTING,
        /** A block that is not encrypted while the decryption mode is DECRYPT. */
        NOT_ENCRYPTED,
        /** The block was sealed under another key than the one set. */
        WRONG_KEY,
        /** The key is the block's, but its authentication tag does not verify: the block was altered. */
        INTEGRITY,
        /** Raw decryption mode, and the block was written with raw reads disabled. */
        RAW_READ_DISABLED
    }

    private final Reason reason;

    EncryptedBlockException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }
}
