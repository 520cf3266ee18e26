package org.lunforge.scsi;

import java.util.Objects;

/**
 * One mode page a logical unit supports (SPC-4 7.5.7): its default values and the mask of bits MODE SELECT may
 * change. Both are the whole page as MODE SENSE returns it, header included (PAGE CODE, SPF, PAGE LENGTH); the
 * current and saved values are kept by the logical unit.
 *
 * @param savable whether the PS bit is set and SP=1 saves the page in the state store
 */
public record ModePageDefinition(int pageCode, int subpageCode, byte[] defaults, byte[] changeable, boolean savable) {
    public ModePageDefinition {
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(changeable, "changeable");
        if (pageCode < 0 || pageCode > 0x3E || subpageCode < 0 || subpageCode > 0xFE) {
            throw new IllegalArgumentException("page 0x%02x/0x%02x".formatted(pageCode, subpageCode));
        }
        if (defaults.length != changeable.length) {
            throw new IllegalArgumentException("defaults and changeable mask differ in length");
        }
        int headerLength = subpageCode == 0 ? 2 : 4;
        int declared = subpageCode == 0 ? defaults[1] & 0xFF : BigEndian.u16(defaults, 2);
        if ((defaults[0] & 0x3F) != pageCode || declared != defaults.length - headerLength) {
            throw new IllegalArgumentException("page 0x%02x header does not match its length".formatted(pageCode));
        }
        defaults = defaults.clone();
        changeable = changeable.clone();
    }

    @Override
    public byte[] defaults() {
        return defaults.clone();
    }

    @Override
    public byte[] changeable() {
        return changeable.clone();
    }
}
