package org.lunforge.device.tape;

/**
 * How dirty the drive's heads are: the bytes of tape that passed them since the last cleaning, against the cleaning
 * interval after which the drive asks to be cleaned (TapeAlert CLEAN NOW, flag 20, and CLEANING REQUIRED, parameter
 * 0100h of the sequential-access device log page, SSC-4 8.2.2). Loading a cleaning cartridge that has uses left
 * cleans the heads. An interval of 0 never asks.
 *
 * <p>Use is counted in bytes of tape (appended as stored, and read) per load: the loaded medium's counts are read
 * live, and added here when it is unloaded. Fields are written under the drive's monitor and read by LOG SENSE on
 * another thread.
 */
final class DriveCleaning {
    private volatile long interval;
    /** Bytes used since the last cleaning by the loads that have ended. */
    private volatile long usedBeforeThisLoad;
    private volatile int cleanings;

    /** Bytes of tape between cleanings; 0: the drive never asks to be cleaned. */
    void setInterval(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cleaning interval " + bytes);
        }
        interval = bytes;
    }

    long interval() {
        return interval;
    }

    /** Bytes used since the last cleaning, counting the current load's {@code loadBytes}. */
    long used(long loadBytes) {
        return usedBeforeThisLoad + loadBytes;
    }

    boolean required(long loadBytes) {
        long i = interval;
        return i > 0 && used(loadBytes) >= i;
    }

    /** A load ended after moving {@code loadBytes} of tape. */
    void counted(long loadBytes) {
        usedBeforeThisLoad += loadBytes;
    }

    /** A cleaning cartridge with uses left was loaded: the heads are clean. */
    void cleaned() {
        usedBeforeThisLoad = 0;
        cleanings++;
    }

    /** Cleanings since the drive started. */
    int cleanings() {
        return cleanings;
    }
}
