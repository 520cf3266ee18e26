package org.lunforge.device.vtl;

import java.io.IOException;
import org.lunforge.backstore.tape.CartridgeStore;
import org.lunforge.device.changer.DeviceIdentification;
import org.lunforge.device.tape.TapeDrive;
import org.lunforge.scsi.CheckCondition;

/**
 * A real SSC tape drive as a data transfer element of the library: the medium transport's loads and unloads become
 * the drive's cartridge changes, with cartridges opened from the library's pool.
 */
public final class TapeDriveElement implements DataTransferDevice {
    private final TapeDrive drive;
    private final CartridgeStore pool;

    public TapeDriveElement(TapeDrive drive, CartridgeStore pool) {
        this.drive = drive;
        this.pool = pool;
    }

    public TapeDrive drive() {
        return drive;
    }

    @Override
    public DeviceIdentification identification() {
        return new DeviceIdentification(drive.model().vendor(), drive.model().product(), drive.serialNumber());
    }

    @Override
    public String loadedBarcode() {
        var cartridge = drive.cartridge();
        return cartridge == null ? null : cartridge.barcode();
    }

    @Override
    public boolean isMediumRemovalPrevented() {
        return drive.isMediumRemovalPrevented();
    }

    @Override
    public boolean cleaningRequired() {
        return drive.cleaningRequired();
    }

    /** {@link TapeDrive#load} leaves the drive empty when it throws, as the library requires. */
    @Override
    public void load(Volume cartridge) throws IOException {
        drive.load(pool.cartridge(cartridge.barcode()));
    }

    /** {@link TapeDrive#unload} keeps the cartridge when it refuses (medium removal prevented). */
    @Override
    public String unload() throws IOException {
        try {
            var out = drive.unload();
            return out == null ? null : out.barcode();
        } catch (CheckCondition refused) {
            throw new IOException("drive " + drive.serialNumber() + " refused to unload: " + refused.sense(), refused);
        }
    }
}
