package org.lunforge.device.changer;

import java.util.Objects;
import org.lunforge.scsi.SenseCode;

/**
 * The status of one element as READ ELEMENT STATUS reports it (SMC-3, READ ELEMENT STATUS, the element descriptors of
 * each type): one entry of a consistent snapshot of the library.
 *
 * @param volumeTag the barcode of the cartridge in the element (the PRIMARY VOLUME TAG), or null when it is empty;
 *     FULL is {@code volumeTag != null}
 * @param sourceAddress the SOURCE STORAGE ELEMENT ADDRESS: the last storage or import/export element the cartridge was
 *     moved from (SVALID), or -1 when not known (a cartridge the operator imported)
 * @param access ACCESS: the medium transport element may reach the element now (for a drive: the cartridge may be
 *     taken out, i.e. its removal is not prevented). Not reported for the medium transport element.
 * @param exception the abnormal state the element is in (EXCEPT with its ASC and ASCQ), or null
 * @param placedByOperator IMPEXP for an import/export element: the operator put the cartridge there (an import), as
 *     opposed to the medium transport (an export)
 * @param cleaningMedium MEDIUM TYPE cleaning (2) rather than data (1), for a full element
 * @param identification the drive's identifier for DVCID, or null (every element but data transfer ones)
 * @param logicalUnit the drive's LUN reported with LU VALID (0..7), or -1 for none
 */
public record ElementStatus(int address, ElementType type, String volumeTag, int sourceAddress, boolean access,
                           SenseCode exception, boolean placedByOperator, boolean cleaningMedium,
                           DeviceIdentification identification, int logicalUnit) {
    public ElementStatus {
        Objects.requireNonNull(type, "type");
        if (address < 0 || address > ElementRange.MAX_ADDRESS || sourceAddress < -1
                || sourceAddress > ElementRange.MAX_ADDRESS || logicalUnit < -1 || logicalUnit > 7) {
            throw new IllegalArgumentException("element 0x%04x: source %d, LUN %d"
                    .formatted(address, sourceAddress, logicalUnit));
        }
    }

    /** An empty element the medium transport can reach, without exception. */
    public static ElementStatus empty(int address, ElementType type) {
        return new ElementStatus(address, type, null, -1, true, null, false, false, null, -1);
    }

    public boolean full() {
        return volumeTag != null;
    }
}
