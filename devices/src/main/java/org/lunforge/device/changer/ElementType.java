package org.lunforge.device.changer;

/**
 * The element types of a medium changer (SMC-3 4.2) with their ELEMENT TYPE CODE (SMC-3 6.10, table "Element type
 * code"). Code 0 means "all element types" in READ ELEMENT STATUS and is not an element type.
 */
public enum ElementType {
    /** The robot (picker, hand) that carries a cartridge between the other elements (SMC-3 4.2.2). */
    MEDIUM_TRANSPORT(1),
    /** A slot that holds a cartridge while it is not in use (SMC-3 4.2.3). */
    STORAGE(2),
    /** A mail slot through which the operator puts cartridges in and takes them out (SMC-3 4.2.4). */
    IMPORT_EXPORT(3),
    /** A tape drive, which reads and writes the cartridge put into it (SMC-3 4.2.5). */
    DATA_TRANSFER(4);

    private final int code;

    ElementType(int code) {
        this.code = code;
    }

    /** The ELEMENT TYPE CODE. */
    public int code() {
        return code;
    }

    /** The type for an ELEMENT TYPE CODE, or null for 0 (all types) and for the reserved codes 5..15. */
    public static ElementType ofCode(int code) {
        for (ElementType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
