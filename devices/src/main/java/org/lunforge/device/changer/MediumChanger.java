package org.lunforge.device.changer;

import java.util.List;
import java.util.function.Consumer;

/**
 * What the SMC-3 device server drives: the elements of a library and the movements of its medium transport. The
 * virtual tape library implements it over its inventory, drives and cartridge pool.
 *
 * <p>Every method is atomic with respect to the others: a movement either happens completely (cartridges moved, drives
 * loaded and unloaded, inventory saved) or not at all, and {@link #elementStatus} never shows half of one. Refusals and
 * failures are {@link ElementException}s naming the element at fault.
 */
public interface MediumChanger {
    ElementLayout layout();

    /** Every element's status in ascending address order: one consistent snapshot. */
    List<ElementStatus> elementStatus();

    /** SMC-3 MOVE MEDIUM from one element to another; source equal to destination is allowed and changes nothing. */
    void move(int source, int destination);

    /**
     * SMC-3 EXCHANGE MEDIUM: the cartridge in {@code source} goes to {@code firstDestination}, and the one that
     * was there goes to {@code secondDestination}, which may be {@code source} (a swap).
     */
    void exchange(int source, int firstDestination, int secondDestination);

    /**
     * SMC-3 INITIALIZE ELEMENT STATUS (WITH RANGE): checks the first {@code count} elements at or above address
     * {@code first} against what the drives report and corrects the inventory. Returns true if the inventory changed.
     */
    boolean initializeElementStatus(int first, int count);

    /**
     * SMC-3 PREVENT ALLOW MEDIUM REMOVAL: while locked, no cartridge may be moved into an import/export element
     * and the operator may neither put cartridges into them nor take cartridges out.
     */
    void setImportExportLocked(boolean locked);

    /** Registers for changes the medium transport did not make ({@link ChangerEvent}). */
    void addListener(Consumer<ChangerEvent> listener);

    void removeListener(Consumer<ChangerEvent> listener);

    /** False while the operator has taken the library offline: commands get NOT READY. */
    default boolean online() {
        return true;
    }
}
