package org.lunforge.iscsi;

import static java.lang.System.Logger.Level.INFO;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import org.junit.jupiter.api.Test;

/** Issue 9, finding 3: log lines an initiator causes are limited per cause, with a count of what was left out. */
class IscsiLogLimiterTest {
    record Line(String message, Throwable thrown) {
    }

    /** A logger that keeps what it is given. */
    static final class Recorder implements System.Logger {
        final List<Line> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "recorder";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(new Line(msg, thrown));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(new Line(format, null));
        }
    }

    private final Recorder log = new Recorder();
    private long now;
    private final IscsiLogLimiter limiter = new IscsiLogLimiter(3, Duration.ofSeconds(60), () -> now);
    private final IOException reset = new IOException("Connection reset by peer");

    private void drops(int n) {
        for (int i = 0; i < n; i++) {
            int k = i;
            limiter.log(log, INFO, "connection dropped", () -> "dropped " + k, reset);
        }
    }

    @Test
    void theFirstLinesOfACauseThenACountOfTheRest() {
        drops(1000);
        assertEquals(List.of("dropped 0", "dropped 1", "dropped 2"),
                log.lines.stream().map(l -> l.message().replaceAll(" \\(.*", "")).toList());
        assertEquals(997, limiter.suppressed("connection dropped"));
        now += Duration.ofSeconds(60).toNanos();
        drops(1);
        assertEquals("suppressed 997 similar: connection dropped", log.lines.get(3).message());
        assertEquals("dropped 0 (java.io.IOException: Connection reset by peer)", log.lines.get(4).message());
        assertEquals(0, limiter.suppressed("connection dropped"));
    }

    @Test
    void aStackTraceOnlyWithTheFirstLineOfACauseEver() {
        drops(3);
        now += Duration.ofMinutes(5).toNanos();
        drops(3);
        assertEquals(6, log.lines.size());
        assertSame(reset, log.lines.get(0).thrown());
        assertTrue(log.lines.stream().skip(1).allMatch(l -> l.thrown() == null));
    }

    @Test
    void causesAreCountedApart() {
        drops(10);
        limiter.log(log, INFO, "login timed out", () -> "timed out");
        assertEquals("timed out", log.lines.getLast().message());
        assertEquals(7, limiter.suppressed("connection dropped"));
        assertEquals(0, limiter.suppressed("login timed out"));
    }

    @Test
    void noSummaryWhenNothingWasLeftOut() {
        drops(2);
        now += Duration.ofSeconds(61).toNanos();
        drops(1);
        assertEquals(3, log.lines.size());
        assertTrue(log.lines.stream().noneMatch(l -> l.message().startsWith("suppressed")));
    }

    @Test
    void causesBeyondTheLimitShareOne() {
        for (int i = 0; i < IscsiLogLimiter.MAX_CAUSES + 10; i++) {
            for (int j = 0; j < 4; j++) {
                limiter.log(log, INFO, "cause " + i, () -> "line");
            }
        }
        // 64 causes with 3 lines each; the 10 beyond share one cause: 3 lines, the other 37 counted.
        assertEquals(IscsiLogLimiter.MAX_CAUSES * 3 + 3, log.lines.size());
    }

    /**
     * Dropped connections through the real pipeline: 50 sessions that fail the same way log five lines, the first
     * with its stack trace, instead of 50 traces.
     */
    @Test
    void droppedConnectionsLogTheFirstFewAndOneStackTrace() {
        IscsiServer server = new IscsiServer(IscsiServerOptions.defaults());
        server.addTarget(new IscsiTarget(IscsiTaskLimitsTest.TARGET).portalGroup(new IscsiPortalGroup(1, 1,
                List.of(new IscsiPortal("127.0.0.1", 3260))).generateNodeAcls(true)
                .lun(0, RamDisk.logicalUnit("logs", 1 << 20, null))));
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(IscsiSessionHandler.class.getName());
        List<java.util.logging.LogRecord> records = new ArrayList<>();
        java.util.logging.Handler keep = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(keep);
        try {
            for (int i = 0; i < 50; i++) {
                IscsiPeer p = new IscsiPeer(server);
                p.isid = IscsiPeer.ISID + i;
                p.loginNormal(IscsiTaskLimitsTest.TARGET);
                p.channel.pipeline().fireExceptionCaught(new OutOfMemoryError("Cannot reserve direct buffer memory"));
                p.channel.runPendingTasks();
                assertFalse(p.channel.isActive(), "the connection is dropped");
                p.close();
            }
        } finally {
            jul.removeHandler(keep);
        }
        assertEquals(5, records.size(), records.stream().map(java.util.logging.LogRecord::getMessage).toList()
                .toString());
        assertNotNull(records.getFirst().getThrown());
        assertTrue(records.stream().skip(1).allMatch(r -> r.getThrown() == null));
        assertEquals(45, server.initiatorLog().suppressed(OutOfMemoryError.class.getName()));
    }
}
