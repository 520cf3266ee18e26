package org.lunforge.iscsi;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/** Holds what a device would run later, until the test lets it run: tasks stay "in the device" meanwhile. */
final class ManualExecutor implements Executor {
    private final Queue<Runnable> queue = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable command) {
        queue.add(command);
    }

    synchronized int size() {
        return queue.size();
    }

    /** Runs everything held so far. */
    void runAll() {
        for (Runnable r; (r = poll()) != null; ) {
            r.run();
        }
    }

    private synchronized Runnable poll() {
        return queue.poll();
    }
}
