package org.lunforge.scsi;

/**
 * Big-endian field access for CDBs, parameter lists and sense data: every multi-byte SCSI field is big-endian
 * (SPC-4 3.5.1). Values wider than the field are truncated on put; gets of unsigned fields return non-negative values.
 */
public final class BigEndian {
    private BigEndian() {
    }

    public static int u8(byte[] b, int offset) {
        return b[offset] & 0xFF;
    }

    public static int u16(byte[] b, int offset) {
        return ((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF);
    }

    public static int u24(byte[] b, int offset) {
        return ((b[offset] & 0xFF) << 16) | ((b[offset + 1] & 0xFF) << 8) | (b[offset + 2] & 0xFF);
    }

    public static long u32(byte[] b, int offset) {
        return s32(b, offset) & 0xFFFFFFFFL;
    }

    public static int s32(byte[] b, int offset) {
        return ((b[offset] & 0xFF) << 24) | ((b[offset + 1] & 0xFF) << 16) | ((b[offset + 2] & 0xFF) << 8)
                | (b[offset + 3] & 0xFF);
    }

    /** A signed 24-bit field, as SPACE(6) COUNT is (SSC-4 7.x: two's complement). */
    public static int s24(byte[] b, int offset) {
        return (u24(b, offset) << 8) >> 8;
    }

    public static long u48(byte[] b, int offset) {
        return ((long) u16(b, offset) << 32) | u32(b, offset + 2);
    }

    /** A 64-bit field; callers that treat it as unsigned compare with Long.compareUnsigned. */
    public static long s64(byte[] b, int offset) {
        return ((long) s32(b, offset) << 32) | u32(b, offset + 4);
    }

    public static void put8(byte[] b, int offset, int v) {
        b[offset] = (byte) v;
    }

    public static void put16(byte[] b, int offset, int v) {
        b[offset] = (byte) (v >>> 8);
        b[offset + 1] = (byte) v;
    }

    public static void put24(byte[] b, int offset, int v) {
        b[offset] = (byte) (v >>> 16);
        b[offset + 1] = (byte) (v >>> 8);
        b[offset + 2] = (byte) v;
    }

    public static void put32(byte[] b, int offset, long v) {
        b[offset] = (byte) (v >>> 24);
        b[offset + 1] = (byte) (v >>> 16);
        b[offset + 2] = (byte) (v >>> 8);
        b[offset + 3] = (byte) v;
    }

    public static void put48(byte[] b, int offset, long v) {
        put16(b, offset, (int) (v >>> 32));
        put32(b, offset + 2, v);
    }

    public static void put64(byte[] b, int offset, long v) {
        put32(b, offset, v >>> 32);
        put32(b, offset + 4, v);
    }
}
