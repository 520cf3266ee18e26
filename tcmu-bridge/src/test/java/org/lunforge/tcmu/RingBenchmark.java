package org.lunforge.tcmu;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.lunforge.scsi.TaskResponse;
import org.lunforge.tcmu.KernelSimulator.Direction;

/**
 * The ring's per-command cost, measured against the kernel simulator (a benchmark main, not a test: nothing here
 * asserts a speed). A producer thread plays the kernel and keeps up to {@code depth} commands in the ring; the ring
 * thread reads them, a handler completes them (on the ring thread, or on a pool thread to measure the hand-off), and
 * the simulator reaps on each kick. The figure includes the simulator's own work (its lock, its id and block
 * allocation), so it is an upper bound of the bridge's cost.
 *
 * <pre>java -cp ... org.lunforge.tcmu.RingBenchmark [seconds]</pre>
 */
public final class RingBenchmark {
    private RingBenchmark() {
    }

    record Result(String name, long commands, long nanos, long kicks) {
        @Override
        public String toString() {
            double perCommand = (double) nanos / commands;
            return "%-44s %,12d cmds  %8.0f ns/cmd  %,10.0f cmds/s  %5.1f cmds/kick".formatted(name, commands,
                    perCommand, commands * 1e9 / nanos, (double) commands / Math.max(1, kicks));
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.println("JVM " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        for (int round = 0; round < 2; round++) {
            String tag = round == 0 ? " (warm-up)" : "";
            for (int depth : List.of(1, 16, 64)) {
                System.out.println(run("sync completion, blocking, qd" + depth + tag, depth, false,
                        WaitStrategy.blocking(), seconds));
                System.out.println(run("sync completion, spin 50us, qd" + depth + tag, depth, false,
                        WaitStrategy.spinThenBlock(50_000), seconds));
                System.out.println(run("pool completion, blocking, qd" + depth + tag, depth, true,
                        WaitStrategy.blocking(), seconds));
            }
        }
    }

    static Result run(String name, int depth, boolean pool, WaitStrategy wait, int seconds) throws Exception {
        KernelSimulator kernel = new KernelSimulator(8 * 1024 * 1024 - 128, 1024);
        kernel.keepCompletions = false;
        ExecutorService executor = pool ? Executors.newSingleThreadExecutor() : null;
        byte[] cdb = PatternHandler.cdb(PatternHandler.READ, 0);
        TcmuCommandHandler handler = executor == null
                ? (command, end) -> command.complete(TaskResponse.good(command.expectedTransferLength()))
                : (command, end) -> executor.execute(
                        () -> command.complete(TaskResponse.good(command.expectedTransferLength())));
        try (RingHarness ring = new RingHarness(kernel, handler, wait)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long start = System.nanoTime();
            long queued = 0;
            int kicksBefore = kernel.kicks.get();
            while (System.nanoTime() < deadline) {
                if (kernel.inFlight() < depth && kernel.queue(cdb, Direction.FROM_DEVICE, 4096) != null) {
                    queued++;
                } else {
                    Thread.onSpinWait();
                }
            }
            while (kernel.inFlight() > 0) {
                Thread.onSpinWait();
            }
            long nanos = System.nanoTime() - start;
            ring.stop();
            return new Result(name, queued, nanos, kernel.kicks.get() - kicksBefore);
        } finally {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
    }
}
