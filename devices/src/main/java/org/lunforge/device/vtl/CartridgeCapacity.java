package org.lunforge.device.vtl;

/**
 * The capacity a cartridge may be created with: at least {@link #MINIMUM} (room for the early-warning zone and a few
 * large blocks) and at most its format's native capacity (a real cartridge holds no more); 0 means the default (the
 * library's setting, else the native capacity). Cleaning cartridges have none.
 */
public final class CartridgeCapacity {
    /** 1 MiB. */
    public static final long MINIMUM = 1L << 20;

    private CartridgeCapacity() {
    }

    /** Null if {@code bytes} is a capacity cartridges of this type may have, else the reason it is not. */
    public static String refusal(long bytes, MediaType type) {
        if (bytes == 0) {
            return null;
        }
        if (type.cleaning()) {
            return "a cleaning cartridge records nothing: it has no capacity";
        }
        long max = type.format().nativeCapacity();
        if (bytes < MINIMUM || bytes > max) {
            return "capacity " + bytes + " is out of range for " + type + ": 1 MiB (" + MINIMUM + ") to its native "
                    + max;
        }
        return null;
    }

    /** IllegalArgumentException with the reason if {@code bytes} is refused. */
    public static void check(long bytes, MediaType type) {
        String refusal = refusal(bytes, type);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
    }
}
