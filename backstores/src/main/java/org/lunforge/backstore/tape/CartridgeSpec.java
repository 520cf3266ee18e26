package org.lunforge.backstore.tape;

import java.time.LocalDate;
import java.util.Objects;

/**
 * What a new cartridge is: its barcode (the volume serial on its label), the LTO format it is written in, whether it is
 * WORM, and its capacity. A real cartridge's capacity is its format's native capacity; a smaller one makes early
 * warning and end of medium reachable in tests.
 *
 * <p>A cleaning cartridge (a CLN label, {@link VolumeTag#cleaning}) records nothing: it has no format (null) and no
 * capacity (0); its medium auxiliary memory's LOAD COUNT counts its uses ({@link #CLEANING_USES}).
 *
 * @param capacity bytes of records the medium holds, record overhead and compressed payloads counted as stored
 * @param earlyWarningZone bytes between the early-warning point and the physical end of the partition: writes past
 *     {@code capacity - earlyWarningZone} succeed but report end of medium (SSC-4 4.2.5)
 * @param mediumSerialNumber MEDIUM SERIAL NUMBER of the medium auxiliary memory (MAM 0401h)
 */
public record CartridgeSpec(String barcode, TapeFormat format, boolean worm, long capacity, long earlyWarningZone,
                            String manufacturer, String mediumSerialNumber, LocalDate manufactureDate) {
    /** Uses of an Ultrium Universal Cleaning Cartridge: its cartridge memory counts loads, and it expires at 50. */
    public static final int CLEANING_USES = 50;

    public CartridgeSpec {
        Objects.requireNonNull(manufacturer, "manufacturer");
        Objects.requireNonNull(mediumSerialNumber, "mediumSerialNumber");
        Objects.requireNonNull(manufactureDate, "manufactureDate");
        if (VolumeTag.of(barcode).cleaning()) {
            if (format != null || worm || capacity != 0 || earlyWarningZone != 0) {
                throw new IllegalArgumentException("cleaning cartridge " + barcode
                        + " has no format, WORM or capacity");
            }
        } else {
            Objects.requireNonNull(format, "format");
            if (worm && !format.hasWorm()) {
                throw new IllegalArgumentException(format + " has no WORM cartridge");
            }
            if (capacity <= 0 || earlyWarningZone < 0 || earlyWarningZone >= capacity) {
                throw new IllegalArgumentException("capacity " + capacity + " with early warning zone "
                        + earlyWarningZone);
            }
        }
        if (manufacturer.length() > 8 || mediumSerialNumber.length() > 32) {
            throw new IllegalArgumentException("manufacturer or medium serial number too long");
        }
    }

    /**
     * A cartridge of the format its barcode's suffix names ("LF0001L8": LTO-8 data, "LF0002LY": LTO-8 WORM) at full
     * native capacity, with the early-warning zone a drive keeps near the end of an LTO tape.
     */
    public static CartridgeSpec ofBarcode(String barcode) {
        VolumeTag tag = VolumeTag.of(barcode);
        if (tag.cleaning()) {
            return new CartridgeSpec(barcode, null, false, 0, 0, "LUNFORGE", barcode, LocalDate.now());
        }
        TapeFormat format = tag.format();
        if (format == null) {
            throw new IllegalArgumentException("barcode " + barcode + " names no LTO data cartridge (L5..L9, LA,"
                    + " LV..LZ, M8; CLN labels are cleaning cartridges)");
        }
        return new CartridgeSpec(barcode, format, tag.worm(), format.nativeCapacity(),
                defaultEarlyWarningZone(format.nativeCapacity()), "LUNFORGE", barcode, LocalDate.now());
    }

    /** A cleaning cartridge (CLN label): it records nothing. */
    public boolean cleaning() {
        return format == null;
    }

    /** This cartridge with another capacity (and an early-warning zone that fits it). */
    public CartridgeSpec withCapacity(long capacity, long earlyWarningZone) {
        return new CartridgeSpec(barcode, format, worm, capacity, earlyWarningZone, manufacturer, mediumSerialNumber,
                manufactureDate);
    }

    public CartridgeSpec withWorm(boolean worm) {
        return new CartridgeSpec(barcode, format, worm, capacity, earlyWarningZone, manufacturer, mediumSerialNumber,
                manufactureDate);
    }

    /** 1% of the capacity, at most 4 GiB: a few seconds of writing at LTO speeds before the physical end. */
    public static long defaultEarlyWarningZone(long capacity) {
        return Math.min(capacity / 100, 4L << 30);
    }
}
