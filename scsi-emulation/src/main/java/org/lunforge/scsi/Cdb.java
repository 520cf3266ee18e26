package org.lunforge.scsi;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bytes of one command descriptor block, with big-endian field access. Decoders read fields through this and
 * report a bad field with {@link #invalidField}; the logical unit has already rejected every bit the command's
 * CDB usage data (SPC-4 6.35.3) does not allow, so a decoder only checks values, not reserved bits.
 */
public final class Cdb {
    private final byte[] bytes;

    public Cdb(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty CDB");
        }
        this.bytes = bytes;
    }

    public static Cdb of(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new Cdb(b);
    }

    public int opcode() {
        return bytes[0] & 0xFF;
    }

    /** The bytes as the transport delivered them; a CDB may be longer than its command's length (iSCSI pads to 16). */
    public int length() {
        return bytes.length;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int u8(int offset) {
        return BigEndian.u8(bytes, offset);
    }

    public int u16(int offset) {
        return BigEndian.u16(bytes, offset);
    }

    public int u24(int offset) {
        return BigEndian.u24(bytes, offset);
    }

    public long u32(int offset) {
        return BigEndian.u32(bytes, offset);
    }

    public long s64(int offset) {
        return BigEndian.s64(bytes, offset);
    }

    public boolean bit(int offset, int bit) {
        return (bytes[offset] & (1 << bit)) != 0;
    }

    /** The field of {@code width} bits whose most significant bit is {@code msb} in byte {@code offset}. */
    public int bits(int offset, int msb, int width) {
        return (bytes[offset] >> (msb - width + 1)) & ((1 << width) - 1);
    }

    /** INVALID FIELD IN CDB at the most significant bit of the field (bit -1: the whole byte). */
    public static CheckCondition invalidField(int offset, int bit) {
        return CheckCondition.invalidFieldInCdb(offset, bit);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cdb other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
