package org.lunforge.device.changer;

/**
 * Changes to the library that did not come through the medium transport, which initiators learn of by unit
 * attention (SPC-4 5.8.7).
 */
public enum ChangerEvent {
    /** The operator put a cartridge into an import/export element or took one out: IMPORT OR EXPORT ELEMENT
     * ACCESSED. */
    IMPORT_EXPORT_ELEMENT_ACCESSED,
    /** Cartridges appeared, vanished or changed place outside the medium transport (the inventory was re-initialized):
     * NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED. */
    INVENTORY_CHANGED
}
