package org.lunforge.tcmu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.TaskResponse;
import org.lunforge.tcmu.KernelSimulator.Direction;
import org.lunforge.tcmu.KernelSimulator.SimCommand;

/**
 * jcstress-style stress of the two hand-offs that matter, with outcomes counted rather than timed: the kernel's
 * release of cmd_head against our acquire (an entry must be read whole, never stale), and the completing thread's
 * wake-up of a ring thread that is about to block (a completion must never wait for an unrelated kernel event).
 * Each run records every outcome seen; only the acceptable ones may appear.
 */
class RingConcurrencyStressTest {

    /**
     * The kernel thread writes entries into a small ring (slots are rewritten constantly) and publishes the head
     * with release semantics; the CDB of each entry carries its sequence number and a check byte. The ring thread
     * must see every field the kernel wrote before the head: a torn or stale entry shows as a wrong check byte or a
     * sequence number out of order.
     */
    @Test
    void entriesPublishedBeforeTheHeadAreSeenWhole() throws Exception {
        KernelSimulator kernel = new KernelSimulator(1024, 32);
        Map<String, AtomicInteger> outcomes = new TreeMap<>();
        AtomicInteger expectedSeq = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        TcmuCommandHandler handler = (command, end) -> {
            byte[] cdb = command.cdb().bytes();
            long seq = command.cdb().u32(2);
            int check = cdb[9] & 0xFF;
            String outcome;
            if (check != (int) ((seq * 131 + 7) & 0xFF)) {
                outcome = "TORN ENTRY";
            } else if (seq != expectedSeq.getAndIncrement()) {
                outcome = "OUT OF ORDER";
            } else if (command.expectedTransferLength() != 512 * (1 + seq % 5)) {
                outcome = "STALE IOVEC";
            } else {
                outcome = "OK";
            }
            synchronized (outcomes) {
                outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
            }
            if (seq % 2 == 0) {
                command.complete(TaskResponse.good(0));
            } else {
                pool.execute(() -> command.complete(TaskResponse.good(0)));
            }
        };
        int total = 50_000;
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            for (int seq = 0; seq < total; ) {
                byte[] cdb = PatternHandler.cdb(0x28, seq);
                cdb[9] = (byte) (seq * 131 + 7);
                if (kernel.queue(cdb, Direction.FROM_DEVICE, 512 * (1 + seq % 5)) != null) {
                    seq++;
                } else {
                    Thread.onSpinWait();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (kernel.inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            ring.stop();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Map.of("OK", total), Map.copyOf(outcomes.entrySet().stream().collect(
                java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()))));
        assertEquals(total, kernel.completions().size());
    }

    /**
     * One command at a time, completed by another thread at a random moment around the ring thread's decision to
     * block. No kernel event follows, so a lost wake-up leaves the command uncompleted: outcome "LOST WAKE-UP".
     */
    @Test
    void aCompletionRacingTheRingThreadIntoItsBlockIsNeverLost() throws Exception {
        KernelSimulator kernel = new KernelSimulator(64 * 1024, 8);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        TcmuCommandHandler handler = (command, end) -> pool.execute(() -> {
            int spin = ThreadLocalRandom.current().nextInt(4) == 0 ? 0 : ThreadLocalRandom.current().nextInt(2_000);
            for (int i = 0; i < spin; i++) {
                Thread.onSpinWait();
            }
            command.complete(TaskResponse.good(0));
        });
        Map<String, Integer> outcomes = new TreeMap<>();
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            for (int round = 0; round < 5_000; round++) {
                SimCommand c = kernel.queue(PatternHandler.cdb(0x28, round), Direction.NONE, 0);
                String outcome;
                try {
                    c.completion.get(5, TimeUnit.SECONDS);
                    outcome = "COMPLETED";
                } catch (TimeoutException e) {
                    outcome = "LOST WAKE-UP";
                    outcomes.merge(outcome, 1, Integer::sum);
                    break;
                }
                outcomes.merge(outcome, 1, Integer::sum);
            }
            ring.stop();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Map.of("COMPLETED", 5_000), outcomes);
    }
}
