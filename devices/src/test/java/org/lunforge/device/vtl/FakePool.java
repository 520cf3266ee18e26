package org.lunforge.device.vtl;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A cartridge pool in memory: what exists, nothing recorded on it. */
public final class FakePool implements CartridgePool {
    private final Map<String, Cartridge> cartridges = new ConcurrentHashMap<>();

    public FakePool with(String... barcodes) {
        for (String b : barcodes) {
            Cartridge c = Cartridge.of(b);
            cartridges.put(b, c);
        }
        return this;
    }

    @Override
    public boolean exists(String barcode) {
        return cartridges.containsKey(barcode);
    }

    @Override
    public Cartridge find(String barcode) {
        return cartridges.get(barcode);
    }

    @Override
    public Cartridge create(String barcode, MediaType mediaType) throws IOException {
        Cartridge c = new Cartridge(barcode, mediaType);
        if (cartridges.putIfAbsent(barcode, c) != null) {
            throw new FileAlreadyExistsException(barcode);
        }
        return c;
    }

    @Override
    public List<Cartridge> list() {
        return new ArrayList<>(cartridges.values());
    }
}
