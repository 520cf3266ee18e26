package org.lunforge.device.vtl;

import java.util.Objects;
import org.lunforge.backstore.tape.VolumeTag;

/**
 * A cartridge as the changer sees it: the volume its primary volume tag names (the barcode READ ELEMENT STATUS
 * reports, SMC-3 6.11) and its media type. It is a label, not the cartridge: what is recorded on the cartridge, its
 * medium auxiliary memory and its loading belong to the cartridge store's
 * {@link org.lunforge.backstore.tape.Cartridge}, which a drive loads by this barcode.
 *
 * <p>The barcode is a {@link VolumeTag} (its constructor is the one barcode rule). The usual form is LTO's: six
 * characters of volume serial and a media identifier, e.g. {@code LF0001L8}; a label may also be of another form when
 * its media type is given.
 */
public record Volume(String barcode, MediaType mediaType) {
    public Volume {
        VolumeTag.of(barcode);
        Objects.requireNonNull(mediaType, "mediaType");
    }

    /** The volume whose media type its barcode says; IllegalArgumentException if it says none. */
    public static Volume of(String barcode) {
        MediaType type = MediaType.of(VolumeTag.of(barcode));
        if (type == null) {
            throw new IllegalArgumentException("barcode " + barcode + " does not say its media type (e.g. LF0001L8)");
        }
        return new Volume(barcode, type);
    }

    public VolumeTag volumeTag() {
        return VolumeTag.of(barcode);
    }
}
