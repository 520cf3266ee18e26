package org.lunforge.device.tape;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.lunforge.backstore.tape.TapeMedium;
import org.lunforge.scsi.LogPage;
import org.lunforge.scsi.LogParameter;

/**
 * The drive's counters and the log pages that report them (SSC-4 8.2, SPC-4 7.3): write and read error counters
 * (02h, 03h: no errors, bytes processed), sequential-access device (0Ch), data compression (1Bh), TapeAlert (2Eh) and
 * the LTO tape capacity page (31h). Counters cover the current load; LOG SELECT with PCR resets them.
 *
 * <p>Counters are written by the drive's thread and read by LOG SENSE on another: volatile, single writer.
 */
final class TapeLogPages {
    volatile long hostBytesWritten;
    volatile long mediumBytesWritten;
    volatile long hostBytesRead;
    volatile long mediumBytesRead;
    /** TapeAlert flags 1..64 as bits 0..63; read-clear (SSC-4 8.2.3). */
    private long tapeAlerts;

    private final Supplier<TapeMedium> medium;
    private final DriveCleaning cleaning;
    /** CLEAN NOW was reported for the current cleaning need since the last load or unload; raised again after. */
    private boolean cleanNowReported;

    TapeLogPages(Supplier<TapeMedium> medium, DriveCleaning cleaning) {
        this.medium = medium;
        this.cleaning = cleaning;
    }

    void alert(TapeAlertFlag flag) {
        alert(flag.number());
    }

    /** Sets TapeAlert flag 1..64. */
    synchronized void alert(int flag) {
        if (flag < 1 || flag > 64) {
            throw new IllegalArgumentException("TapeAlert flag " + flag + " (1..64)");
        }
        tapeAlerts |= 1L << (flag - 1);
    }

    /** The current flags without clearing them (MAM TAPEALERT FLAGS, the operator's view). */
    synchronized long tapeAlerts() {
        return tapeAlerts | (cleanNowPending() ? 1L << (TapeAlertFlag.CLEAN_NOW.number() - 1) : 0);
    }

    /** A cartridge was loaded or unloaded: a cleaning need is reported again, as real drives do at each load. */
    synchronized void loadChanged() {
        cleanNowReported = false;
    }

    /** Bytes of tape moved during the current load, as stored (the cleaning interval's unit). */
    long loadBytes() {
        return loadBytes(medium.get());
    }

    static long loadBytes(TapeMedium m) {
        return m == null ? 0 : m.storedBytesAppended() + m.bytesRead();
    }

    boolean cleaningRequired() {
        return cleaning.required(loadBytes());
    }

    private boolean cleanNowPending() {
        return !cleanNowReported && cleaningRequired();
    }

    /** Reading page 2Eh returns the flags and clears them (TapeAlert read-clear); CLEAN NOW until the next load. */
    private synchronized long takeTapeAlerts() {
        long flags = tapeAlerts();
        if (cleanNowPending()) {
            cleanNowReported = true;
        }
        tapeAlerts = 0;
        return flags;
    }

    void reset() {
        hostBytesWritten = 0;
        mediumBytesWritten = 0;
        hostBytesRead = 0;
        mediumBytesRead = 0;
    }

    List<LogPage> pages() {
        return List.of(errorCounters(0x02, true), errorCounters(0x03, false), sequentialAccess(), dataCompression(),
                tapeAlert(), tapeCapacity());
    }

    private abstract class Page implements LogPage {
        private final int code;

        Page(int code) {
            this.code = code;
        }

        @Override
        public int pageCode() {
            return code;
        }

        @Override
        public void reset(int pageControl) {
            if (pageControl == 1) {
                TapeLogPages.this.reset();
            }
        }
    }

    /** SPC-4 7.3.? write (02h) and read (03h) error counters: nothing ever needs correcting; 0005h counts bytes. */
    private LogPage errorCounters(int code, boolean write) {
        return new Page(code) {
            @Override
            public List<LogParameter> parameters(int pageControl) {
                List<LogParameter> p = new ArrayList<>();
                for (int i = 0; i <= 6; i++) {
                    long value = i == 5 ? (write ? hostBytesWritten : hostBytesRead) : 0;
                    p.add(LogParameter.counter(i, value, i == 5 ? 8 : 4));
                }
                return p;
            }
        };
    }

