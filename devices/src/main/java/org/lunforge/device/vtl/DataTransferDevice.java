package org.lunforge.device.vtl;

import java.io.IOException;
import org.lunforge.device.changer.DeviceIdentification;

/**
 * What the library needs of a tape drive behind one of its data transfer elements: the seam to the SSC tape drive
 * emulation. The medium transport puts cartridges in ({@link #load}) and takes them out ({@link #unload}); the drive
 * says what it holds and whether its initiator has locked the cartridge in.
 *
 * <p>Calls come from the library's robot (one at a time per library, never with the drive's own locks held by the
 * library). {@link #load} and {@link #unload} may block for the drive's I/O (opening, flushing, closing a cartridge)
 * but should not take long: a MOVE MEDIUM waits for them.
 */
public interface DataTransferDevice {
    /**
     * The drive's identification for READ ELEMENT STATUS with DVCID: the vendor, product and unit serial number of the
     * drive's logical unit, exactly as its standard INQUIRY data and VPD page 0x80 report them.
     */
    DeviceIdentification identification();

    /**
     * The barcode of the cartridge in the drive, or null if it is empty. A cartridge the drive has unloaded (REWIND
     * UNLOAD, {@code mt offline}) but the medium transport has not yet taken out is still in the drive.
     */
    String loadedBarcode();

    default boolean isLoaded() {
        return loadedBarcode() != null;
    }

    /**
     * True while an initiator of the drive's logical unit prevents medium removal (its PREVENT ALLOW MEDIUM REMOVAL
     * with PREVENT 01b: the Linux st driver locks the drive while /dev/nst0 is open). The library then refuses to take
     * the cartridge out.
     */
    boolean isMediumRemovalPrevented();

    /**
     * The medium transport has put this cartridge into the empty drive: mount it. When this returns the drive holds
     * the cartridge, reports it loaded (a unit attention NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED for its
     * initiators, then TEST UNIT READY good) and positioned at the beginning of the medium.
     *
     * @throws IOException if the cartridge cannot be mounted; the drive must then still be empty
     */
    void load(Volume cartridge) throws IOException;

    /**
     * The medium transport takes the cartridge out: unload it if it is still loaded (rewind, flush what was written,
     * release it) and give it up. When this returns the drive is empty and reports MEDIUM NOT PRESENT.
     *
     * @return the barcode of the cartridge that was in the drive, or null if it was empty
     * @throws IOException if the cartridge cannot be released; the drive must then still hold it
     */
    String unload() throws IOException;

    /** True while the drive asks to be cleaned (TapeAlert CLEAN NOW); a drive that never asks says false. */
    default boolean cleaningRequired() {
        return false;
    }
}
