package org.lunforge.device.changer;

/**
 * The element types of a medium changer (SMC-3, medium changer model) with their ELEMENT TYPE CODE (SMC-3, READ ELEMENT
 * STATUS, table of element type codes). Code 0 means "all element types" in READ ELEMENT STATUS and is not an element
 * type.
 */
public enum ElementType {
    /** The robot (picker, hand) that carries a cartridge between the other elements. */
    MEDIUM_TRANSPORT(1),
    /** A slot that holds a cartridge while it is not in use. */
    STORAGE(2),
    /** A mail slot through which the operator puts cartridges in and takes them out. */
    IMPORT_EXPORT(3),
    /** A tape drive, which reads and writes the cartridge put into it. */
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
