package org.lunforge.backstore.tape;

import java.io.IOException;
import java.util.List;

/**
 * The cartridges of one library or stand-alone drive, as the tape side's counterpart of a block store: a blank
 * cartridge is created from its {@link CartridgeSpec}, a cartridge is found by its barcode ({@link VolumeTag}'s rule),
 * and {@link Cartridge#load} gives a drive its recorded data. Opened by a {@link CartridgeStoreProvider}, found like
 * the block stores ({@link CartridgeStores}). A store never builds sense: it throws {@link MediumException} for a
 * record that cannot be read back, {@link CartridgeInUseException} for a cartridge another drive holds, and other
 * {@link IOException}s for failed file calls; the drive's one mapper turns them into sense.
 *
 * <p>Implementations are safe for use from several threads; one cartridge is loaded in one drive at a time.
 */
public interface CartridgeStore {
    /**
     * Creates a blank cartridge, durably: after a crash it exists whole or not at all.
     *
     * @throws java.nio.file.FileAlreadyExistsException if the store has a cartridge with this barcode
     */
    Cartridge create(CartridgeSpec spec) throws IOException;

    /**
     * The cartridge with this barcode.
     *
     * @throws java.nio.file.NoSuchFileException if the store has none
     */
    Cartridge cartridge(String barcode) throws IOException;

    /** True if the store holds a cartridge with this barcode (false for a string that is not a volume tag). */
    boolean exists(String barcode);

    /** The barcodes of the store's cartridges, sorted. */
    List<String> barcodes() throws IOException;

    /** Deletes a cartridge; refused with {@link CartridgeInUseException} while a drive has it loaded. */
    void delete(String barcode) throws IOException;
}
