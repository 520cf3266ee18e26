package org.lunforge.backstore.rbd;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An open image's update watch (rbd_update_watch): librbd calls it, on its own thread, whenever the image's header
 * changes (a resize by {@code rbd resize} or another client, a snapshot, a lock handed over), so a resize is learnt
 * when it happens, without polling. The callback does nothing but hand over to a virtual thread: the listener
 * re-reads the size (rbd_get_size refreshes the image), which must not run on librbd's thread.
 *
 * <p>Notifications coalesce: while one is waiting to run, another adds nothing, since the run that follows reads the
 * header as it is then. Runs are one at a time, so an older size read never overwrites a newer one.
 */
final class RbdUpdateWatch {
    private static final System.Logger LOG = System.getLogger(RbdUpdateWatch.class.getName());
    private static final Map<Long, RbdUpdateWatch> WATCHING = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong(1);
    static final MemorySegment UPCALL;

    static {
        try {
            UPCALL = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(RbdUpdateWatch.class,
                    "onUpdate", MethodType.methodType(void.class, MemorySegment.class)),
                    Librbd.UPDATE_CALLBACK, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long key;
    private final String image;
    /** A run is started and has not yet begun reading. */
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ReentrantLock running = new ReentrantLock();
    private volatile Runnable listener;
    /** librbd's handle of the watch, for rbd_update_unwatch. */
    private long handle;

    private RbdUpdateWatch(long key, String image) {
        this.key = key;
        this.image = image;
    }

    /** Registers a watch on the open {@code imageHandle}; {@code image} names it in log messages. */
    static RbdUpdateWatch register(Librbd rbd, MemorySegment imageHandle, String image) throws IOException {
        RbdUpdateWatch w = new RbdUpdateWatch(NEXT.getAndIncrement(), image);
        WATCHING.put(w.key, w);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(JAVA_LONG);
            int rc = (int) rbd.updateWatch.invokeExact(imageHandle, handle, UPCALL, MemorySegment.ofAddress(w.key));
            if (rc < 0) {
                WATCHING.remove(w.key);
                throw new IOException(image + ": rbd_update_watch: " + RbdErrno.name(rc));
            }
            w.handle = handle.get(JAVA_LONG, 0);
            return w;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            WATCHING.remove(w.key);
            throw new IllegalStateException(t);
        }
    }

    /** Who hears of the changes from now on (one listener; null for none). */
    void listen(Runnable sizeMayHaveChanged) {
        listener = sizeMayHaveChanged;
    }

    /** rbd_update_unwatch: librbd waits for a callback in progress, which only starts a thread. */
    void unregister(Librbd rbd, MemorySegment imageHandle) {
        WATCHING.remove(key);
        listener = null;
        try {
            int rc = (int) rbd.updateUnwatch.invokeExact(imageHandle, handle);
            if (rc < 0) {
                LOG.log(System.Logger.Level.WARNING, image + ": rbd_update_unwatch: " + RbdErrno.name(rc));
            }
        } catch (Throwable t) {
            throw new IllegalStateException("rbd_update_unwatch", t);
        }
    }

    /** rbd_update_callback_t, on librbd's thread. Never lets an exception reach native code. */
    private static void onUpdate(MemorySegment arg) {
        try {
            RbdUpdateWatch w = WATCHING.get(arg.address());
            if (w != null && w.listener != null && w.pending.compareAndSet(false, true)) {
                Thread.ofVirtual().name("rbd-update-" + w.image).start(w::run);
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "rbd update callback", t);
        }
    }

    private void run() {
        running.lock();
        try {
            pending.set(false); // a notification from now on starts another run, which reads after this one
            Runnable l = listener;
            if (l != null) {
                l.run();
            }
        } catch (RuntimeException e) {
            if (listener != null) { // else the store closed meanwhile: nothing to tell
                LOG.log(System.Logger.Level.WARNING, image + ": after a header update: " + e.getMessage());
            }
        } finally {
            running.unlock();
        }
    }
}
