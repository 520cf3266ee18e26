package org.lunforge.backstore.rbd;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One librbd asynchronous operation in flight: librbd's callback (one upcall stub for every operation, on librbd's
 * own finisher thread) records the result and releases the completion; the thread that submitted it parks until
 * then. On a virtual thread (the disk's I/O threads) parking frees the carrier, so many operations are in flight at
 * once without an OS thread blocked in native code for each, as the synchronous librbd calls would.
 *
 * <p>The submitter always waits for the callback, even when interrupted: librbd reads or writes the task's buffers
 * (and the arena holding the iovecs and mismatch offset) until then, and they must not be freed before.
 */
final class RbdCompletion {
    private static final Map<Long, RbdCompletion> IN_FLIGHT = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong(1);
    static final MemorySegment UPCALL;

    static {
        try {
            UPCALL = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(RbdCompletion.class,
                    "onComplete", MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class)),
                    Librbd.AIO_CALLBACK, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long key;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long result;

    private RbdCompletion(long key) {
        this.key = key;
    }

    /** A new operation, known to the callback by its key (passed to librbd as the callback's argument). */
    static RbdCompletion start() {
        RbdCompletion c = new RbdCompletion(NEXT.getAndIncrement());
        IN_FLIGHT.put(c.key, c);
        return c;
    }

    MemorySegment argument() {
        return MemorySegment.ofAddress(key);
    }

    /** For an operation librbd refused at submission: its callback will never come. */
    void abandon() {
        IN_FLIGHT.remove(key);
    }

    /** Waits for the callback and returns librbd's result (bytes, or a negative errno). */
    long await() {
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // librbd still owns the buffers: keep waiting
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    /** rbd_callback_t. Never lets an exception reach native code. */
    private static void onComplete(MemorySegment completion, MemorySegment arg) {
        long rc;
        try {
            Librbd rbd = Librbd.load();
            rc = (long) rbd.aioGetReturnValue.invokeExact(completion);
            rbd.aioRelease.invokeExact(completion);
        } catch (Throwable t) {
            rc = -RbdErrno.EIO;
        }
        RbdCompletion c = IN_FLIGHT.remove(arg.address());
        if (c != null) {
            c.result = rc;
            c.done.countDown();
        }
    }
}
