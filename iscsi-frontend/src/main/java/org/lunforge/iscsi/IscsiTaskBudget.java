package org.lunforge.iscsi;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tasks all sessions of the daemon may hold together ({@link IscsiServerOptions#serverTasks()}): each task the
 * session handlers keep takes one until it leaves their task table. When none is left, new commands are answered
 * BUSY (SAM-5 5.3.1), so a flood on many sessions costs a fixed amount of memory, never more.
 *
 * <p>Threads: taken and given back on every session's event loop; lock-free.
 */
final class IscsiTaskBudget {
    private final int size;
    private final AtomicInteger inUse = new AtomicInteger();

    IscsiTaskBudget(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("task budget " + size);
        }
        this.size = size;
    }

    /** Takes one task's share; false when the budget is spent. */
    boolean tryTake() {
        for (int n = inUse.get(); n < size; n = inUse.get()) {
            if (inUse.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives back one share taken by {@link #tryTake}. */
    void giveBack() {
        if (inUse.decrementAndGet() < 0) {
            inUse.incrementAndGet();
            throw new IllegalStateException("task budget given back more often than taken");
        }
    }

    int inUse() {
        return inUse.get();
    }

    int size() {
        return size;
    }
}
