package org.lunforge.server.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * One family of latency histograms ({@code <name>_seconds}, a child per label set), counted so that the event loops
 * never write one shared word: each bucket and the sum is a {@link LongAdder}, which gives a thread that finds it
 * contended a cell of its own. Micrometer's timer, which this replaces on the I/O path, incremented one bucket array
 * shared by every thread and kept a time-window maximum that reads the clock per record: with two event loops
 * counting the same unit, a command's pair of meter sets (unit and port, all their meters) cost 681 ns, and 102 ns
 * now ({@code TaskMeterBenchmark}).
 *
 * <p>Exported through the Prometheus client's registry as a classic histogram, the client library writing the
 * exposition: buckets by upper bound in seconds, the count being the {@code +Inf} bucket's (so the buckets and the
 * count always agree in one scrape), the sum in seconds. A child added while a scrape runs shows in the next one.
 */
final class LatencyHistograms implements Collector {
    private final String name;
    private final String help;
    /** The upper bounds in nanoseconds, ascending; a record above the last falls in +Inf. */
    private final long[] boundsNanos;
    private final double[] boundsSeconds;
    private final List<Child> children = new CopyOnWriteArrayList<>();

    /** @param name the metric's name without unit ({@code lunforge_lu_command_latency}); it is exported in seconds */
    LatencyHistograms(String name, String help, Duration[] bounds) {
        this.name = name + "_seconds";
        this.help = help;
        this.boundsNanos = new long[bounds.length];
        this.boundsSeconds = new double[bounds.length + 1];
        for (int i = 0; i < bounds.length; i++) {
            boundsNanos[i] = bounds[i].toNanos();
            if (i > 0 && boundsNanos[i] <= boundsNanos[i - 1]) {
                throw new IllegalArgumentException("bounds must ascend: " + bounds[i] + " after " + bounds[i - 1]);
            }
            boundsSeconds[i] = boundsNanos[i] / 1e9;
        }
        boundsSeconds[bounds.length] = Double.POSITIVE_INFINITY;
    }

    /** A histogram of the family with these labels (name, value, ...), exported until {@link #remove}d. */
    Child add(String... labelNamesAndValues) {
        Child child = new Child(Labels.of(labelNamesAndValues), boundsNanos);
        children.add(child);
        return child;
    }

    void remove(Child child) {
        children.remove(child);
    }

    @Override
    public String getPrometheusName() {
        return name;
    }

    /**
     * One data point per label set: children with the same labels (a unit's meters made again before the old ones
     * were closed) are summed, as one exposition may not name a series twice.
     */
    @Override
    public MetricSnapshot collect() {
        Map<Labels, long[]> counts = new LinkedHashMap<>();
        Map<Labels, Long> sums = new HashMap<>();
        for (Child child : children) {
            long[] c = counts.computeIfAbsent(child.labels, l -> new long[boundsSeconds.length]);
            for (int i = 0; i < c.length; i++) {
                c[i] += child.buckets[i].sum();
            }
            sums.merge(child.labels, child.sumNanos.sum(), Long::sum);
        }
        HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS);
        counts.forEach((labels, c) -> snapshot.dataPoint(HistogramDataPointSnapshot.builder().labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(boundsSeconds, c))
                .sum(sums.get(labels) / 1e9).build()));
        return snapshot.build();
    }

    /** One histogram: what the I/O path records into. */
    static final class Child {
        private final Labels labels;
        private final long[] boundsNanos;
        /** Records by bucket, not cumulative: [i] at most boundsNanos[i] and above the bound before; the last +Inf. */
        private final LongAdder[] buckets;
        private final LongAdder sumNanos = new LongAdder();

        private Child(Labels labels, long[] boundsNanos) {
            this.labels = labels;
            this.boundsNanos = boundsNanos;
            this.buckets = new LongAdder[boundsNanos.length + 1];
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        /** Counts one latency; a negative one (a clock that stepped back) as 0. */
        void record(long nanos) {
            long n = Math.max(0, nanos);
            int i = 0;
            while (i < boundsNanos.length && n > boundsNanos[i]) {
                i++;
            }
            buckets[i].increment();
            sumNanos.add(n);
        }

        long count() {
            long count = 0;
            for (LongAdder b : buckets) {
                count += b.sum();
            }
            return count;
        }

        long sumNanos() {
            return sumNanos.sum();
        }
    }
}
