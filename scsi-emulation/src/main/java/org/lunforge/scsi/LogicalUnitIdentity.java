package org.lunforge.scsi;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * What a logical unit says it is: the INQUIRY identification fields, the unit serial number (VPD 0x80) and the NAA
 * designator (VPD 0x83) that multipath software uses to tell that two paths reach the same logical unit.
 *
 * @param vendor T10 VENDOR IDENTIFICATION, at most 8 ASCII characters
 * @param product PRODUCT IDENTIFICATION, at most 16
 * @param revision PRODUCT REVISION LEVEL, at most 4
 * @param serialNumber the PRODUCT SERIAL NUMBER of VPD 0x80, printable ASCII
 * @param naa the 16-byte NAA IEEE Registered Extended designator (NAA 6, SPC-4 7.8.6.6.5)
 */
public record LogicalUnitIdentity(String vendor, String product, String revision, String serialNumber, byte[] naa) {
    /** The IEEE company id used in our NAA designators (the same OUI LIO uses for software targets). */
    public static final int OUI = 0x001405;

    public LogicalUnitIdentity {
        requireAscii(vendor, 8, "vendor");
        requireAscii(product, 16, "product");
        requireAscii(revision, 4, "revision");
        requireAscii(serialNumber, 252, "serial number");
        Objects.requireNonNull(naa, "naa");
        if (naa.length != 16 || (naa[0] & 0xF0) != 0x60) {
            throw new IllegalArgumentException("NAA designator must be 16 bytes of NAA 6");
        }
        naa = naa.clone();
    }

    /** An identity whose serial number and NAA designator derive from a UUID that the configuration keeps. */
    public static LogicalUnitIdentity of(String vendor, String product, String revision, UUID unitId) {
        String serial = unitId.toString().replace("-", "");
        // NAA 6: 4 bits NAA, 24 bits OUI, 36 bits vendor specific, 64 bits vendor specific extension.
        byte[] naa = new byte[16];
        long hi = unitId.getMostSignificantBits();
        long lo = unitId.getLeastSignificantBits();
        naa[0] = (byte) (0x60 | (OUI >>> 20));
        naa[1] = (byte) (OUI >>> 12);
        naa[2] = (byte) (OUI >>> 4);
        naa[3] = (byte) (((OUI & 0xF) << 4) | (int) ((hi >>> 60) & 0xF));
        BigEndian.put32(naa, 4, hi >>> 28);
        BigEndian.put64(naa, 8, (hi << 36) ^ lo);
        return new LogicalUnitIdentity(vendor, product, revision, serial, naa);
    }

    @Override
    public byte[] naa() {
        return naa.clone();
    }

    private static void requireAscii(String s, int max, String what) {
        Objects.requireNonNull(s, what);
        if (s.length() > max || !StandardCharsets.US_ASCII.newEncoder().canEncode(s)
                || s.chars().anyMatch(c -> c < 0x20 || c > 0x7E)) {
            throw new IllegalArgumentException(what + " must be at most " + max + " printable ASCII characters: " + s);
        }
    }
}
