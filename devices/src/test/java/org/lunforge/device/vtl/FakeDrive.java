package org.lunforge.device.vtl;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.lunforge.device.changer.DeviceIdentification;

/** A tape drive behind the {@link DataTransferDevice} seam that records what the library asks of it. */
public final class FakeDrive implements DataTransferDevice {
    private final DeviceIdentification identification;
    /** The cartridge it holds, or null. */
    public String loaded;
    /** Its initiator's PREVENT ALLOW MEDIUM REMOVAL. */
    public boolean prevented;
    /** When set, the next loads (or unloads) fail with it and change nothing. */
    public IOException failLoad;
    public IOException failUnload;
    /** "load LF0001L8", "unload LF0001L8", in call order. */
    public final List<String> calls = new ArrayList<>();

    public FakeDrive(String serial) {
        this.identification = new DeviceIdentification("IBM", "ULT3580-TD8", serial);
    }

    @Override
    public DeviceIdentification identification() {
        return identification;
    }

    @Override
    public String loadedBarcode() {
        return loaded;
    }

    @Override
    public boolean isMediumRemovalPrevented() {
        return prevented;
    }

    @Override
    public void load(Volume cartridge) throws IOException {
        if (loaded != null) {
            throw new AssertionError("load " + cartridge.barcode() + " into a drive holding " + loaded);
        }
        if (failLoad != null) {
            throw failLoad;
        }
        calls.add("load " + cartridge.barcode());
        loaded = cartridge.barcode();
    }

    @Override
    public String unload() throws IOException {
        if (failUnload != null) {
            throw failUnload;
        }
        calls.add("unload " + loaded);
        String had = loaded;
        loaded = null;
        return had;
    }
}
