package org.lunforge.backstore.rbd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The librbd calls an rbd store makes, bound through the FFM API to Debian's librbd.so.1 (Ceph 16, librbd 1.16): no
 * JNI, no JNA. The connection an image is opened on (rados_t, rados_ioctx_t) is {@link Librados}'s: each call is
 * bound once. Every call returns a negative errno on failure (librados and librbd report errors that way, not through
 * errno), which {@link RbdErrno} classifies.
 *
 * <p>Handles ({@code rados_t}, {@code rados_ioctx_t}, {@code rbd_image_t}) are opaque pointers. Data buffers are
 * passed as the caller's own native segments: librbd reads into and writes from them directly.
 *
 * <p>{@link #load()} fails with {@link UnsatisfiedLinkError} when the library is not installed; nothing here is
 * touched before an rbd store is opened, so a daemon without Ceph's libraries serves its other stores as before.
 */
final class Librbd {
    /** {@code sizeof(rbd_image_info_t)} on LP64: three uint64, an int, char[24], int64 (8-aligned), char[96]. */
    static final long IMAGE_INFO_SIZE = 160;
    /** {@code rbd_image_info_t.obj_size}. */
    static final long IMAGE_INFO_OBJ_SIZE = 8;

    private static volatile Librbd loaded;

    final MethodHandle open;
    final MethodHandle openReadOnly;
    final MethodHandle close;
    final MethodHandle getSize;
    final MethodHandle getId;
    final MethodHandle stat;
    final MethodHandle flush;
    final MethodHandle diffIterate2;
    final MethodHandle aioCreateCompletion;
    final MethodHandle aioRelease;
    final MethodHandle aioGetReturnValue;
    final MethodHandle aioReadv;
    final MethodHandle aioWritev;
    final MethodHandle aioFlush;
    final MethodHandle aioWriteZeroes;
    final MethodHandle aioCompareAndWrite;
    final MethodHandle aioWriteSame;
    final MethodHandle updateWatch;
    final MethodHandle updateUnwatch;

    private Librbd(SymbolLookup rbd) {
        Linker linker = Linker.nativeLinker();
        // int rbd_open(rados_ioctx_t io, const char *name, rbd_image_t *image, const char *snap_name)
        open = bind(linker, rbd, "rbd_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        openReadOnly = bind(linker, rbd, "rbd_open_read_only",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        close = bind(linker, rbd, "rbd_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getSize = bind(linker, rbd, "rbd_get_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // int rbd_get_id(rbd_image_t image, char *id, size_t id_len)
        getId = bind(linker, rbd, "rbd_get_id", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        stat = bind(linker, rbd, "rbd_stat", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        flush = bind(linker, rbd, "rbd_flush", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // int rbd_diff_iterate2(rbd_image_t, const char *fromsnapname, uint64_t ofs, uint64_t len,
        //                       uint8_t include_parent, uint8_t whole_object,
        //                       int (*cb)(uint64_t, size_t, int, void *), void *arg)
        diffIterate2 = bind(linker, rbd, "rbd_diff_iterate2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                JAVA_LONG, JAVA_LONG, JAVA_BYTE, JAVA_BYTE, ADDRESS, ADDRESS));
        // int rbd_aio_create_completion(void *cb_arg, rbd_callback_t complete_cb, rbd_completion_t *c)
        aioCreateCompletion = bind(linker, rbd, "rbd_aio_create_completion",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        aioRelease = bind(linker, rbd, "rbd_aio_release", FunctionDescriptor.ofVoid(ADDRESS));
        aioGetReturnValue = bind(linker, rbd, "rbd_aio_get_return_value", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        // int rbd_aio_readv(rbd_image_t, const struct iovec *iov, int iovcnt, uint64_t off, rbd_completion_t c)
        aioReadv = bind(linker, rbd, "rbd_aio_readv",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
        aioWritev = bind(linker, rbd, "rbd_aio_writev",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
        aioFlush = bind(linker, rbd, "rbd_aio_flush", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // int rbd_aio_write_zeroes(rbd_image_t, uint64_t off, size_t len, rbd_completion_t c, int zero_flags,
        //                          int op_flags)
        aioWriteZeroes = bind(linker, rbd, "rbd_aio_write_zeroes",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT));
        // ssize_t rbd_aio_compare_and_write(rbd_image_t, uint64_t off, size_t len, const char *cmp_buf,
        //                                   const char *buf, rbd_completion_t c, uint64_t *mismatch_off, int op_flags)
        aioCompareAndWrite = bind(linker, rbd, "rbd_aio_compare_and_write", FunctionDescriptor.of(JAVA_LONG, ADDRESS,
                JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        // int rbd_aio_writesame(rbd_image_t, uint64_t off, size_t len, const char *buf, size_t data_len,
        //                       rbd_completion_t c, int op_flags)
        aioWriteSame = bind(linker, rbd, "rbd_aio_writesame", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG,
                JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT));
        // int rbd_update_watch(rbd_image_t, uint64_t *handle, rbd_update_callback_t watch_cb, void *arg)
        updateWatch = bind(linker, rbd, "rbd_update_watch",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        // int rbd_update_unwatch(rbd_image_t, uint64_t handle)
        updateUnwatch = bind(linker, rbd, "rbd_update_unwatch", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    /** The upcall signature of {@code rbd_update_callback_t}: {@code void (*)(void *arg)}. */
    static final FunctionDescriptor UPDATE_CALLBACK = FunctionDescriptor.ofVoid(ADDRESS);
    /** The upcall signature of {@code rbd_callback_t}: {@code void (*)(rbd_completion_t cb, void *arg)}. */
    static final FunctionDescriptor AIO_CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS);
    /** {@code struct iovec}: a base pointer and a length, 16 bytes on LP64. */
    static final long IOVEC_SIZE = 16;
    /** librbd refuses more iovecs than IOV_MAX in one call. */
    static final int IOV_MAX = 1024;

    /** The bound libraries, loaded on first use; throws {@link UnsatisfiedLinkError} if they are not installed. */
    static Librbd load() {
        Librbd l = loaded;
        if (l == null) {
            synchronized (Librbd.class) {
                l = loaded;
                if (l == null) {
                    try {
                        l = new Librbd(SymbolLookup.libraryLookup("librbd.so.1", Arena.global()));
                    } catch (IllegalArgumentException e) {
                        UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                                "librbd.so.1 not found (Debian: apt install librbd1)");
                        error.initCause(e);
                        throw error;
                    }
                    loaded = l;
                }
            }
        }
        return l;
    }

    /** A downcall to {@code name} in {@code library} (librados or librbd), or the link error naming it. */
    static MethodHandle bind(Linker linker, SymbolLookup library, String name, FunctionDescriptor d) {
        MemorySegment symbol = library.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError(name + " is not in the installed librados/librbd"));
        return linker.downcallHandle(symbol, d);
    }

    /** The upcall signature of {@code rbd_diff_iterate2}'s callback. */
    static final FunctionDescriptor DIFF_CALLBACK = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT,
            ADDRESS);
}
