package org.lunforge.device.vtl;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.lunforge.backstore.tape.CartridgeSpec;
import org.lunforge.backstore.tape.CartridgeStore;
import org.lunforge.backstore.tape.TapeFormat;

/**
 * The library's view of a cartridge store pool: barcodes and media types, with blank cartridges created at full
 * native capacity or at a fixed capacity (small cartridges let tests fill a tape and cross to the next one).
 * Cleaning cartridges are stored too (they record nothing; their memory counts their uses).
 */
public final class StoreCartridgePool implements CartridgePool {
    private final CartridgeStore store;
    private final long capacity;

    /** @param capacity bytes per new cartridge, or 0 for the media type's native capacity */
    public StoreCartridgePool(CartridgeStore store, long capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.store = store;
        this.capacity = capacity;
    }

    public CartridgeStore store() {
        return store;
    }

    @Override
    public boolean exists(String barcode) {
        return store.exists(barcode);
    }

    @Override
    public Volume find(String barcode) throws IOException {
        if (!store.exists(barcode)) {
            return null;
        }
        var cartridge = store.cartridge(barcode);
        return new Volume(barcode, cartridge.cleaning() ? MediaType.CLEANING : mediaType(cartridge.format()));
    }

    @Override
    public Volume create(String barcode, MediaType mediaType) throws IOException {
        return create(barcode, mediaType, 0);
    }

    /**
     * A blank cartridge of {@code capacity} bytes; 0: the pool's capacity, else the native one. Refused with the
     * reason ({@link CartridgeCapacity}) if out of range; the pool's own capacity is capped at the native one.
     */
    @Override
    public Volume create(String barcode, MediaType mediaType, long capacity) throws IOException {
        CartridgeSpec spec;
        try {
            spec = CartridgeSpec.ofBarcode(barcode);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        MediaType named = spec.cleaning() ? MediaType.CLEANING : mediaType(spec.format());
        if (named != mediaType) {
            throw new IOException("barcode " + barcode + " names " + named + ", not " + mediaType);
        }
        String refusal = CartridgeCapacity.refusal(capacity, mediaType);
        if (refusal != null) {
            throw new IOException(barcode + ": " + refusal);
        }
        long bytes = capacity > 0 ? capacity : Math.min(this.capacity, spec.cleaning() ? 0 : spec.capacity());
        if (bytes > 0 && !spec.cleaning()) {
            spec = spec.withCapacity(bytes, CartridgeSpec.defaultEarlyWarningZone(bytes));
        }
        store.create(spec);
        return new Volume(barcode, mediaType);
    }

    @Override
    public long capacity(String barcode) throws IOException {
        return store.exists(barcode) ? store.cartridge(barcode).spec().capacity() : 0;
    }

    @Override
    public List<Volume> list() throws IOException {
        List<Volume> out = new ArrayList<>();
        for (String barcode : store.barcodes()) {
            out.add(find(barcode));
        }
        return out;
    }

    static MediaType mediaType(TapeFormat format) {
        return MediaType.of(format);
    }
}
