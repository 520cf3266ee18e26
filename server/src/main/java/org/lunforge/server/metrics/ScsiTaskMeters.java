package org.lunforge.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.SenseKey;
import org.lunforge.scsi.TaskMeter;

/**
 * The meters of one logical unit ({@code lunforge_lu_*}, tag {@code lu}) or one target port ({@code lunforge_port_*},
 * tag {@code target_port}): commands and their latency by kind (read, write, other), bytes read and written, the
 * queue depth, errors by status and sense key, and unit attentions reported.
 *
 * <p>On the I/O path ({@link #started}, {@link #completed}) only adders are touched (the latency histograms'
 * too, {@link LatencyHistograms}): no lock, no allocation, no string, no word every event loop writes. An error
 * counter is registered the first time its (status, sense key) occurs, and looked up by index afterwards.
 * The meters of all logical units, or of all target ports, are made by one {@link Family}: the latency histograms
 * of a family are one collector in the registry.
 *
 * <p>Kinds by OPERATION CODE: read is READ(6/10/12/16) (SBC-4 5.14-5.17; READ(6) is also SSC-4's READ), write is
 * WRITE(6/10/12/16) and WRITE AND VERIFY(10/12/16); bytes read and written count the Data-In of reads and the
 * Data-Out of writes only, so that they are the medium's traffic, not INQUIRY's or MODE SENSE's.
 */
