package org.lunforge.tcmu;

import java.util.concurrent.atomic.AtomicReference;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TransportProtocol;

/** A ring loop served on its own thread against a {@link KernelSimulator}, as a device's ring thread would be. */
final class RingHarness implements AutoCloseable {
    static final Nexus NEXUS = new Nexus(new InitiatorPort(TransportProtocol.NONE, "tcmu", ""),
            new TargetPort(1, "tcm-user/1/test", TransportProtocol.NONE));

    final KernelSimulator kernel;
    final TcmuRingLoop loop;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    RingHarness(KernelSimulator kernel, TcmuCommandHandler handler, WaitStrategy waitStrategy) {
        this.kernel = kernel;
        this.loop = new TcmuRingLoop("sim", kernel.map, kernel, handler, waitStrategy, NEXUS);
        this.thread = Thread.ofPlatform().name("ring-under-test").unstarted(() -> {
            try {
                loop.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
    }

    RingHarness(KernelSimulator kernel, TcmuCommandHandler handler) {
        this(kernel, handler, WaitStrategy.blocking());
    }

    /** Stops with a drain and rethrows whatever the ring thread failed with. */
    void stop() throws Exception {
        loop.requestStop();
        thread.join(20_000);
        if (thread.isAlive()) {
            loop.abandon();
            thread.join(5_000);
            throw new AssertionError("ring thread did not stop; in flight: " + loop.inFlight());
        }
        rethrow();
    }

    void rethrow() throws Exception {
        Throwable t = failure.get();
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    Throwable failure() {
        return failure.get();
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    void join() throws InterruptedException {
        thread.join(20_000);
    }

    @Override
    public void close() throws Exception {
        if (thread.isAlive()) {
            stop();
        }
        kernel.free();
    }
}
