package org.lunforge.scsi;

/** SPC-4 6.6.2, table 139: the PERIPHERAL DEVICE TYPE reported by INQUIRY. */
public enum PeripheralDeviceType {
    DIRECT_ACCESS_BLOCK(0x00),
    SEQUENTIAL_ACCESS(0x01),
    MEDIUM_CHANGER(0x08),
    UNKNOWN(0x1F);

    private final int code;

    PeripheralDeviceType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
