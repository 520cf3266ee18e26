package org.lunforge.device.vtl;

/**
 * The kinds of cartridge the library handles, told apart the way LTO barcode labels tell them: the last two
 * characters of an eight-character label are the media identifier ({@code L8} for LTO-8, {@code M8} for LTO-7 Type M),
 * and a cleaning cartridge's label starts with {@code CLN}.
 */
public enum MediaType {
    LTO5("L5"),
    LTO6("L6"),
    LTO7("L7"),
    /** An LTO-7 cartridge initialized for an LTO-8 drive (LTO-7 Type M). */
    LTO7_TYPE_M("M8"),
    LTO8("L8"),
    LTO9("L9"),
    /** A cleaning cartridge (label {@code CLNxxxLn}); SMC-3 MEDIUM TYPE cleaning. */
    CLEANING("");

    private final String mediaIdentifier;

    MediaType(String mediaIdentifier) {
        this.mediaIdentifier = mediaIdentifier;
    }

    /** The two-character media identifier at the end of a data cartridge's barcode; empty for cleaning cartridges. */
    public String mediaIdentifier() {
        return mediaIdentifier;
    }

    public boolean cleaning() {
        return this == CLEANING;
    }

    /** The type a barcode's label says, or null if it says none (a label that is not of the LTO form). */
    public static MediaType fromBarcode(String barcode) {
        if (barcode.startsWith("CLN")) {
            return CLEANING;
        }
        if (barcode.length() != 8) {
            return null;
        }
        String suffix = barcode.substring(6);
        for (MediaType t : values()) {
            if (!t.mediaIdentifier.isEmpty() && t.mediaIdentifier.equals(suffix)) {
                return t;
            }
        }
        return null;
    }
}
