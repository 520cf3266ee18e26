package org.lunforge.device.vtl;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A cartridge pool in memory: what exists, nothing recorded on it. */
public final class FakePool implements CartridgePool {
    private final Map<String, Volume> cartridges = new ConcurrentHashMap<>();

    public FakePool with(String... barcodes) {
        for (String b : barcodes) {
            Volume c = Volume.of(b);
            cartridges.put(b, c);
        }
        return this;
    }

    @Override
    public boolean exists(String barcode) {
        return cartridges.containsKey(barcode);
    }

    @Override
    public Volume find(String barcode) {
        return cartridges.get(barcode);
    }

    @Override
    public Volume create(String barcode, MediaType mediaType) throws IOException {
        Volume c = new Volume(barcode, mediaType);
        if (cartridges.putIfAbsent(barcode, c) != null) {
            throw new FileAlreadyExistsException(barcode);
        }
        return c;
    }

    @Override
    public List<Volume> list() {
        return new ArrayList<>(cartridges.values());
    }
}