public final class ScsiTaskMeters implements TaskMeter, AutoCloseable {
    /** Where a latency falls: 50 us to 10 s, about three buckets per decade (histogram_quantile reads them). */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };
    private static final int OTHER = 0;
    private static final int READ = 1;
    private static final int WRITE = 2;
    private static final String[] KIND_NAMES = {"other", "read", "write"};
    /** The kind of each OPERATION CODE. */
    private static final byte[] KIND = new byte[256];

    static {
        for (int read : new int[] {0x08, 0x28, 0xA8, 0x88}) {
            KIND[read] = READ;
        }
        for (int write : new int[] {0x0A, 0x2A, 0xAA, 0x8A, 0x2E, 0xAE, 0x8E}) {
            KIND[write] = WRITE;
        }
    }

    private static final int SENSE_KEYS = 16;
    private static final ScsiStatus[] STATUSES = ScsiStatus.values();

    private final MeterRegistry registry;
    private final String prefix;
    private final Tags tags;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Counter[] commands = new Counter[KIND_NAMES.length];
    private final Family family;
    private final LatencyHistograms.Child[] latency = new LatencyHistograms.Child[KIND_NAMES.length];
    private final Counter readBytes;
    private final Counter writtenBytes;
    private final Counter unitAttentions;
    private final LongAdder inTaskSet = new LongAdder();
    /** CHECK CONDITION by sense key at [key], other statuses at [16 + ordinal]; filled on first occurrence. */
    private final AtomicReferenceArray<Counter> errors = new AtomicReferenceArray<>(SENSE_KEYS + STATUSES.length);

    private ScsiTaskMeters(Family family, String tagValue) {
        this.family = family;
        this.registry = family.registry;
        this.prefix = family.prefix;
        this.tags = Tags.of(family.tagKey, tagValue);
        for (int kind = 0; kind < KIND_NAMES.length; kind++) {
            commands[kind] = keep(Counter.builder(prefix + ".commands").tags(tags).tag("kind", KIND_NAMES[kind])
                    .description("SCSI commands completed").register(registry));
            latency[kind] = family.latency.add(family.tagKey, tagValue, "kind", KIND_NAMES[kind]);
        }
        readBytes = keep(Counter.builder(prefix + ".read").baseUnit("bytes").tags(tags)
                .description("Data-In bytes of READ commands").register(registry));
        writtenBytes = keep(Counter.builder(prefix + ".written").baseUnit("bytes").tags(tags)
                .description("Data-Out bytes of WRITE commands").register(registry));
        unitAttentions = keep(Counter.builder(prefix + ".unit.attentions").tags(tags)
                .description("Commands answered with a unit attention condition").register(registry));
        keep(Gauge.builder(prefix + ".queue.depth", inTaskSet, LongAdder::sum).strongReference(true).tags(tags)
                .description("Commands in the task set now").register(registry));
    }

    /**
     * The meters of logical units or of target ports in one registry: their latency histograms' collector, registered
     * once, which each unit's or port's meters add their histograms to.
     */
    public static final class Family {
        private final PrometheusMeterRegistry registry;
        private final String prefix;
        private final String tagKey;
        private final LatencyHistograms latency;

        private Family(PrometheusMeterRegistry registry, String prefix, String tagKey) {
            this.registry = registry;
            this.prefix = prefix;
            this.tagKey = tagKey;
            this.latency = new LatencyHistograms(prefix.replace('.', '_') + "_command_latency",
                    "From the command's arrival to its completion", LATENCY_BUCKETS);
            registry.getPrometheusRegistry().register(latency);
        }

        /**
         * The meters of one logical unit, by its path ({@code /backstores/memory/disk0}), or of one target port, by
         * the name its SCSI name string designator reports; removed from the registry when closed.
         */
        public ScsiTaskMeters meters(String name) {
            return new ScsiTaskMeters(this, name);
        }
    }

    /** The family of logical units' meters ({@code lunforge_lu_*}, tag {@code lu}); one per registry. */
    public static Family logicalUnits(PrometheusMeterRegistry registry) {
        return new Family(registry, "lunforge.lu", "lu");
    }

    /** The family of target ports' meters ({@code lunforge_port_*}, tag {@code target_port}); one per registry. */
    public static Family targetPorts(PrometheusMeterRegistry registry) {
        return new Family(registry, "lunforge.port", "target_port");
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    @Override
    public void started() {
        inTaskSet.increment();
    }

    @Override
    public void completed(int opcode, long dataInBytes, long dataOutBytes, long nanos, ScsiStatus status,
                          byte[] sense) {
        inTaskSet.decrement();
        int kind = KIND[opcode & 0xFF];
        commands[kind].increment();
        latency[kind].record(nanos);
        if (kind == READ) {
            readBytes.increment(dataInBytes);
        } else if (kind == WRITE) {
            writtenBytes.increment(dataOutBytes);
        }
        if (status == ScsiStatus.GOOD || status == ScsiStatus.CONDITION_MET) {
            return;
        }
        int slot;
        if (status == ScsiStatus.CHECK_CONDITION) {
            int key = TaskMeter.senseKey(sense);
            if (key == SenseKey.UNIT_ATTENTION.code()) {
                unitAttentions.increment();
            }
            slot = key < 0 ? SENSE_KEYS + status.ordinal() : key;
        } else {
            slot = SENSE_KEYS + status.ordinal();
        }
        Counter errorCounter = errors.get(slot);
        if (errorCounter == null) {
            errorCounter = errorCounter(slot);
        }
        errorCounter.increment();
    }

    /** The first error of its kind: registers its counter (the registry hands back the same one if raced). */
    private Counter errorCounter(int slot) {
        String status = slot < SENSE_KEYS ? ScsiStatus.CHECK_CONDITION.name() : STATUSES[slot - SENSE_KEYS].name();
        String senseKey = slot < SENSE_KEYS ? senseKeyName(slot) : "none";
        Counter c = Counter.builder(prefix + ".errors").tags(tags).tag("status", status).tag("sense_key", senseKey)
                .description("Commands that ended in other than GOOD, by status and sense key").register(registry);
        if (errors.compareAndSet(slot, null, c)) {
            meters.add(c);
        }
        return c;
    }

    private static String senseKeyName(int key) {
        for (SenseKey k : SenseKey.values()) {
            if (k.code() == key) {
                return k.name();
            }
        }
        return "RESERVED_%02X".formatted(key);
    }

    /** Removes this unit's or port's meters from the registry: it is gone. */
    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
        for (LatencyHistograms.Child histogram : latency) {
            family.latency.remove(histogram);
        }
    }
}
