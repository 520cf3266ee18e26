package org.lunforge.scsi;

import java.util.Objects;

/**
 * The sense data of one check condition (SPC-4 4.5): a {@link SenseCode}, and where the command supplies them the
 * INFORMATION field, the COMMAND-SPECIFIC INFORMATION field, a sense-key specific field pointer, and the stream
 * bits FILEMARK, EOM and ILI of SSC-4.
 *
 * <p>{@link #encode(boolean)} writes the fixed (0x70, SPC-4 4.5.3) or descriptor (0x72, SPC-4 4.5.2) form; which
 * one is the control mode page's D_SENSE choice, made by the logical unit, never by the command.
 *
 * @param information the INFORMATION field (LBA of the error, tape residue), or null when not valid
 * @param commandSpecific the COMMAND-SPECIFIC INFORMATION field, or null
 * @param fieldPointer the sense-key specific field pointer (SPC-4 4.5.2.4.2), or null
 */
public record Sense(SenseCode code, Long information, Long commandSpecific, FieldPointer fieldPointer,
                    boolean filemark, boolean endOfMedium, boolean incorrectLength) {

    /** Fixed-format sense is always this long: ADDITIONAL SENSE LENGTH 10. */
    public static final int FIXED_LENGTH = 18;

    public Sense {
        Objects.requireNonNull(code, "code");
    }

    public static Sense of(SenseCode code) {
        return new Sense(code, null, null, null, false, false, false);
    }

    /** INVALID FIELD IN CDB pointing at the most significant bit of the field in error. */
    public static Sense invalidFieldInCdb(int byteIndex, int bitIndex) {
        return of(SenseCode.INVALID_FIELD_IN_CDB).withFieldPointer(FieldPointer.cdb(byteIndex, bitIndex));
    }

    /** INVALID FIELD IN PARAMETER LIST pointing into the data-out buffer. */
    public static Sense invalidFieldInParameterList(int byteIndex, int bitIndex) {
        return of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST)
                .withFieldPointer(FieldPointer.parameterList(byteIndex, bitIndex));
    }

    public Sense withInformation(long value) {
        return new Sense(code, value, commandSpecific, fieldPointer, filemark, endOfMedium, incorrectLength);
    }

    public Sense withCommandSpecific(long value) {
        return new Sense(code, information, value, fieldPointer, filemark, endOfMedium, incorrectLength);
    }

    public Sense withFieldPointer(FieldPointer pointer) {
        return new Sense(code, information, commandSpecific, pointer, filemark, endOfMedium, incorrectLength);
    }

    /** SSC-4 stream bits, reported in byte 2 (fixed) or in the stream commands descriptor (descriptor format). */
    public Sense withStreamBits(boolean filemark, boolean endOfMedium, boolean incorrectLength) {
        return new Sense(code, information, commandSpecific, fieldPointer, filemark, endOfMedium, incorrectLength);
    }

    public SenseKey key() {
        return code.key();
    }

    /** The sense bytes in fixed (false) or descriptor (true) format. */
    public byte[] encode(boolean descriptorFormat) {
        return descriptorFormat ? encodeDescriptor() : encodeFixed();
    }

    private byte[] encodeFixed() {
        byte[] b = new byte[FIXED_LENGTH];
        // VALID says the INFORMATION field holds a value; a value above 32 bits does not fit (SPC-4 4.5.3).
        boolean infoValid = information != null && (information >>> 32) == 0;
        b[0] = (byte) ((infoValid ? 0x80 : 0) | 0x70);
        b[2] = (byte) ((filemark ? 0x80 : 0) | (endOfMedium ? 0x40 : 0) | (incorrectLength ? 0x20 : 0)
                | code.key().code());
        if (information != null) {
            BigEndian.put32(b, 3, information);
        }
        b[7] = (byte) (FIXED_LENGTH - 8);
        if (commandSpecific != null) {
            BigEndian.put32(b, 8, commandSpecific);
        }
        b[12] = (byte) code.asc();
        b[13] = (byte) code.ascq();
        if (fieldPointer != null) {
            fieldPointer.encode(b, 15);
        }
        return b;
    }

    private byte[] encodeDescriptor() {
        int length = 8
                + (information != null ? 12 : 0)
                + (commandSpecific != null ? 12 : 0)
                + (fieldPointer != null ? 8 : 0)
                + (filemark || endOfMedium || incorrectLength ? 4 : 0);
        byte[] b = new byte[length];
        b[0] = 0x72;
        b[1] = (byte) code.key().code();
        b[2] = (byte) code.asc();
        b[3] = (byte) code.ascq();
        b[7] = (byte) (length - 8);
        int p = 8;
        if (information != null) { // SPC-4 4.5.2.2 information descriptor
            b[p] = 0x00;
            b[p + 1] = 0x0A;
            b[p + 2] = (byte) 0x80;
            BigEndian.put64(b, p + 4, information);
            p += 12;
        }
        if (commandSpecific != null) { // SPC-4 4.5.2.3
            b[p] = 0x01;
            b[p + 1] = 0x0A;
            BigEndian.put64(b, p + 4, commandSpecific);
            p += 12;
        }
        if (fieldPointer != null) { // SPC-4 4.5.2.4 sense key specific descriptor
            b[p] = 0x02;
            b[p + 1] = 0x06;
            fieldPointer.encode(b, p + 4);
            p += 8;
        }
        if (filemark || endOfMedium || incorrectLength) { // SSC-4 4.2.x stream commands descriptor
            b[p] = 0x04;
            b[p + 1] = 0x02;
            b[p + 3] = (byte) ((filemark ? 0x80 : 0) | (endOfMedium ? 0x40 : 0) | (incorrectLength ? 0x20 : 0));
        }
        return b;
    }

    /** Parses sense bytes of either format; the inverse of {@link #encode(boolean)} for the codes this table names. */
    public static Sense decode(byte[] b) {
        int responseCode = b[0] & 0x7F;
        if (responseCode == 0x70 || responseCode == 0x71) {
            SenseCode code = lookup(b[2] & 0x0F, b[12] & 0xFF, b[13] & 0xFF);
            Long info = (b[0] & 0x80) != 0 ? BigEndian.u32(b, 3) : null;
            long cmdSpecific = BigEndian.u32(b, 8);
            FieldPointer fp = FieldPointer.decode(b, 15);
            return new Sense(code, info, cmdSpecific == 0 ? null : cmdSpecific, fp,
                    (b[2] & 0x80) != 0, (b[2] & 0x40) != 0, (b[2] & 0x20) != 0);
        }
        if (responseCode == 0x72 || responseCode == 0x73) {
            Sense s = of(lookup(b[1] & 0x0F, b[2] & 0xFF, b[3] & 0xFF));
            int end = Math.min(b.length, 8 + (b[7] & 0xFF));
            for (int p = 8; p + 1 < end; p += 2 + (b[p + 1] & 0xFF)) {
                switch (b[p]) {
                    case 0x00 -> s = s.withInformation(BigEndian.s64(b, p + 4));
                    case 0x01 -> s = s.withCommandSpecific(BigEndian.s64(b, p + 4));
                    case 0x02 -> s = s.withFieldPointer(FieldPointer.decode(b, p + 4));
                    case 0x04 -> s = s.withStreamBits((b[p + 3] & 0x80) != 0, (b[p + 3] & 0x40) != 0,
                            (b[p + 3] & 0x20) != 0);
                    default -> { }
                }
            }
            return s;
        }
        throw new IllegalArgumentException("not sense data: response code 0x" + Integer.toHexString(responseCode));
    }

    private static SenseCode lookup(int key, int asc, int ascq) {
        SenseCode code = SenseCode.lookup(SenseKey.of(key), asc, ascq);
        if (code == null) {
            throw new IllegalArgumentException("sense %X/%02X/%02X is not in SenseCode".formatted(key, asc, ascq));
        }
        return code;
    }

    /**
     * SPC-4 4.5.2.4.2: the field pointer form of the sense-key specific bytes. C/D says whether the pointer is into
     * the CDB (true) or the parameter list; bitIndex is the most significant bit of the field, or -1 for a whole byte.
     */
    public record FieldPointer(boolean inCdb, int byteIndex, int bitIndex) {
        public FieldPointer {
            if (byteIndex < 0 || byteIndex > 0xFFFF || bitIndex < -1 || bitIndex > 7) {
                throw new IllegalArgumentException("field pointer byte " + byteIndex + " bit " + bitIndex);
            }
        }

        public static FieldPointer cdb(int byteIndex, int bitIndex) {
            return new FieldPointer(true, byteIndex, bitIndex);
        }

        public static FieldPointer parameterList(int byteIndex, int bitIndex) {
            return new FieldPointer(false, byteIndex, bitIndex);
        }

        void encode(byte[] b, int offset) {
            // SKSV=1 (bit 7), C/D (bit 6), BPV (bit 3), BIT POINTER (bits 2..0), then FIELD POINTER.
            b[offset] = (byte) (0x80 | (inCdb ? 0x40 : 0) | (bitIndex >= 0 ? 0x08 | bitIndex : 0));
            b[offset + 1] = (byte) (byteIndex >> 8);
            b[offset + 2] = (byte) byteIndex;
        }

        static FieldPointer decode(byte[] b, int offset) {
            if (b.length < offset + 3 || (b[offset] & 0x80) == 0) {
                return null;
            }
            int bit = (b[offset] & 0x08) != 0 ? b[offset] & 0x07 : -1;
            return new FieldPointer((b[offset] & 0x40) != 0, BigEndian.u16(b, offset + 1),
                    bit);
        }
    }
}
