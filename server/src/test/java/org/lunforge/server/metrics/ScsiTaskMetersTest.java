package org.lunforge.server.metrics;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/** A logical unit's meters: kinds by opcode, medium bytes only, errors by status and sense key, queue depth. */
class ScsiTaskMetersTest {
    private static final byte[] NO_SENSE = {};
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final ScsiTaskMeters meters = ScsiTaskMeters.logicalUnit(registry, "/backstores/memory/d");

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
        var latency = registry.get("lunforge.lu.command.latency").tag("kind", "write").timer();
        assertEquals(3, latency.count());
        assertEquals(3.0, latency.totalTime(TimeUnit.MILLISECONDS), 1e-9);
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
    }
}
