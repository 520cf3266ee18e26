package org.lunforge.device.vtl;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A cartridge as the library sees it: its barcode (the primary volume tag READ ELEMENT STATUS reports) and its media
 * type. What is recorded on it belongs to the cartridge store and the drive.
 *
 * <p>Barcodes are 1 to 32 characters (the volume identifier is 32 bytes), upper-case letters, digits, '-' and '_':
 * what barcode labels carry, what Linux ch and mtx pass through unchanged, and safe as a file name in the pool folder.
 * The usual form is LTO's: six characters of volume serial and a media identifier, e.g. {@code LF0001L8}.
 */
public record Cartridge(String barcode, MediaType mediaType) {
    private static final Pattern BARCODE = Pattern.compile("[A-Z0-9][A-Z0-9_-]{0,31}");

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

    public static void checkBarcode(String barcode) {
        Objects.requireNonNull(barcode, "barcode");
        if (!BARCODE.matcher(barcode).matches()) {
            throw new IllegalArgumentException("a barcode is 1 to 32 of A-Z, 0-9, '-' and '_', starting with a letter"
                    + " or digit: '" + barcode + "'");
        }
    }
}
