package org.lunforge.tcmu;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.tcmu.KernelSimulator.Direction.FROM_DEVICE;
import static org.lunforge.tcmu.KernelSimulator.Direction.NONE;
import static org.lunforge.tcmu.KernelSimulator.Direction.TO_DEVICE;
import static org.lunforge.tcmu.PatternHandler.READ;
import static org.lunforge.tcmu.PatternHandler.WRITE;
import static org.lunforge.tcmu.PatternHandler.cdb;
import static org.lunforge.tcmu.PatternHandler.pattern;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.TaskResponse;
import org.lunforge.tcmu.KernelSimulator.Completion;
import org.lunforge.tcmu.KernelSimulator.SimCommand;

class TcmuRingTest {
    private static final int RING = 8 * 1024;

    private static Completion await(SimCommand command) throws Exception {
        try {
            return command.completion.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("command " + command.cmdId + " never completed", e);
        }
    }

    /** Retries while the ring or data area is full, as the kernel's qfull queue would. */
    private static SimCommand queueBlocking(Supplier<SimCommand> queue) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            SimCommand c = queue.get();
            if (c != null) {
                return c;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ring stayed full");
            }
            Thread.sleep(0, 50_000);
        }
    }

    @Test
    void writeThenReadMovesDataInPlace() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 64);
        PatternHandler handler = new PatternHandler();
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            Completion w = await(kernel.queue(cdb(WRITE, 7), TO_DEVICE, pattern(7, 10_000), 10_000));
            assertEquals(0, w.status());
            Completion r = await(kernel.queue(cdb(READ, 9), FROM_DEVICE, 12_345));
            assertEquals(0, r.status());
            assertArrayEquals(pattern(9, 12_345), r.dataIn());
            assertFalse(r.readLenValid(), "a full read needs no READ_LEN");
            Completion n = await(kernel.queue(Cdb.of(0, 0, 0, 0, 0, 0).bytes(), NONE, 0));
            assertEquals(0, n.status());
            ring.stop();
            assertEquals(List.of(), List.copyOf(handler.writeErrors.values()));
        }
    }

    @Test
    void entriesWrapWithPadAndCmdIdsAreReused() throws Exception {
        KernelSimulator kernel = new KernelSimulator(1024, 16);
        try (RingHarness ring = new RingHarness(kernel, new PatternHandler())) {
            int[] cdbLengths = {6, 10, 12, 16, 32};
            for (int i = 0; i < 300; i++) {
                byte[] cdb = new byte[cdbLengths[i % cdbLengths.length]];
                System.arraycopy(cdb(READ, i), 0, cdb, 0, Math.min(10, cdb.length));
                cdb[0] = (byte) (cdb.length == 6 ? 0x08 : cdb.length == 12 ? 0xA8 : cdb.length == 16 ? 0x88
                        : cdb.length == 32 ? 0x7F : READ);
                if (cdb.length == 32) {
                    cdb[7] = 24; // VARIABLE LENGTH: ADDITIONAL CDB LENGTH
                }
                SimCommand c = kernel.queue(cdb, FROM_DEVICE, 512 * (1 + i % 3));
                assertNotNull(c, "sequential commands always fit");
                assertEquals(1, c.cmdId, "the id of a reaped command is reused at once");
                assertEquals(0, await(c).status());
            }
            ring.stop();
            assertTrue(kernel.pads.get() > 0, "the ring wrapped with PAD entries");
            assertEquals(0, kernel.inFlight());
        }
    }

    @Test
    void outOfOrderCompletionsFromManyThreadsAreAllReaped() throws Exception {
        KernelSimulator kernel = new KernelSimulator(2 * 1024, 48);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        PatternHandler handler = new PatternHandler(pool);
        List<SimCommand> commands = new ArrayList<>();
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            for (int i = 0; i < 2_000; i++) {
                long lba = i;
                boolean write = i % 3 == 0;
                int length = 512 * (1 + i % 17); // 1..17 sectors: one to three blocks, scattered iovecs
                byte[] cdb = cdb(write ? WRITE : READ, lba);
                if (i % 5 == 0) {
                    cdb = Arrays.copyOf(cdb, 16); // a 16-byte CDB makes a longer entry
                    cdb[0] = (byte) 0x88;
                    System.arraycopy(cdb(READ, lba), 2, cdb, 2, 4);
                    write = false;
                }
                boolean w = write;
                byte[] c = cdb;
                commands.add(queueBlocking(() -> kernel.queue(c, w ? TO_DEVICE : FROM_DEVICE,
                        w ? pattern(lba, length) : null, length)));
            }
            for (int i = 0; i < commands.size(); i++) {
                Completion done = await(commands.get(i));
                assertEquals(0, done.status());
                SimCommand c = commands.get(i);
                if (c.direction == FROM_DEVICE) {
                    assertArrayEquals(pattern(i, c.dataLength), done.dataIn(), "data of command " + i);
                }
            }
            ring.stop();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), List.copyOf(handler.writeErrors.values()));
        assertTrue(commands.stream().anyMatch(c -> c.iovCount > 1), "some commands had scattered iovecs");
        assertEquals(0, kernel.inFlight());
    }

    @Test
    void shortReadSetsReadLen() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 8);
        TcmuCommandHandler handler = (command, end) -> {
            command.dataIn().put(0, pattern(1, 36));
            command.complete(TaskResponse.good(36)); // INQUIRY-like: less than the allocation length
        };
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            Completion c = await(kernel.queue(cdb(READ, 1), FROM_DEVICE, 255));
            assertEquals(0, c.status());
            assertTrue(c.readLenValid());
            assertArrayEquals(pattern(1, 36), c.dataIn());
            ring.stop();
        }
    }

    @Test
    void checkConditionWithDataReturnsDataAndSense() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 8);
        Sense filemark = Sense.of(SenseCode.FILEMARK_DETECTED).withStreamBits(true, false, false).withInformation(412);
        TcmuCommandHandler handler = (command, end) -> {
            command.dataIn().put(0, pattern(2, 100));
            command.complete(TaskResponse.checkCondition(filemark.encode(false), 100));
        };
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            Completion c = await(kernel.queue(cdb(READ, 2), FROM_DEVICE, 512));
            assertEquals(ScsiStatus.CHECK_CONDITION.code(), c.status());
            assertTrue(c.readLenValid(), "tape needs data and sense together");
            assertArrayEquals(pattern(2, 100), c.dataIn());
            assertArrayEquals(filemark.encode(false), Arrays.copyOf(c.sense(), Sense.FIXED_LENGTH));
            assertEquals(0, c.sense()[Sense.FIXED_LENGTH], "the rest of the sense buffer is cleared");
            ring.stop();
        }
    }

    @Test
    void checkConditionWithoutDataCarriesOnlySense() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 8);
        byte[] sense = Sense.of(SenseCode.INVALID_COMMAND_OPERATION_CODE).encode(false);
        TcmuCommandHandler handler = (command, end) -> command.complete(TaskResponse.checkCondition(sense, 0));
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            Completion c = await(kernel.queue(cdb(READ, 3), FROM_DEVICE, 4096));
            assertEquals(ScsiStatus.CHECK_CONDITION.code(), c.status());
            assertFalse(c.readLenValid());
            assertEquals(0, c.dataIn().length);
            assertArrayEquals(sense, Arrays.copyOf(c.sense(), sense.length));
            ring.stop();
        }
    }

    @Test
    void goodWithNothingReturnsZerosNotStaleData() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 1);
        TcmuCommandHandler handler = (command, end) -> {
            if (command.cdb().opcode() == READ) {
                command.dataIn().put(0, pattern(5, 4096));
                command.complete(TaskResponse.good(4096));
            } else {
                command.complete(TaskResponse.good(0));
            }
        };
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            await(kernel.queue(cdb(READ, 5), FROM_DEVICE, 4096)); // leaves the pattern in the only data block
            Completion c = await(kernel.queue(cdb(0x12, 0), FROM_DEVICE, 4096));
            assertArrayEquals(new byte[4096], c.dataIn());
            ring.stop();
        }
    }

    @Test
    void taskManagementAbortsListedCommandsWhichStillComplete() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 16);
        BlockingQueue<TcmuCommand> held = new LinkedBlockingQueue<>();
        List<Integer> tmrTypes = new ArrayList<>();
        List<List<Long>> abortedTags = new ArrayList<>();
        TcmuCommandHandler handler = new TcmuCommandHandler() {
            @Override
            public void onCommand(TcmuCommand command, boolean endOfBatch) {
                held.add(command);
            }

            @Override
            public void onTaskManagement(int type, List<TcmuCommand> aborted) {
                tmrTypes.add(type);
                abortedTags.add(aborted.stream().map(TcmuCommand::tag).toList());
            }
        };
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            SimCommand a = kernel.queue(cdb(READ, 1), FROM_DEVICE, 512);
            SimCommand b = kernel.queue(cdb(READ, 2), FROM_DEVICE, 512);
            SimCommand c = kernel.queue(cdb(READ, 3), FROM_DEVICE, 512);
            List<TcmuCommand> commands = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                commands.add(held.poll(10, TimeUnit.SECONDS));
            }
            assertTrue(kernel.queueTmr(TcmuAbi.TMR_ABORT_TASK, a.cmdId, c.cmdId, 999));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!commands.get(2).isAborted() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(commands.get(0).isAborted());
            assertFalse(commands.get(1).isAborted());
            assertTrue(commands.get(2).isAborted());
            for (TcmuCommand command : commands) {
                command.complete(TaskResponse.status(ScsiStatus.TASK_ABORTED));
            }
            await(a);
            await(b);
            await(c);
            // A LUN RESET with nothing in flight is an entry that only needs skipping.
            assertTrue(kernel.queueTmr(TcmuAbi.TMR_LUN_RESET));
            SimCommand d = kernel.queue(cdb(READ, 4), FROM_DEVICE, 512);
            held.poll(10, TimeUnit.SECONDS).complete(TaskResponse.good(512));
            await(d);
            ring.stop();
            assertEquals(List.of(TcmuAbi.TMR_ABORT_TASK, TcmuAbi.TMR_LUN_RESET), tmrTypes);
            assertEquals(List.of((long) a.cmdId, (long) c.cmdId), abortedTags.get(0));
        }
    }

    @Test
    void fullRingDrainsAsCompletionsArrive() throws Exception {
        KernelSimulator kernel = new KernelSimulator(512, 64);
        BlockingQueue<TcmuCommand> held = new LinkedBlockingQueue<>();
        try (RingHarness ring = new RingHarness(kernel, (command, end) -> held.add(command))) {
            List<SimCommand> queued = new ArrayList<>();
            SimCommand c;
            while ((c = kernel.queue(cdb(READ, queued.size()), FROM_DEVICE, 512)) != null) {
                queued.add(c);
            }
            assertTrue(queued.size() > 10, "the ring holds " + queued.size());
            // Complete in reverse order: the slots at the tail belong to commands still in flight.
            List<TcmuCommand> commands = new ArrayList<>();
            for (int i = 0; i < queued.size(); i++) {
                commands.add(held.poll(10, TimeUnit.SECONDS));
            }
            for (int i = commands.size() - 1; i >= 0; i--) {
                TcmuCommand command = commands.get(i);
                command.dataIn().put(0, pattern(PatternHandler.lba(command), 512));
                command.complete(TaskResponse.good(512));
                if (i == commands.size() / 2) {
                    // space freed by half of them lets the kernel queue again
                    await(queued.get(i));
                    SimCommand more = queueBlocking(() -> kernel.queue(cdb(READ, 1000), FROM_DEVICE, 512));
                    held.poll(10, TimeUnit.SECONDS).complete(TaskResponse.good(0));
                    await(more);
                }
            }
            for (int i = 0; i < queued.size(); i++) {
                assertArrayEquals(pattern(i, 512), await(queued.get(i)).dataIn());
            }
            ring.stop();
        }
    }

    @Test
    void oneKickPerBatch() throws Exception {
        KernelSimulator kernel = new KernelSimulator(64 * 1024, 256);
        BlockingQueue<TcmuCommand> held = new LinkedBlockingQueue<>();
        try (RingHarness ring = new RingHarness(kernel, (command, end) -> held.add(command))) {
            List<SimCommand> queued = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                queued.add(kernel.queue(cdb(READ, i), FROM_DEVICE, 512));
            }
            List<TcmuCommand> commands = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                commands.add(held.poll(10, TimeUnit.SECONDS));
            }
            int kicksBefore = kernel.kicks.get();
            // Completed from this thread while the ring thread may be blocked: each push may wake it, but completions
            // that arrive together are written in one pass with one kick.
            for (TcmuCommand command : commands) {
                command.complete(TaskResponse.good(0));
            }
            for (SimCommand c : queued) {
                await(c);
            }
            int kicks = kernel.kicks.get() - kicksBefore;
            assertTrue(kicks >= 1 && kicks <= 100, "kicks: " + kicks);
            ring.stop();
        }
    }

    @Test
    void deviceGoneEndsTheLoop() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 8);
        try (RingHarness ring = new RingHarness(kernel, new PatternHandler())) {
            await(kernel.queue(cdb(READ, 1), FROM_DEVICE, 512));
            kernel.unregister();
            ring.join();
            assertFalse(ring.isAlive());
            assertNull(ring.failure());
        }
    }

    @Test
    void corruptEntryStopsServing() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 8);
        try (RingHarness ring = new RingHarness(kernel, new PatternHandler())) {
            kernel.queueGarbage();
            ring.join();
            assertInstanceOf(TcmuProtocolException.class, ring.failure());
        }
    }

    /**
     * An entry longer than what lies between the consumer and cmd_head (here one as long as the ring, which wraps back
     * onto itself, 8 bytes before the head) is corrupt: read as written, the consumer would step over the head and go
     * round the ring forever (found by TcmuRingFuzzTest).
     */
    @Test
    void entryRunningPastTheHeadStopsServing() {
        KernelSimulator kernel = new KernelSimulator(RING, 8);
        try {
            TcmuAbi.setLenOp(kernel.map, TcmuAbi.MAILBOX_SIZE, TcmuAbi.lenOp(kernel.ringSize(), TcmuAbi.OP_CMD));
            TcmuAbi.cmdHeadRelease(kernel.map, TcmuAbi.ALIGN);
            TcmuRing ring = new TcmuRing(kernel.map);
            int[] handled = new int[1];
            TcmuRing.EntryHandler handler = new TcmuRing.EntryHandler() {
                @Override
                public void onCommand(TcmuCommand command, boolean endOfBatch) {
                    onMalformed(0, "");
                }

                @Override
                public void onMalformed(int cmdId, String reason) {
                    if (++handled[0] > 1) {
                        throw new AssertionError("the same entry was handed out twice");
                    }
                }

                @Override
                public void onTaskManagement(int type, int[] cmdIds) {
                }
            };
            assertThrows(TcmuProtocolException.class, () -> ring.read(handler, RingHarness.NEXUS, c -> { }));
            assertEquals(0, handled[0]);
        } finally {
            kernel.free();
        }
    }

    @Test
    void kernelWithoutOutOfOrderCompletionIsRefused() {
        KernelSimulator kernel = new KernelSimulator(RING, 8, TcmuAbi.CAP_READ_LEN);
        try {
            assertThrows(TcmuProtocolException.class, () -> new TcmuRing(kernel.map));
        } finally {
            kernel.free();
        }
    }

    @Test
    void handlerExceptionBecomesInternalTargetFailure() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 8);
        TcmuCommandHandler handler = (command, end) -> {
            throw new IllegalStateException("bug");
        };
        try (RingHarness ring = new RingHarness(kernel, handler)) {
            Completion c = await(kernel.queue(cdb(READ, 1), FROM_DEVICE, 512));
            assertEquals(ScsiStatus.CHECK_CONDITION.code(), c.status());
            assertEquals(0x44, c.sense()[12]);
            ring.stop();
        }
    }

    @Test
    void completingTwiceIsRefused() throws Exception {
        KernelSimulator kernel = new KernelSimulator(RING, 8);
        BlockingQueue<TcmuCommand> held = new LinkedBlockingQueue<>();
        try (RingHarness ring = new RingHarness(kernel, (command, end) -> held.add(command))) {
            SimCommand c = kernel.queue(cdb(READ, 1), FROM_DEVICE, 512);
            TcmuCommand command = held.poll(10, TimeUnit.SECONDS);
            command.complete(TaskResponse.good(512));
            assertThrows(IllegalStateException.class, () -> command.complete(TaskResponse.good(512)));
            await(c);
            ring.stop();
        }
    }

    @Test
    void stopDrainsWhatTheKernelAlreadyQueued() throws Exception {
        KernelSimulator kernel = new KernelSimulator(64 * 1024, 64);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<SimCommand> queued = new ArrayList<>();
        try (RingHarness ring = new RingHarness(kernel, new PatternHandler(pool))) {
            for (int i = 0; i < 50; i++) {
                queued.add(kernel.queue(cdb(READ, i), FROM_DEVICE, 512));
            }
            ring.stop();
            for (SimCommand c : queued) {
                assertTrue(c.completion.isDone(), "command " + c.cmdId + " drained before stop returned");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void spinStrategiesServeToo() throws Exception {
        for (WaitStrategy strategy : List.of(WaitStrategy.busySpin(), WaitStrategy.spinThenBlock(50_000))) {
            KernelSimulator kernel = new KernelSimulator(RING, 16);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (RingHarness ring = new RingHarness(kernel, new PatternHandler(pool), strategy)) {
                for (int i = 0; i < 200; i++) {
                    long lba = i;
                    SimCommand c = queueBlocking(() -> kernel.queue(cdb(READ, lba), FROM_DEVICE, 1024));
                    assertArrayEquals(pattern(i, 1024), await(c).dataIn());
                }
                ring.stop();
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
