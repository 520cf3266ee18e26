package org.lunforge.backstore.tape;

import java.io.IOException;

/** The cartridge is loaded in another drive (of this daemon or another process): one drive at a time. */
public final class CartridgeInUseException extends IOException {
    public CartridgeInUseException(String barcode) {
        super("cartridge " + barcode + " is loaded in another drive");
    }
}
