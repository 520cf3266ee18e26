package org.lunforge.tcmu;

import java.util.Objects;
import java.util.Optional;

/**
 * What the kernel tells user space about a TCMU device, through {@code /sys/class/uio/uioN/name}:
 * {@code tcm-user/<hba_id>/<dev_name>/<dev_config>}, where dev_config (set through configfs) is
 * {@code <subtype>/<handler config>}. The handler config may itself contain slashes.
 *
 * @param uio the uio device's name, {@code uioN}
 * @param hbaId the N of the configfs HBA directory {@code core/user_N}
 * @param deviceName the configfs device directory under it
 * @param subtype which user-space handler serves the device ({@code lunforge})
 * @param config the handler config after {@code <subtype>/}, possibly empty
 * @param mapSize the size of map0, to be mapped whole
 */
public record TcmuDeviceInfo(String uio, int hbaId, String deviceName, String subtype, String config, long mapSize) {
    static final String PREFIX = "tcm-user";

    public TcmuDeviceInfo {
        Objects.requireNonNull(uio, "uio");
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(subtype, "subtype");
        Objects.requireNonNull(config, "config");
    }

    /** Parses a uio name; empty if it is not a TCMU device or has no dev_config. */
    public static Optional<TcmuDeviceInfo> parse(String uio, String uioName, long mapSize) {
        String name = uioName.strip();
        String[] parts = name.split("/", 5);
        if (parts.length < 4 || !parts[0].equals(PREFIX)) {
            return Optional.empty();
        }
        int hba;
        try {
            hba = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        String config = parts.length == 5 ? parts[4] : "";
        return Optional.of(new TcmuDeviceInfo(uio, hba, parts[2], parts[3], config, mapSize));
    }

    /** The device's configfs directory relative to {@code /sys/kernel/config/target}: {@code core/user_N/<dev>}. */
    public String configfsPath() {
        return "core/user_" + hbaId + "/" + deviceName;
    }

    /** {@code user_N/<dev>}: how targetcli and our configfs set-up name the backstore. */
    public String backstoreName() {
        return "user_" + hbaId + "/" + deviceName;
    }
}
