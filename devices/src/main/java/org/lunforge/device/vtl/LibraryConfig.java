package org.lunforge.device.vtl;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.lunforge.backstore.tape.VolumeTag;
import org.lunforge.device.changer.ElementLayout;
import org.lunforge.scsi.LogicalUnitIdentity;

/**
 * Everything a virtual tape library is built from; the daemon maps its configuration onto this.
 *
 * @param name the library's name, for logs and the shell
 * @param poolFolder where the cartridge store keeps the cartridges; the library does not use it, the daemon opens
 *     the {@link CartridgePool} over it
 * @param stateFolder where the library keeps its inventory (file {@code inventory}, replaced atomically)
 * @param changer what the changer's logical unit says it is
 * @param drives the data transfer elements, in element address order: the first is drive 0 (mtx's numbering)
 * @param storageSlots how many storage elements
 * @param importExportSlots how many import/export elements (mail slots); may be 0
 * @param cartridges where cartridges are on the library's first start (no inventory saved yet): each is created in
 *     the pool if it does not exist and placed in its storage slot. Ignored once an inventory exists.
 * @param layout the element addresses, or null for {@link ElementLayout#standard}
 */
public record LibraryConfig(String name, Path poolFolder, Path stateFolder, ChangerIdentity changer,
                            List<DriveConfig> drives, int storageSlots, int importExportSlots,
                            List<CartridgePlacement> cartridges, ElementLayout layout) {
    public LibraryConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(poolFolder, "poolFolder");
        Objects.requireNonNull(stateFolder, "stateFolder");
        Objects.requireNonNull(changer, "changer");
        drives = List.copyOf(drives);
        cartridges = List.copyOf(cartridges);
        if (drives.isEmpty()) {
            throw new IllegalArgumentException(name + ": a library needs at least one drive");
        }
        if (storageSlots < 1) {
            throw new IllegalArgumentException(name + ": a library needs at least one storage slot");
        }
        if (importExportSlots < 0) {
            throw new IllegalArgumentException(name + ": negative import/export slot count");
        }
        if (layout == null) {
            layout = ElementLayout.standard(drives.size(), storageSlots, importExportSlots);
        } else if (layout.dataTransfer().count() != drives.size() || layout.storage().count() != storageSlots
                || layout.importExport().count() != importExportSlots) {
            throw new IllegalArgumentException(name + ": the element layout does not have the configured counts");
        }
        Set<String> barcodes = new HashSet<>();
        Set<Integer> slots = new HashSet<>();
        for (CartridgePlacement c : cartridges) {
            if (c.slot() > storageSlots) {
                throw new IllegalArgumentException(name + ": cartridge " + c.barcode() + " placed in slot " + c.slot()
                        + " of " + storageSlots);
            }
            if (!barcodes.add(c.barcode())) {
                throw new IllegalArgumentException(name + ": cartridge " + c.barcode() + " placed twice");
            }
            if (!slots.add(c.slot())) {
                throw new IllegalArgumentException(name + ": two cartridges placed in slot " + c.slot());
            }
        }
    }

    /** A library with the standard element layout. */
    public LibraryConfig(String name, Path poolFolder, Path stateFolder, ChangerIdentity changer,
                         List<DriveConfig> drives, int storageSlots, int importExportSlots,
                         List<CartridgePlacement> cartridges) {
        this(name, poolFolder, stateFolder, changer, drives, storageSlots, importExportSlots, cartridges, null);
    }

    /**
     * The changer's INQUIRY identity. Backup software and mtx show vendor and product; some (Bacula's and Amanda's
     * library profiles) key on them, so the defaults name well-known libraries.
     *
     * @param unitId the changer logical unit's lasting identity: its unit serial number and NAA designator (VPD 0x80,
     *     0x83) derive from it, so the configuration must keep it
     */
    public record ChangerIdentity(String vendor, String product, String revision, UUID unitId) {
        public ChangerIdentity {
            Objects.requireNonNull(unitId, "unitId");
            logicalUnitIdentity(vendor, product, revision, unitId); // validates the fields
        }

        /** A StorageTek L700. */
        public static ChangerIdentity stkL700(UUID unitId) {
            return new ChangerIdentity("STK", "L700", "0107", unitId);
        }

        /** An IBM TS3500 (3584) logical library. */
        public static ChangerIdentity ibm3584(UUID unitId) {
            return new ChangerIdentity("IBM", "03584L32", "C260", unitId);
        }

        /** The identity for the changer's LogicalUnit. */
        public LogicalUnitIdentity logicalUnitIdentity() {
            return logicalUnitIdentity(vendor, product, revision, unitId);
        }

        private static LogicalUnitIdentity logicalUnitIdentity(String vendor, String product, String revision,
                                                               UUID unitId) {
            return LogicalUnitIdentity.of(vendor, product, revision, unitId);
        }
    }

    /**
     * One drive of the library.
     *
     * @param name the drive's logical unit name, for logs (the daemon binds it to its {@link DataTransferDevice})
     * @param lun the drive's LUN on the changer's own target, 0..7, reported in READ ELEMENT STATUS with LU VALID so
     *     Linux ch can pair element and device; -1 when the drive is elsewhere (reported as not known)
     */
    public record DriveConfig(String name, int lun) {
        public DriveConfig {
            Objects.requireNonNull(name, "name");
            if (lun < -1 || lun > 7) {
                throw new IllegalArgumentException("drive " + name + ": LUN " + lun + " cannot be reported (0..7, or"
                        + " -1)");
            }
        }

        public static DriveConfig named(String name) {
            return new DriveConfig(name, -1);
        }
    }

    /**
     * A cartridge in a storage slot at the first start.
     *
     * @param mediaType the type to create it with if the pool lacks it; null to take it from the barcode
     * @param slot the storage slot, numbered from 1 as mtx numbers them
     * @param capacity bytes to create it with if the pool lacks it ({@link CartridgeCapacity}); 0: the default
     */
    public record CartridgePlacement(String barcode, MediaType mediaType, int slot, long capacity) {
        public CartridgePlacement(String barcode, MediaType mediaType, int slot) {
            this(barcode, mediaType, slot, 0);
        }

        public CartridgePlacement {
            VolumeTag.of(barcode);
            if (mediaType == null && MediaType.fromBarcode(barcode) == null) {
                throw new IllegalArgumentException("cartridge " + barcode + ": give its media type; the barcode does"
                        + " not say it");
            }
            if (slot < 1) {
                throw new IllegalArgumentException("cartridge " + barcode + ": slots are numbered from 1");
            }
            String refusal = CartridgeCapacity.refusal(capacity,
                    mediaType != null ? mediaType : MediaType.fromBarcode(barcode));
            if (refusal != null) {
                throw new IllegalArgumentException("cartridge " + barcode + ": " + refusal);
            }
        }

        public Volume cartridge() {
            return new Volume(barcode, mediaType != null ? mediaType : MediaType.fromBarcode(barcode));
        }
    }
}
