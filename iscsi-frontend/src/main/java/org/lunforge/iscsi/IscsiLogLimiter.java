package org.lunforge.iscsi;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Log lines an initiator can cause (dropped connections, refused logins and commands), limited per cause so that
 * no initiator can fill the disk with them: in each period the first {@code burst} lines of a cause are logged, the
 * rest counted; the next line of that cause after the period first logs "suppressed K similar". A stack trace is
 * logged only with the first line of a cause ever; later ones carry the throwable's one-line description. One per
 * server ({@link IscsiServer#initiatorLog()}), whatever logger each line goes to.
 *
 * <p>Causes are short constant names chosen by the caller (never text from the initiator); at most
 * {@link #MAX_CAUSES} are tracked, the rest share one. Threads: any; methods are synchronized (cheap, and only on
 * paths that log).
 */
final class IscsiLogLimiter {
    static final int MAX_CAUSES = 64;
    private static final String OTHER = "other";

    private static final class Cause {
        long periodStart;
        int inPeriod;
        long suppressed;
        boolean traced;

        Cause(long now) {
            this.periodStart = now;
        }
    }

    private final int burst;
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Cause> causes = new HashMap<>();

    IscsiLogLimiter(int burst, Duration period, LongSupplier nanoClock) {
        if (burst < 1 || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("burst " + burst + ", period " + period);
        }
        this.burst = burst;
        this.periodNanos = period.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Five lines a minute per cause. */
    IscsiLogLimiter() {
        this(5, Duration.ofMinutes(1), System::nanoTime);
    }

    void log(Logger log, Level level, String cause, Supplier<String> message) {
        log(log, level, cause, message, null);
    }

    /**
     * Logs {@code message} (with {@code thrown}, if any) to {@code log} unless this cause has had its lines for the
     * period.
     */
    synchronized void log(Logger log, Level level, String cause, Supplier<String> message, Throwable thrown) {
        if (!log.isLoggable(level)) {
            return;
        }
        long now = nanoClock.getAsLong();
        Cause c = causes.get(cause);
        if (c == null) {
            String key = causes.size() < MAX_CAUSES ? cause : OTHER;
            c = causes.computeIfAbsent(key, k -> new Cause(now));
        }
        if (now - c.periodStart >= periodNanos) {
            if (c.suppressed > 0) {
                long k = c.suppressed;
                log.log(level, () -> "suppressed " + k + " similar: " + cause);
            }
            c.periodStart = now;
            c.inPeriod = 0;
            c.suppressed = 0;
        }
        if (c.inPeriod >= burst) {
            c.suppressed++;
            return;
        }
        c.inPeriod++;
        if (thrown != null && !c.traced) {
            c.traced = true;
            log.log(level, message, thrown);
        } else if (thrown != null) {
            log.log(level, () -> message.get() + " (" + thrown + ")");
        } else {
            log.log(level, message);
        }
    }

    /** Lines of this cause counted but not logged in the current period. */
    synchronized long suppressed(String cause) {
        Cause c = causes.get(cause);
        return c == null ? 0 : c.suppressed;
    }
}
