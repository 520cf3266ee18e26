package org.lunforge.device.vtl;

import java.io.IOException;
import java.util.List;

/** Opens a library over an {@link InventoryFile} a test controls (one that fails at a chosen stage). */
final class VirtualTapeLibraryAccess {
    private VirtualTapeLibraryAccess() {
    }

    static VirtualTapeLibrary openWithFile(LibraryConfig config, List<FakeDrive> drives, CartridgePool pool,
                                           InventoryFile file) throws IOException {
        return VirtualTapeLibrary.open(config, List.copyOf(drives), pool, file);
    }
}
