package org.lunforge.tcmu;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A TCMU user backstore ({@code core/user_<hba>/<name>}) whose dev_config is {@code <subtype>/<handlerConfig>}.
 *
 * @param handlerConfig what the daemon's factory gets as {@link TcmuDeviceInfo#config()}; no commas or newlines (the
 *     kernel splits its control string on them)
 * @param sizeBytes dev_size: the size LIO believes the device has
 * @param blockSize hw_block_size; 0 for the kernel's default (512)
 * @param maxSectors hw_max_sectors, the largest command in blocks LIO passes; 0 for the default (128)
 * @param maxDataAreaMb the data area per device in MiB; 0 for the kernel's default (1024)
 * @param tmrNotification attrib/tmr_notification: report ABORT TASK and resets through the ring
 * @param attributes further attrib/ values (emulate_write_cache, cmd_time_out, ...), written after enable
 */
public record UserBackstore(int hbaIndex, String name, String subtype, String handlerConfig, long sizeBytes,
                            int blockSize, int maxSectors, int maxDataAreaMb, boolean tmrNotification,
                            Map<String, String> attributes) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    /** TCMU_CONFIG_LEN 256, with its terminating NUL. */
    static final int MAX_DEV_CONFIG = 255;

    public UserBackstore {
        if (hbaIndex < 0) {
            throw new IllegalArgumentException("negative HBA index");
        }
        if (!NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
            throw new IllegalArgumentException("backstore name must match " + NAME + ": " + name);
        }
        if (!NAME.matcher(Objects.requireNonNull(subtype, "subtype")).matches()) {
            throw new IllegalArgumentException("bad subtype: " + subtype);
        }
        Objects.requireNonNull(handlerConfig, "handlerConfig");
        if (handlerConfig.contains(",") || handlerConfig.contains("\n")) {
            throw new IllegalArgumentException("handler config cannot contain ',' or a newline: " + handlerConfig);
        }
        if (subtype.length() + 1 + handlerConfig.length() > MAX_DEV_CONFIG) {
            throw new IllegalArgumentException("dev_config longer than " + MAX_DEV_CONFIG + " characters");
        }
        if (sizeBytes <= 0 || blockSize < 0 || maxSectors < 0 || maxDataAreaMb < 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        attributes = Map.copyOf(attributes);
    }

    public static UserBackstore of(int hbaIndex, String name, String subtype, String handlerConfig, long sizeBytes) {
        return new UserBackstore(hbaIndex, name, subtype, handlerConfig, sizeBytes, 0, 0, 0, true, Map.of());
    }

    public String devConfig() {
        return subtype + "/" + handlerConfig;
    }

    /** Relative to the configfs target root. */
    public String path() {
        return "core/user_" + hbaIndex + "/" + name;
    }
}
