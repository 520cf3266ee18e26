package org.lunforge.device.changer;

import java.util.List;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.ModePageDefinition;

/**
 * The mode pages of a medium changer (SMC-3, mode parameters), none of them changeable or savable: they describe the
 * library's shape, which only its configuration changes.
 */
final class ChangerModePages {
    static final int ELEMENT_ADDRESS_ASSIGNMENT = 0x1D;
    static final int TRANSPORT_GEOMETRY_PARAMETERS = 0x1E;
    static final int DEVICE_CAPABILITIES = 0x1F;

    /** Device capabilities bits, one per element type: bit 0 would be the medium transport, then ST, I/E, DT. */
    private static final int ST = 0x02;
    private static final int IE = 0x04;
    private static final int DT = 0x08;

    private ChangerModePages() {
    }

    static List<ModePageDefinition> of(ElementLayout layout) {
        return List.of(elementAddressAssignment(layout), transportGeometry(), deviceCapabilities());
    }

    /**
     * SMC-3 element address assignment mode page: first address and count of each element type, in the order MT, ST,
     * I/E, DT. Linux ch reads it at probe (without and then with DBD) and mtx before every status: both find the page
     * at {@code 4 + BLOCK DESCRIPTOR LENGTH} of the MODE SENSE(6) data, and a changer has no block descriptor.
     */
    static ModePageDefinition elementAddressAssignment(ElementLayout layout) {
        byte[] p = new byte[20];
        p[0] = ELEMENT_ADDRESS_ASSIGNMENT;
        p[1] = 18;
        int offset = 2;
        for (ElementType t : List.of(ElementType.MEDIUM_TRANSPORT, ElementType.STORAGE, ElementType.IMPORT_EXPORT,
                ElementType.DATA_TRANSFER)) {
            ElementRange r = layout.range(t);
            BigEndian.put16(p, offset, r.count() == 0 ? 0 : r.first());
            BigEndian.put16(p, offset + 2, r.count());
            offset += 4;
        }
        return new ModePageDefinition(ELEMENT_ADDRESS_ASSIGNMENT, 0, p, new byte[p.length], false);
    }

    /**
     * SMC-3 transport geometry parameters mode page: one descriptor for our one medium transport element, ROTATE 0 (it
     * cannot turn a cartridge over), MEMBER NUMBER IN TRANSPORT ELEMENT SET 0.
     */
    static ModePageDefinition transportGeometry() {
        byte[] p = {TRANSPORT_GEOMETRY_PARAMETERS, 2, 0, 0};
        return new ModePageDefinition(TRANSPORT_GEOMETRY_PARAMETERS, 0, p, new byte[p.length], false);
    }

    /**
     * SMC-3 device capabilities mode page. Storage, import/export and data transfer elements store cartridges; the
     * medium transport only carries one during a command (STORMT 0). Any of those three may be the source of MOVE
     * MEDIUM and EXCHANGE MEDIUM to any of them; the medium transport is neither source nor destination.
     */
    static ModePageDefinition deviceCapabilities() {
        byte[] p = new byte[20];
        p[0] = DEVICE_CAPABILITIES;
        p[1] = 18;
        int stores = ST | IE | DT;
        p[2] = (byte) stores;
        // Bytes 4..7: MOVE MEDIUM from MT, ST, I/E, DT to the types whose bits are set.
        p[4] = 0;
        p[5] = (byte) stores;
        p[6] = (byte) stores;
        p[7] = (byte) stores;
        // Bytes 12..15: EXCHANGE MEDIUM, the same way.
        p[12] = 0;
        p[13] = (byte) stores;
        p[14] = (byte) stores;
        p[15] = (byte) stores;
        return new ModePageDefinition(DEVICE_CAPABILITIES, 0, p, new byte[p.length], false);
    }
}
