package org.lunforge.backstore.tape;

import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The block compression of the cartridge store: LZ4 (block format, no frame), the fastest instance lz4-java has here
 * (its native library, else pure Java). Decompression uses the bounds-checked decompressor, so a damaged record is
 * reported, never read past.
 */
final class BlockCodec {
    private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
    private static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

    private BlockCodec() {
    }

    static int maxCompressedLength(int length) {
        return COMPRESSOR.maxCompressedLength(length);
    }

    /** Compresses {@code src[0, length)} into {@code dst} from 0; returns the compressed length. */
    static int compress(ByteBuffer src, int length, ByteBuffer dst) {
        return COMPRESSOR.compress(src, 0, length, dst, 0, dst.capacity());
    }

    /**
     * Decompresses {@code src[0, storedLength)} into {@code dst} from 0; returns the decompressed length, or -1 if the
     * data is not a valid LZ4 block that fits.
     */
    static int decompress(ByteBuffer src, int storedLength, ByteBuffer dst) {
        try {
            return DECOMPRESSOR.decompress(src, 0, storedLength, dst, 0, dst.capacity());
        } catch (LZ4Exception e) {
            return -1;
        }
    }

    /** The implementation in use, for logs and benchmark reports. */
    static String implementation() {
        return FACTORY.toString();
    }
}
