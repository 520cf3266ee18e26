package org.lunforge.device.vtl;

import org.lunforge.backstore.tape.TapeFormat;
import org.lunforge.backstore.tape.VolumeTag;

/**
 * The kinds of cartridge the library handles: a data cartridge of one LTO {@link TapeFormat} (WORM or not, which its
 * label says), or a cleaning cartridge. A data type and its format are one idea: each data type holds its format, and
 * {@link #of(TapeFormat)} is the way back; what a label says is {@link VolumeTag}'s rule ({@link #of(VolumeTag)}).
 */
public enum MediaType {
    LTO5(TapeFormat.LTO5),
    LTO6(TapeFormat.LTO6),
    LTO7(TapeFormat.LTO7),
    /** An LTO-7 cartridge initialized for an LTO-8 drive (LTO-7 Type M). */
    LTO7_TYPE_M(TapeFormat.LTO7_TYPE_M),
    LTO8(TapeFormat.LTO8),
    LTO9(TapeFormat.LTO9),
    LTO10(TapeFormat.LTO10),
    /** A cleaning cartridge (label {@code CLNxxxCU}); SMC-3 MEDIUM TYPE cleaning. */
    CLEANING(null);

    private final TapeFormat format;

    MediaType(TapeFormat format) {
        this.format = format;
    }

    /** The recording format of a data cartridge; null for a cleaning cartridge. */
    public TapeFormat format() {
        return format;
    }

    /** The two-character media identifier at the end of a data cartridge's barcode; empty for cleaning cartridges. */
    public String mediaIdentifier() {
        return format == null ? "" : format.dataSuffix();
    }

    public boolean cleaning() {
        return this == CLEANING;
    }

    /** The data cartridge type of a format. */
    public static MediaType of(TapeFormat format) {
        for (MediaType t : values()) {
            if (t.format == format) {
                return t;
            }
        }
        throw new IllegalArgumentException("no media type for " + format);
    }

    /** The type a label says (WORM labels included: LY is LTO-8), or null if it says none. */
    public static MediaType of(VolumeTag tag) {
        if (tag.cleaning()) {
            return CLEANING;
        }
        TapeFormat f = tag.format();
        return f == null ? null : of(f);
    }

    /** The type a barcode's label says, or null if it says none or is not a volume tag at all. */
    public static MediaType fromBarcode(String barcode) {
        return VolumeTag.isValid(barcode) ? of(VolumeTag.of(barcode)) : null;
    }
}
