package org.lunforge.tcmu;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.tcmu.KernelSimulator.Direction.FROM_DEVICE;
import static org.lunforge.tcmu.KernelSimulator.Direction.NONE;
import static org.lunforge.tcmu.PatternHandler.cdb;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.TaskMeter;
import org.lunforge.scsi.TaskResponse;
import org.lunforge.tcmu.KernelSimulator.SimCommand;

/** What a ring reports for metrics: its occupancy, the times it filled up, and each command to its unit's meter. */
class TcmuRingMetricsTest {
    private static final byte[] TEST_UNIT_READY = Cdb.of(0, 0, 0, 0, 0, 0).bytes();

    /** Waits for a condition the ring thread will reach; fails only if it never does (not a timing assertion). */
    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never reached");
            }
            Thread.sleep(1);
        }
    }

    @Test
    void aFullCommandRingIsOneStallAndHeldCommandsAreItsOccupancy() throws Exception {
        KernelSimulator kernel = new KernelSimulator(1024, 64);
        List<TcmuCommand> held = new CopyOnWriteArrayList<>();
        try (RingHarness ring = new RingHarness(kernel, (command, endOfBatch) -> held.add(command))) {
            List<SimCommand> queued = new ArrayList<>();
            for (SimCommand c; (c = kernel.queue(TEST_UNIT_READY, NONE, 0)) != null; ) {
                queued.add(c);
            }
            until(() -> held.size() == queued.size());
            assertEquals(queued.size(), ring.loop.inFlight());
            assertEquals(1, ring.loop.stallCount(), "the ring filled up once");
            held.forEach(c -> c.complete(TaskResponse.good(0)));
            for (SimCommand c : queued) {
                c.completion.get(10, TimeUnit.SECONDS);
            }
            until(() -> ring.loop.inFlight() == 0);
            held.clear();
            SimCommand more = kernel.queue(TEST_UNIT_READY, NONE, 0);
            until(() -> held.size() == 1);
            held.getFirst().complete(TaskResponse.good(0));
            more.completion.get(10, TimeUnit.SECONDS);
            assertEquals(1, ring.loop.stallCount(), "no new stall while the ring has room");
            ring.stop();
        }
    }

    @Test
    void aMeteredCommandReportsItsOpcodeBytesAndStatusOnce() throws Exception {
        KernelSimulator kernel = new KernelSimulator(8 * 1024, 64);
        List<String> reported = new CopyOnWriteArrayList<>();
        TaskMeter meter = new TaskMeter() {
            @Override
            public void started() {
                reported.add("started");
            }

            @Override
            public void completed(int opcode, long dataInBytes, long dataOutBytes, long nanos, ScsiStatus status,
                                  byte[] sense) {
                reported.add("%02x in=%d %s".formatted(opcode, dataInBytes, status));
            }
        };
        try (RingHarness ring = new RingHarness(kernel, (command, endOfBatch) -> {
            command.meter(meter);
            command.complete(TaskResponse.good(4096));
        })) {
            kernel.queue(cdb(0x28, 0), FROM_DEVICE, 4096).completion.get(10, TimeUnit.SECONDS);
            ring.stop();
        }
        assertEquals(List.of("started", "28 in=4096 GOOD"), reported);
    }
}
