package org.lunforge.server.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.TaskMeter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What counting costs one command on the I/O path: a {@link TaskMeter#started} and {@link TaskMeter#completed} pair
 * for a logical unit and one for its port (what the iSCSI frontend does per task), with the daemon's meters
 * (Micrometer's Prometheus registry) against none. Two threads share the meters, as two event loops would. Run with
 * {@code -prof gc} to see that a command allocates nothing:
 * {@code mvn -B -Pjmh -pl server -am test -DskipTests -Djmh.skip.stores=true -Djmh.skip.devices=true
 * -Djmh.args="-f 1 -prof gc TaskMeterBenchmark"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(2)
public class TaskMeterBenchmark {
    private static final byte[] NO_SENSE = {};

    @Param({"none", "prometheus"})
    public String meters;

    private TaskMeter unit;
    private TaskMeter port;

    @Setup
    public void setUp() {
        if (meters.equals("none")) {
            unit = TaskMeter.NONE;
            port = TaskMeter.NONE;
        } else {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            unit = ScsiTaskMeters.logicalUnits(registry).meters("/backstores/memory/bench");
            port = ScsiTaskMeters.targetPorts(registry).meters("iqn.2026-11.org.lunforge:bench,t,0x0001");
        }
    }

    /** A 4 KiB READ(10) as the iSCSI frontend reports it: started at execution, completed with its bytes. */
    @Benchmark
    public void read4k() {
        unit.started();
        port.started();
        unit.completed(0x28, 4096, 0, 25_000, ScsiStatus.GOOD, NO_SENSE);
        port.completed(0x28, 4096, 0, 25_000, ScsiStatus.GOOD, NO_SENSE);
    }
}
