package org.lunforge.device.disk;

import java.util.List;
import org.lunforge.scsi.ModePageDefinition;

/**
 * The mode pages a disk adds (SBC-4 6.5): Read-Write Error Recovery (01h) and Caching (08h). Only WCE is changeable:
 * with WCE 0 every write is written through (as if FUA).
 */
final class DiskModePages {
    static final int READ_WRITE_ERROR_RECOVERY = 0x01;
    static final int CACHING = 0x08;
    private static final int WCE = 0x04;

    private DiskModePages() {
    }

    static List<ModePageDefinition> definitions() {
        // SBC-4 6.5.11: AWRE and ARRE set (reallocation is automatic: there is nothing to reallocate); no retries.
        byte[] recovery = new byte[12];
        recovery[0] = READ_WRITE_ERROR_RECOVERY;
        recovery[1] = 10;
        recovery[2] = (byte) 0xC0;
        // SBC-4 6.5.5: WCE 1 (a write may sit in the page cache until SYNCHRONIZE CACHE or FUA), read cache on.
        byte[] caching = new byte[20];
        caching[0] = CACHING;
        caching[1] = 18;
        caching[2] = WCE;
        byte[] cachingChangeable = new byte[20];
        cachingChangeable[2] = WCE;
        return List.of(
                new ModePageDefinition(READ_WRITE_ERROR_RECOVERY, 0, recovery, new byte[12], false),
                new ModePageDefinition(CACHING, 0, caching, cachingChangeable, true));
    }

    static boolean writeCacheEnabled(byte[] cachingPage) {
        return cachingPage.length > 2 && (cachingPage[2] & WCE) != 0;
    }
}
