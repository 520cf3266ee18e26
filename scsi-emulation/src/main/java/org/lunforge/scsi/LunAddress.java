package org.lunforge.scsi;

/**
 * SAM-5 4.7: the 8-byte LUN field as transports carry it. We number logical units 0..16383 and use the peripheral
 * device addressing method for 0..255 and the flat space method above (SAM-5 4.7.7), as Linux and libiscsi expect.
 */
public final class LunAddress {
    public static final int MAX_LUN = 0x3FFF;

    private LunAddress() {
    }

    /** The 8-byte LUN for a logical unit number. */
    public static long encode(int lun) {
        if (lun < 0 || lun > MAX_LUN) {
            throw new IllegalArgumentException("LUN out of range: " + lun);
        }
        long first = lun < 256 ? lun : 0x4000 | lun;
        return first << 48;
    }

    /** The logical unit number of an 8-byte LUN, or -1 if it uses an addressing method we do not serve. */
    public static int decode(long lunField) {
        int first = (int) (lunField >>> 48);
        if ((lunField & 0xFFFF_FFFF_FFFFL) != 0) {
            return -1;
        }
        return switch (first >>> 14) {
            case 0 -> (first & 0x3F00) == 0 ? first & 0xFF : -1; // peripheral, bus 0
            case 1 -> first & MAX_LUN; // flat space
            default -> -1;
        };
    }
}
