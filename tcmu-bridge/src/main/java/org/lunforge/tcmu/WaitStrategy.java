package org.lunforge.tcmu;

import java.io.IOException;

/**
 * What the ring thread does when it has nothing to do (LMAX Disruptor's WaitStrategy): block in the uio device,
 * spin, or spin a while and then block. The ring thread calls it only after a pass that read no entry and wrote no
 * completion.
 */
public interface WaitStrategy {
    /** Returns when there may be work: new entries, queued completions, or a stop request. */
    void waitForWork(RingWaiter waiter) throws IOException;

    /** The ring thread's side of waiting. */
    interface RingWaiter {
        /** True if the ring has unread entries, completions are queued, or the device is stopping. Cheap: no syscall. */
        boolean hasWork();

        /**
         * Blocks in the doorbell until the kernel or a completing thread signals. Announces the block first, so a
         * completing thread that queues afterwards wakes it.
         */
        void block() throws IOException;
    }

    /** Blocks at once: no CPU spent while idle, one poll and one read per wake-up. The default. */
    static WaitStrategy blocking() {
        return RingWaiter::block;
    }

    /** Spins without ever blocking: lowest latency, one core per device. For benchmarks and dedicated cores. */
    static WaitStrategy busySpin() {
        return waiter -> {
            while (!waiter.hasWork()) {
                Thread.onSpinWait();
            }
        };
    }

    /** Spins for up to {@code spinNanos}, then blocks: catches back-to-back commands without a syscall. */
    static WaitStrategy spinThenBlock(long spinNanos) {
        return waiter -> {
            long deadline = System.nanoTime() + spinNanos;
            while (System.nanoTime() - deadline < 0) {
                if (waiter.hasWork()) {
                    return;
                }
                Thread.onSpinWait();
            }
            waiter.block();
        };
    }
}
