package org.lunforge.device.disk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Serialises the commands that must be atomic against others touching the same LBAs (COMPARE AND WRITE, WRITE ATOMIC,
 * ORWRITE, WRITE AND VERIFY) while costing ordinary I/O almost nothing.
 *
 * <p>Ordinary I/O takes a shared hold. While no exclusive hold is wanted it is anonymous: one striped-counter
 * increment and one volatile read, no allocation, no lock. An exclusive hold first announces itself
 * ({@code exclusiveWanted}), then waits for the anonymous holders to drain (it cannot tell their ranges), then waits
 * for registered holds that overlap it. Shared holds that arrive while an exclusive one is wanted register their range
 * under the monitor and wait only if they overlap an exclusive hold.
 *
 * <p>Why the fast path is safe (a Dekker handshake over volatile accesses, which are sequentially consistent): a
 * shared holder increments {@code anonymous} then reads {@code exclusiveWanted}; an exclusive holder increments
 * {@code exclusiveWanted} then reads {@code anonymous}. At least one of them sees the other's write, so either the
 * shared holder backs off to the registered path, or the exclusive one waits for it.
 */
final class RangeLock {
    /** A hold to pass back to {@link #release}; the anonymous fast-path hold is this one shared instance. */
    static final class Hold {
        final long first;
        final long end;
        final boolean exclusive;

        Hold(long first, long end, boolean exclusive) {
            this.first = first;
            this.end = end;
            this.exclusive = exclusive;
        }

        boolean overlaps(long otherFirst, long otherEnd) {
            return Long.compareUnsigned(first, otherEnd) < 0 && Long.compareUnsigned(otherFirst, end) < 0;
        }
    }

    private static final Hold ANONYMOUS = new Hold(0, 0, false);

    private final LongAdder anonymous = new LongAdder();
    private final AtomicInteger exclusiveWanted = new AtomicInteger();
    private final List<Hold> registered = new ArrayList<>(); // guarded by this

    /** A shared hold on {@code [lba, lba + blocks)}; the range may be empty. */
    Hold shared(long lba, long blocks) {
        anonymous.increment();
        if (exclusiveWanted.get() == 0) {
            return ANONYMOUS;
        }
        anonymous.decrement();
        return register(lba, lba + Math.max(1, blocks), false);
    }

    /** An exclusive hold on {@code [lba, lba + blocks)}: no other hold overlapping it exists until it is released. */
    Hold exclusive(long lba, long blocks) {
        exclusiveWanted.incrementAndGet();
        try {
            for (int spins = 0; anonymous.sum() != 0; spins++) {
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
            return register(lba, lba + Math.max(1, blocks), true);
        } catch (RuntimeException | Error e) {
            exclusiveWanted.decrementAndGet();
            throw e;
        }
    }

    private synchronized Hold register(long first, long end, boolean exclusive) {
        boolean interrupted = false;
        while (conflicts(first, end, exclusive)) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Hold hold = new Hold(first, end, exclusive);
        registered.add(hold);
        return hold;
    }

    private boolean conflicts(long first, long end, boolean exclusive) {
        for (Hold h : registered) {
            if ((exclusive || h.exclusive) && h.overlaps(first, end)) {
                return true;
            }
        }
        return false;
    }

    void release(Hold hold) {
        if (hold == ANONYMOUS) {
            anonymous.decrement();
            return;
        }
        synchronized (this) {
            registered.remove(hold);
            notifyAll();
        }
        if (hold.exclusive) {
            exclusiveWanted.decrementAndGet();
        }
    }
}