    /**
     * SSC-4 8.2.2 sequential-access device page: bytes from the application and to the medium (0000h, 0001h), from the
     * medium and to the application (0002h, 0003h), native capacities in MiB (0004h BOP to EOD, 0005h BOP to early
     * warning, 0006h early warning to end of partition, 0007h BOP to the current position, 0008h the object buffer),
     * 0100h cleaning required (the cleaning interval has passed, until a cleaning cartridge is loaded).
     */
    private LogPage sequentialAccess() {
        return new Page(0x0C) {
            @Override
            public List<LogParameter> parameters(int pageControl) {
                TapeMedium m = medium.get();
                long mib = 1L << 20;
                long used = m == null ? 0 : m.used() / mib;
                long ew = m == null ? 0 : (m.capacity() - m.cartridge().spec().earlyWarningZone()) / mib;
                long zone = m == null ? 0 : m.cartridge().spec().earlyWarningZone() / mib;
                long here = m == null ? 0 : m.usedBeforePosition() / mib;
                return List.of(LogParameter.counter(0x0000, hostBytesWritten, 8),
                        LogParameter.counter(0x0001, mediumBytesWritten, 8),
                        LogParameter.counter(0x0002, mediumBytesRead, 8),
                        LogParameter.counter(0x0003, hostBytesRead, 8),
                        LogParameter.counter(0x0004, used, 4),
                        LogParameter.counter(0x0005, ew, 4),
                        LogParameter.counter(0x0006, zone, 4),
                        LogParameter.counter(0x0007, here, 4),
                        LogParameter.counter(0x0008, 1, 4),
                        LogParameter.counter(0x0100, cleaningRequired() ? 1 : 0, 1));
            }
        };
    }

    /**
     * SSC-4 8.2.4 data compression page: READ and WRITE COMPRESSION RATIO x 100 (0000h, 0001h: 250 means 2.5:1),
     * then megabytes and remaining bytes transferred to the server, read from tape, transferred from the server and
     * written to tape (0002h..0009h).
     */
    private LogPage dataCompression() {
        return new Page(0x1B) {
            @Override
            public List<LogParameter> parameters(int pageControl) {
                long mb = 1_000_000;
                return List.of(
                        LogParameter.counter(0x0000, ratio(hostBytesRead, mediumBytesRead), 2),
                        LogParameter.counter(0x0001, ratio(hostBytesWritten, mediumBytesWritten), 2),
                        LogParameter.counter(0x0002, hostBytesRead / mb, 4),
                        LogParameter.counter(0x0003, hostBytesRead % mb, 4),
                        LogParameter.counter(0x0004, mediumBytesRead / mb, 4),
                        LogParameter.counter(0x0005, mediumBytesRead % mb, 4),
                        LogParameter.counter(0x0006, hostBytesWritten / mb, 4),
                        LogParameter.counter(0x0007, hostBytesWritten % mb, 4),
                        LogParameter.counter(0x0008, mediumBytesWritten / mb, 4),
                        LogParameter.counter(0x0009, mediumBytesWritten % mb, 4));
            }
        };
    }

    /** The compression ratio x 100 (host bytes per medium byte), 100 when nothing moved, capped at 65535. */
    static long ratio(long host, long medium) {
        return medium == 0 ? 100 : Math.min(0xFFFF, host * 100 / medium);
    }

    /**
     * SSC-4 8.2.3 TapeAlert page: 64 one-byte flags, 0001h..0040h; reading clears them. The flags are returned for
     * page control 00b as for 01b, as LTO drives do: mtx's tapeinfo, which Bacula's tapealert script runs, asks with
     * PC 00b (a LOG SENSE CDB whose byte 2 is just 2Eh).
     */
    private LogPage tapeAlert() {
        return new Page(0x2E) {
            @Override
            public List<LogParameter> parameters(int pageControl) {
                long flags = pageControl <= 1 ? takeTapeAlerts() : 0;
                List<LogParameter> p = new ArrayList<>(64);
                for (int i = 1; i <= 64; i++) {
                    p.add(new LogParameter(i, LogParameter.BINARY, new byte[] {(byte) ((flags >>> (i - 1)) & 1)}));
                }
                return p;
            }
        };
    }

    /**
     * The tape capacity page of LTO drives (31h, IBM and HP alike): remaining and maximum capacity of partition 0
     * (0001h, 0003h) and of partition 1 (0002h, 0004h, always 0), in megabytes (10^6 bytes), uncompressed.
     */
    private LogPage tapeCapacity() {
        return new Page(0x31) {
            @Override
            public List<LogParameter> parameters(int pageControl) {
                TapeMedium m = medium.get();
                long mb = 1_000_000;
                long max = m == null ? 0 : m.capacity() / mb;
                long remaining = m == null ? 0 : Math.max(0, m.capacity() - m.used()) / mb;
                return List.of(LogParameter.counter(0x0001, remaining, 4), LogParameter.counter(0x0002, 0, 4),
                        LogParameter.counter(0x0003, max, 4), LogParameter.counter(0x0004, 0, 4));
            }
        };
    }
}
