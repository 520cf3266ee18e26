package org.lunforge.scsi;

import java.util.Objects;

/**
 * One log parameter (SPC-4 7.3.2.2): a parameter code, the control byte (DU, TSD, ETC, TMC, FORMAT AND LINKING) and
 * the value. LOG SENSE writes them in the order a {@link LogPage} returns them, which must be ascending by code.
 *
 * @param control byte 2 of the parameter: e.g. {@link #BINARY} for a bounded data counter or flag,
 *     {@link #LIST} for a list parameter
 */
public record LogParameter(int code, int control, byte[] value) {
    /** FORMAT AND LINKING 00b: a bounded data counter. */
    public static final int COUNTER = 0x00;
    /** FORMAT AND LINKING 11b: a binary format list parameter (TapeAlert flags, informational exceptions). */
    public static final int BINARY = 0x03;
    /** FORMAT AND LINKING 01b: an ASCII format list parameter. */
    public static final int ASCII = 0x01;

    public LogParameter {
        Objects.requireNonNull(value, "value");
        if (code < 0 || code > 0xFFFF || control < 0 || control > 0xFF || value.length > 0xFF) {
            throw new IllegalArgumentException("log parameter 0x%04x".formatted(code));
        }
        value = value.clone();
    }

    /** A counter parameter holding {@code counter} in {@code width} bytes, big-endian. */
    public static LogParameter counter(int code, long counter, int width) {
        byte[] v = new byte[width];
        for (int i = width - 1; i >= 0; i--) {
            v[i] = (byte) counter;
            counter >>>= 8;
        }
        return new LogParameter(code, COUNTER, v);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The encoded parameter: code, control, length, value. */
    public byte[] encode() {
        byte[] b = new byte[4 + value.length];
        BigEndian.put16(b, 0, code);
        b[2] = (byte) control;
        b[3] = (byte) value.length;
        System.arraycopy(value, 0, b, 4, value.length);
        return b;
    }
}
