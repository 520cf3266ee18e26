package org.lunforge.device.tape;

import java.util.concurrent.atomic.LongAdder;

/**
 * A drive's running totals since it was made, for the daemon's metrics: unlike the log pages' counters (SSC-4 8.2,
 * reset by a load and by LOG SELECT), these only grow. Host bytes are what initiators wrote and read, medium bytes
 * what the cartridge stored for them (smaller when compressed); their ratio is the compression ratio.
 */
public final class TapeDriveStatistics {
    final LongAdder hostBytesWritten = new LongAdder();
    final LongAdder hostBytesRead = new LongAdder();
    final LongAdder mediumBytesWritten = new LongAdder();
    final LongAdder mediumBytesRead = new LongAdder();
    final LongAdder blocksWritten = new LongAdder();
    final LongAdder blocksRead = new LongAdder();
    final LongAdder filemarksWritten = new LongAdder();
    final LongAdder mounts = new LongAdder();

    public long hostBytesWritten() {
        return hostBytesWritten.sum();
    }

    public long hostBytesRead() {
        return hostBytesRead.sum();
    }

    public long mediumBytesWritten() {
        return mediumBytesWritten.sum();
    }

    public long mediumBytesRead() {
        return mediumBytesRead.sum();
    }

    public long blocksWritten() {
        return blocksWritten.sum();
    }

    public long blocksRead() {
        return blocksRead.sum();
    }

    public long filemarksWritten() {
        return filemarksWritten.sum();
    }

    /** Cartridges mounted: loaded and readable by this drive's model. */
    public long mounts() {
        return mounts.sum();
    }

    /** Host bytes written per medium byte stored, 1 before anything was written (SSC-4 8.2.4's ratio, as a number). */
    public double compressionRatio() {
        long medium = mediumBytesWritten.sum();
        return medium == 0 ? 1.0 : (double) hostBytesWritten.sum() / medium;
    }
}
