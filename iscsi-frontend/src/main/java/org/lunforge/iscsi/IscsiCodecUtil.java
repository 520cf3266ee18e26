package org.lunforge.iscsi;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Field access and checks shared by the PDU records, and the CRC32C digests of RFC 7143 11.2.3. Header fields are
 * read at absolute indexes of a buffer whose index 0 is the first BHS byte.
 */
public final class IscsiCodecUtil {
    private IscsiCodecUtil() {
    }

    /** Bytes of padding after a data segment: segments end on a 4-byte boundary (11.2.4). */
    public static int padding(int length) {
        return -length & 3;
    }

    public static int u24(ByteBuf b, int index) {
        return b.getUnsignedMedium(index);
    }

    /** The 6-byte ISID at {@code index} as the low 48 bits of a long. */
    public static long u48(ByteBuf b, int index) {
        return ((long) b.getUnsignedShort(index) << 32) | b.getUnsignedInt(index + 2);
    }

    public static void writeU48(ByteBuf b, long value) {
        b.writeShort((int) (value >>> 32));
        b.writeInt((int) value);
    }

    /** Refuses a PDU whose reserved bytes {@code from..to} (inclusive) are not zero (11.2: reserved is 0). */
    public static void requireZero(ByteBuf b, int from, int to, String pdu) {
        for (int i = from; i <= to; i++) {
            if (b.getByte(i) != 0) {
                throw IscsiCodecException.invalidField(pdu + ": reserved byte " + i + " is not zero");
            }
        }
    }

    /** Refuses a PDU with any of the reserved {@code mask} bits of byte {@code index} set. */
    public static void requireZeroBits(ByteBuf b, int index, int mask, String pdu) {
        if ((b.getByte(index) & mask) != 0) {
            throw IscsiCodecException.invalidField(pdu + ": reserved bits 0x%02x of byte %d are set"
                    .formatted(b.getByte(index) & mask, index));
        }
    }

    /** Refuses a PDU type that carries no AHS and no data segment but has them (e.g. R2T, TMF request). */
    public static void requireNoSegments(ByteBuf b, String pdu) {
        if (b.getByte(4) != 0 || u24(b, 5) != 0) {
            throw IscsiCodecException.invalidField(pdu + " carries no AHS or data segment");
        }
    }

    /** The CRC32C of {@code length} readable bytes of {@code b} from {@code index}, composite buffers included. */
    public static int crc32c(ByteBuf b, int index, int length) {
        CRC32C crc = new CRC32C();
        update(crc, b, index, length);
        return (int) crc.getValue();
    }

    static void update(CRC32C crc, ByteBuf b, int index, int length) {
        if (length == 0) {
            return;
        }
        if (b.nioBufferCount() == 1) {
            crc.update(b.nioBuffer(index, length));
        } else {
            for (ByteBuffer nio : b.nioBuffers(index, length)) {
                crc.update(nio);
            }
        }
    }

    /** A digest as sent on the wire: the CRC32C register, least significant byte first (11.2.3, RFC 3720 B.4). */
    public static void writeDigest(ByteBuf out, int crc) {
        out.writeIntLE(crc);
    }

    public static int readDigest(ByteBuf in, int index) {
        return in.getIntLE(index);
    }
}
