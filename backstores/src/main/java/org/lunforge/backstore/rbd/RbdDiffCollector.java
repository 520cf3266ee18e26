package org.lunforge.backstore.rbd;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * rbd_diff_iterate2's callback: one upcall stub for every store, finding the caller's list by the key passed as
 * the callback's argument. librbd may call it from its own threads; an exception must never reach native code.
 */
final class RbdDiffCollector {
    private static final AtomicLong NEXT = new AtomicLong(1);
    private static final Map<Long, List<long[]>> BY_KEY = new ConcurrentHashMap<>();
    static final MemorySegment UPCALL;

    static {
        try {
            UPCALL = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(
                    RbdDiffCollector.class, "onExtent", MethodType.methodType(int.class, long.class, long.class,
                            int.class, MemorySegment.class)), Librbd.DIFF_CALLBACK, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private RbdDiffCollector() {
    }

    static long register(List<long[]> extents) {
        long key = NEXT.getAndIncrement();
        BY_KEY.put(key, extents);
        return key;
    }

    static void unregister(long key) {
        BY_KEY.remove(key);
    }

    private static int onExtent(long offset, long length, int exists, MemorySegment arg) {
        try {
            List<long[]> extents = BY_KEY.get(arg.address());
            if (extents != null) {
                synchronized (extents) {
                    extents.add(new long[] {offset, length, exists});
                }
            }
            return 0;
        } catch (Throwable t) {
            return -RbdErrno.EIO;
        }
    }
}
