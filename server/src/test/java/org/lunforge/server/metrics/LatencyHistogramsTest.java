package org.lunforge.server.metrics;

import static org.junit.jupiter.api.Assertions.*;

import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Latency histograms counted without a shared word: every record counted once, in the bucket its bound says. */
class LatencyHistogramsTest {
    private static final Duration[] BOUNDS = {Duration.ofNanos(100), Duration.ofNanos(1000)};

    private static HistogramDataPointSnapshot only(LatencyHistograms family) {
        HistogramSnapshot snapshot = (HistogramSnapshot) family.collect();
        assertEquals("test_latency_seconds", snapshot.getMetadata().getPrometheusName());
        assertEquals(1, snapshot.getDataPoints().size());
        return snapshot.getDataPoints().get(0);
    }

    @Test
    void aRecordFallsInTheFirstBucketWhoseBoundIsAtLeastIt() {
        LatencyHistograms family = new LatencyHistograms("test_latency", "help", BOUNDS);
        LatencyHistograms.Child child = family.add("lu", "/backstores/memory/d");
        for (long nanos : new long[] {-5, 0, 100, 101, 1000, 1001, 5_000_000_000L}) {
            child.record(nanos);
        }
        HistogramDataPointSnapshot point = only(family);
        var buckets = point.getClassicBuckets();
        assertEquals(3, buckets.size());
        assertEquals(3, buckets.getCount(0)); // -5 (as 0), 0, 100
        assertEquals(2, buckets.getCount(1)); // 101, 1000
        assertEquals(2, buckets.getCount(2)); // 1001, 5 s in +Inf
        assertEquals(Double.POSITIVE_INFINITY, buckets.getUpperBound(2));
        assertEquals(7, point.getCount());
        assertEquals((100 + 101 + 1000 + 1001 + 5_000_000_000L) / 1e9, point.getSum(), 1e-12);
        assertEquals("/backstores/memory/d", point.getLabels().get("lu"));
    }

    @Test
    void threadsRecordingTogetherLoseNothing() throws InterruptedException {
        LatencyHistograms family = new LatencyHistograms("test_latency", "help", BOUNDS);
        LatencyHistograms.Child child = family.add("lu", "/backstores/memory/d");
        int perThread = 200_000;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long nanos = t * 400L;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    child.record(nanos);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(4L * perThread, child.count());
        assertEquals(perThread * (0 + 400 + 800 + 1200L), child.sumNanos());
        var buckets = only(family).getClassicBuckets();
        assertEquals(perThread, buckets.getCount(0));
        assertEquals(2L * perThread, buckets.getCount(1));
        assertEquals(perThread, buckets.getCount(2));
    }

    @Test
    void aRemovedHistogramIsNoLongerExported() {
        LatencyHistograms family = new LatencyHistograms("test_latency", "help", BOUNDS);
        LatencyHistograms.Child gone = family.add("lu", "/backstores/memory/gone");
        family.add("lu", "/backstores/memory/kept");
        family.remove(gone);
        assertEquals("/backstores/memory/kept", only(family).getLabels().get("lu"));
    }

    @Test
    void histogramsOfTheSameLabelsAreExportedAsOneSeries() {
        LatencyHistograms family = new LatencyHistograms("test_latency", "help", BOUNDS);
        LatencyHistograms.Child old = family.add("lu", "/backstores/memory/d");
        LatencyHistograms.Child again = family.add("lu", "/backstores/memory/d");
        old.record(50);
        again.record(500);
        again.record(5000);
        HistogramDataPointSnapshot point = only(family);
        assertEquals(3, point.getCount());
        assertEquals(1, point.getClassicBuckets().getCount(0));
        assertEquals(1, point.getClassicBuckets().getCount(1));
        assertEquals(1, point.getClassicBuckets().getCount(2));
        assertEquals(5550 / 1e9, point.getSum(), 1e-15);
    }

    @Test
    void boundsMustAscend() {
        assertThrows(IllegalArgumentException.class, () -> new LatencyHistograms("test_latency", "help",
                new Duration[] {Duration.ofNanos(1000), Duration.ofNanos(1000)}));
    }
}
