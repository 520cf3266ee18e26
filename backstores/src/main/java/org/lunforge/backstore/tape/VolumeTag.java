package org.lunforge.backstore.tape;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A cartridge's volume tag: the barcode on its label, the VOLUME IDENTIFIER field of the primary volume tag that a
 * changer reports in READ ELEMENT STATUS (SMC-3 6.11, 32 bytes, left-aligned, padded with spaces), the BARCODE
 * attribute of its medium auxiliary memory (SPC-4 7.4.2.4.7) and the name of its files in the cartridge store. This is
 * the one barcode rule of the project; every layer that takes a barcode from outside builds one of these.
 *
 * <p>The rule: 1 to 32 of A-Z, 0-9, '-' and '_', starting with a letter or digit. Upper case and no spaces as on
 * printed labels and as Linux ch and mtx pass them through; no '.' or '/', so a volume tag is a safe file name.
 *
 * <p>What a label says about its cartridge follows the LTO barcode convention: six characters of volume serial and a
 * two-character media identifier ({@code LF0001L8}). L5..L9 are LTO-5..9 data cartridges, LA LTO-10's, M8 an
 * LTO-7 cartridge initialized as Type M, LV..LZ the WORM cartridges of LTO-5..9 ({@link TapeFormat}). A label that
 * starts with {@code CLN} is a cleaning cartridge whatever follows ({@code CLN001CU}, the universal cleaning
 * cartridge, or the older {@code CLN001L1}): libraries tell cleaning cartridges by that prefix, so a CLN label is
 * never a data cartridge.
 */
public record VolumeTag(String value) implements Comparable<VolumeTag> {
    /** The VOLUME IDENTIFIER field's length in bytes. */
    public static final int LENGTH = 32;
    /** The prefix of a cleaning cartridge's label. */
    public static final String CLEANING_PREFIX = "CLN";

    private static final Pattern RULE = Pattern.compile("[A-Z0-9][A-Z0-9_-]{0,31}");
    private static final Pattern LTO_LABEL = Pattern.compile("[A-Z0-9]{8}");

    public VolumeTag {
        Objects.requireNonNull(value, "volume tag");
        if (!RULE.matcher(value).matches()) {
            throw new IllegalArgumentException("a barcode is 1 to 32 of A-Z, 0-9, '-' and '_', starting with a letter"
                    + " or digit: '" + value + "'");
        }
    }

    public static VolumeTag of(String value) {
        return new VolumeTag(value);
    }

    /** True if {@code value} is a volume tag (for listings that skip what is not, such as stray files). */
    public static boolean isValid(String value) {
        return value != null && RULE.matcher(value).matches();
    }

    /** A cleaning cartridge: the label starts with CLN. */
    public boolean cleaning() {
        return value.startsWith(CLEANING_PREFIX);
    }

    /** The two-character media identifier of an eight-character LTO label ("L8"), or null for another form. */
    public String mediaIdentifier() {
        return LTO_LABEL.matcher(value).matches() ? value.substring(6) : null;
    }

    /** The recording format of the data cartridge the label names, or null (a cleaning or non-LTO label). */
    public TapeFormat format() {
        String id = mediaIdentifier();
        return id == null || cleaning() ? null : TapeFormat.ofMediaIdentifier(id);
    }

    /** True if the label names a WORM data cartridge (LV..LZ). */
    public boolean worm() {
        TapeFormat f = format();
        return f != null && mediaIdentifier().equals(f.wormSuffix());
    }

    /** True if the label says what the cartridge is: a cleaning cartridge or an LTO data cartridge. */
    public boolean namesMedia() {
        return cleaning() || format() != null;
    }

    @Override
    public int compareTo(VolumeTag other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
