package org.lunforge.device.vtl;

import java.util.Objects;
import org.lunforge.backstore.tape.VolumeTag;

/**
 * A cartridge as the library sees it: its barcode (the primary volume tag READ ELEMENT STATUS reports) and its media
 * type. What is recorded on it belongs to the cartridge store and the drive.
 *
 * <p>Barcodes follow {@link VolumeTag}'s rule. The usual form is LTO's: six characters of volume serial and a media
 * identifier, e.g. {@code LF0001L8}; a label may also be of another form when its media type is given.
 */
public record Cartridge(String barcode, MediaType mediaType) {
    public Cartridge {
        checkBarcode(barcode);
        Objects.requireNonNull(mediaType, "mediaType");
    }

    /** A cartridge whose media type its barcode says; IllegalArgumentException if it says none. */
    public static Cartridge of(String barcode) {
        checkBarcode(barcode);
        MediaType type = MediaType.fromBarcode(barcode);
        if (type == null) {
            throw new IllegalArgumentException("barcode " + barcode + " does not say its media type (e.g. LF0001L8)");
        }
        return new Cartridge(barcode, type);
    }

    /** {@link VolumeTag}'s rule, the one rule of the project. */
    public static void checkBarcode(String barcode) {
        VolumeTag.of(barcode);
    }
}
