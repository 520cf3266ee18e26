package org.lunforge.server.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.Map;
import org.lunforge.server.control.Request;
import org.lunforge.server.control.Response;

/**
 * Where a shell run's time went, for {@code -Dlunforge.shell.timing=true} or {@code LUNFORGE_SHELL_TIMING=1}
 * (conformance/bench/config-at-scale prints it): the JVM's
 * start up to the shell's first line, the round trips to the daemon by request kind (the daemon's work included), and
 * the rest, the shell's own work. Wall-clock times, printed to standard error when the shell ends.
 */
final class ShellTiming implements ShellControl {
    static final String PROPERTY = "lunforge.shell.timing";

    private final ShellControl control;
    private final long started = System.nanoTime();
    private final Map<Request.KindCase, long[]> byKind = new EnumMap<>(Request.KindCase.class);

    ShellTiming(ShellControl control) {
        this.control = control;
    }

    static boolean wanted() {
        return Boolean.getBoolean(PROPERTY) || "1".equals(System.getenv("LUNFORGE_SHELL_TIMING"));
    }

    @Override
    public Response call(Request request) throws IOException {
        long t0 = System.nanoTime();
        try {
            return control.call(request);
        } finally {
            long[] countAndNanos = byKind.computeIfAbsent(request.getKindCase(), k -> new long[2]);
            countAndNanos[0]++;
            countAndNanos[1] += System.nanoTime() - t0;
        }
    }

    void print(PrintWriter err) {
        long total = System.nanoTime() - started;
        long uptimeAtStart = ManagementFactory.getRuntimeMXBean().getUptime() - total / 1_000_000;
        long trips = 0;
        StringBuilder sb = new StringBuilder("timing: JVM start to the shell " + uptimeAtStart + " ms; commands "
                + total / 1_000_000 + " ms:");
        for (var e : byKind.entrySet()) {
            long[] v = e.getValue();
            trips += v[1];
            sb.append(" %s %d x %.0f us".formatted(e.getKey(), v[0], v[1] / 1000.0 / v[0]));
        }
        sb.append("; the shell's own work %d ms".formatted((total - trips) / 1_000_000));
        err.println(sb);
    }
}
