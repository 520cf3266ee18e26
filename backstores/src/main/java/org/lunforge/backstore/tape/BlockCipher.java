package org.lunforge.backstore.tape;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A drive's data encryption (SSC-4 4.2.26) as the medium sees it: it seals a block's bytes into the payload recorded
 * on the cartridge and opens that payload back. The medium records the sealed payload and a flag that the block is
 * encrypted; what the payload holds (key-associated data, nonce, ciphertext, tag) is the cipher's, and no key ever
 * reaches the medium. Compression happens first: {@code block} is the LZ4 form when {@code compressed}.
 *
 * <p>{@code objectId}, {@code logicalLength} and {@code compressed} are the record's header fields; a cipher binds its
 * payload to them (associated data), so a payload moved to another position or header does not open.
 */
public interface BlockCipher {
    /** The payload to record for {@code block}'s remaining bytes (not consumed); its own buffer, read once. */
    ByteBuffer seal(ByteBuffer block, long objectId, int logicalLength, boolean compressed);

    /**
     * The block's bytes (LZ4 form if {@code compressed}) from a recorded payload's remaining bytes; an
     * {@link IOException} the drive maps to sense if it cannot (no key, wrong key, integrity).
     */
    ByteBuffer open(ByteBuffer payload, long objectId, int logicalLength, boolean compressed) throws IOException;
}
