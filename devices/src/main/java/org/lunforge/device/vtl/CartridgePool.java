package org.lunforge.device.vtl;

import java.io.IOException;
import java.util.List;

/**
 * The cartridges a library can hold, as the library needs them: the seam to the cartridge store, which keeps each
 * cartridge's recorded data in the library's pool folder. The library never reads or writes what is on a cartridge; it
 * only asks whether one exists, creates blank ones and lists them.
 *
 * <p>Implementations are safe for use from several threads.
 */
public interface CartridgePool {
    /** True if the pool holds a cartridge with this barcode. */
    boolean exists(String barcode) throws IOException;

    /** The cartridge with this barcode, or null if the pool has none. */
    Volume find(String barcode) throws IOException;

    /**
     * Creates a blank cartridge of this type, durably (it exists after a crash once this returns).
     *
     * @throws java.nio.file.FileAlreadyExistsException if the pool already has a cartridge with this barcode
     */
    Volume create(String barcode, MediaType mediaType) throws IOException;

    /**
     * Creates a blank cartridge of this type and capacity ({@link CartridgeCapacity}; 0: the pool's default).
     * A pool without capacities (a test's) ignores it.
     */
    default Volume create(String barcode, MediaType mediaType, long capacity) throws IOException {
        return create(barcode, mediaType);
    }

    /** The cartridge's capacity in bytes, or 0 if the pool does not say (or for a cleaning cartridge). */
    default long capacity(String barcode) throws IOException {
        return 0;
    }

    /** Every cartridge in the pool, in no particular order. */
    List<Volume> list() throws IOException;
}
