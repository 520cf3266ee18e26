package org.lunforge.server.metrics;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/**
 * A logical unit's meters: kinds by opcode, medium bytes only, latency by bucket as the exposition shows it, errors by
 * status and sense key, queue depth.
 */
class ScsiTaskMetersTest {
    private static final byte[] NO_SENSE = {};
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ScsiTaskMeters meters = ScsiTaskMeters.logicalUnits(registry).meters("/backstores/memory/d");

    private double count(String name, String... tags) {
        return registry.get(name).tag("lu", "/backstores/memory/d").tags(tags).counter().count();
    }

    @Test
    void readsAndWritesCountTheirBytesAndOtherCommandsNone() {
        for (int i = 0; i < 3; i++) {
            meters.started();
            meters.completed(0x2A, 0, 4096, 1_000_000, ScsiStatus.GOOD, NO_SENSE); // WRITE(10)
        }
        meters.started();
        meters.completed(0x88, 8192, 0, 2_000_000, ScsiStatus.GOOD, NO_SENSE); // READ(16)
        meters.started();
        meters.completed(0x12, 36, 0, 1000, ScsiStatus.GOOD, NO_SENSE); // INQUIRY
        assertEquals(3, count("lunforge.lu.commands", "kind", "write"));
        assertEquals(1, count("lunforge.lu.commands", "kind", "read"));
        assertEquals(1, count("lunforge.lu.commands", "kind", "other"));
        assertEquals(3 * 4096, count("lunforge.lu.written"));
        assertEquals(8192, count("lunforge.lu.read"));
        String scrape = registry.scrape();
        String write = "{kind=\"write\",lu=\"/backstores/memory/d\"";
        assertTrue(scrape.contains("lunforge_lu_command_latency_seconds_count" + write + "} 3\n"), scrape);
        assertTrue(scrape.contains("lunforge_lu_command_latency_seconds_sum" + write + "} 0.003\n"), scrape);
        // 1 ms is in the 1 ms bucket (le: at most), not in the 500 us one; the READ's 2 ms in the 2 ms one.
        assertTrue(scrape.contains("lunforge_lu_command_latency_seconds_bucket" + write + ",le=\"5.0E-4\"} 0\n"),
                scrape);
        assertTrue(scrape.contains("lunforge_lu_command_latency_seconds_bucket" + write + ",le=\"0.001\"} 3\n"),
                scrape);
        String read = "{kind=\"read\",lu=\"/backstores/memory/d\"";
        assertTrue(scrape.contains("lunforge_lu_command_latency_seconds_bucket" + read + ",le=\"0.001\"} 0\n"),
                scrape);
        assertTrue(scrape.contains("lunforge_lu_command_latency_seconds_bucket" + read + ",le=\"0.002\"} 1\n"),
                scrape);
        assertTrue(scrape.contains("lunforge_lu_command_latency_seconds_bucket" + read + ",le=\"+Inf\"} 1\n"),
                scrape);
        assertEquals(0, registry.get("lunforge.lu.queue.depth").gauge().value());
    }

    @Test
    void queueDepthIsStartedLessCompleted() {
        meters.started();
        meters.started();
        meters.completed(0x00, 0, 0, 1, ScsiStatus.GOOD, NO_SENSE);
        assertEquals(1, registry.get("lunforge.lu.queue.depth").gauge().value());
    }

    @Test
    void errorsBySenseKeyInEitherSenseFormatAndUnitAttentions() {
        byte[] fixed = Sense.of(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE).encode(false);
        byte[] descriptor = Sense.of(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE).encode(true);
        byte[] attention = Sense.of(SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED).encode(false);
        for (byte[] sense : new byte[][] {fixed, descriptor, attention}) {
            meters.started();
            meters.completed(0x28, 0, 0, 1, ScsiStatus.CHECK_CONDITION, sense);
        }
        meters.started();
        meters.completed(0x2A, 0, 512, 1, ScsiStatus.RESERVATION_CONFLICT, NO_SENSE);
        assertEquals(2, count("lunforge.lu.errors", "status", "CHECK_CONDITION", "sense_key", "ILLEGAL_REQUEST"));
        assertEquals(1, count("lunforge.lu.errors", "status", "CHECK_CONDITION", "sense_key", "UNIT_ATTENTION"));
        assertEquals(1, count("lunforge.lu.errors", "status", "RESERVATION_CONFLICT", "sense_key", "none"));
        assertEquals(1, count("lunforge.lu.unit.attentions"));
    }

    @Test
    void closingRemovesEveryMeterOfTheUnit() {
        meters.started();
        meters.completed(0x28, 0, 0, 1, ScsiStatus.CHECK_CONDITION, Sense.of(SenseCode.MEDIUM_NOT_PRESENT)
                .encode(false));
        meters.close();
        assertTrue(registry.getMeters().isEmpty(), registry.getMeters().toString());
        assertFalse(registry.scrape().contains("/backstores/memory/d"), registry.scrape());
    }
}
