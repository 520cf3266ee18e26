package org.lunforge.backstore.rbd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The librados calls: the connection an rbd store opens its image on (rados_create, the configuration, connect,
 * the pool's ioctx) and those the cluster-wide state of a logical unit makes on it (objects, guarded write operations,
 * watch/notify, advisory locks, blocklisting), bound through the FFM API to Debian's librados.so.2 (Ceph 16,
 * librados 3.0): no JNI, no JNA. As in {@link Librbd}, every call returns a negative errno on failure.
 *
 * <p>Object versions: {@code rados_get_last_version} reports the version the last operation on an ioctx saw, so an
 * ioctx whose version is read must not be shared with another thread's operations in between.
 */
final class Librados {
    /** {@code LIBRADOS_CREATE_EXCLUSIVE}: {@code rados_write_op_create} fails with -EEXIST if the object exists. */
    static final int CREATE_EXCLUSIVE = 1;
    /** {@code LOCK_FLAG_MAY_RENEW}: taking a lock this client already holds renews its duration. */
    static final byte LOCK_FLAG_MAY_RENEW = 1;
    static final int EEXIST = 17;
    static final int EBUSY = 16;
    /** {@code rados_write_op_assert_version}: the object is older (-ERANGE) or newer (-EOVERFLOW) than asserted. */
    static final int ERANGE = 34;
    static final int EOVERFLOW = 75;

    private static volatile Librados loaded;

    final MethodHandle create;
    final MethodHandle confReadFile;
    final MethodHandle confSet;
    final MethodHandle confGet;
    final MethodHandle connect;
    final MethodHandle shutdown;
    final MethodHandle ioctxCreate;
    final MethodHandle ioctxDestroy;
    final MethodHandle getInstanceId;
    final MethodHandle getAddrs;
    final MethodHandle blocklistAdd;
    final MethodHandle bufferFree;
    final MethodHandle read;
    final MethodHandle stat;
    final MethodHandle getLastVersion;
    final MethodHandle createWriteOp;
    final MethodHandle releaseWriteOp;
    final MethodHandle writeOpAssertVersion;
    final MethodHandle writeOpCreate;
    final MethodHandle writeOpWriteFull;
    final MethodHandle writeOpOperate;
    final MethodHandle watch2;
    final MethodHandle unwatch2;
    final MethodHandle watchCheck;
    final MethodHandle watchFlush;
    final MethodHandle notify2;
    final MethodHandle notifyAck;
    final MethodHandle lockExclusive;
    final MethodHandle lockShared;
    final MethodHandle unlock;
    final MethodHandle listLockers;
    final MethodHandle breakLock;

    /** {@code rados_watchcb2_t}: (arg, notify_id, handle, notifier_id, data, data_len). */
    static final FunctionDescriptor WATCH_CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, ADDRESS, JAVA_LONG);
    /** {@code rados_watcherrcb_t}: (arg, cookie, err). */
    static final FunctionDescriptor WATCH_ERROR_CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT);
    /** {@code struct timeval} on LP64: tv_sec, tv_usec, both long. */
    static final long TIMEVAL_SIZE = 16;

    private Librados(SymbolLookup rados) {
        Linker linker = Linker.nativeLinker();
        // int rados_create(rados_t *cluster, const char *id): id is the cephx user without "client."
        create = Librbd.bind(linker, rados, "rados_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        confReadFile = Librbd.bind(linker, rados, "rados_conf_read_file",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // int rados_conf_set(rados_t cluster, const char *option, const char *value)
        confSet = Librbd.bind(linker, rados, "rados_conf_set",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        // int rados_conf_get(rados_t cluster, const char *option, char *buf, size_t len)
        confGet = Librbd.bind(linker, rados, "rados_conf_get",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        connect = Librbd.bind(linker, rados, "rados_connect", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        shutdown = Librbd.bind(linker, rados, "rados_shutdown", FunctionDescriptor.ofVoid(ADDRESS));
        ioctxCreate = Librbd.bind(linker, rados, "rados_ioctx_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        ioctxDestroy = Librbd.bind(linker, rados, "rados_ioctx_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        // uint64_t rados_get_instance_id(rados_t cluster): the client's global id (client.<gid>)
        getInstanceId = Librbd.bind(linker, rados, "rados_get_instance_id", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        // int rados_getaddrs(rados_t cluster, char **addrs): free with rados_buffer_free
        getAddrs = Librbd.bind(linker, rados, "rados_getaddrs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // int rados_blocklist_add(rados_t cluster, char *client_address, uint32_t expire_seconds)
        blocklistAdd = Librbd.bind(linker, rados, "rados_blocklist_add",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        bufferFree = Librbd.bind(linker, rados, "rados_buffer_free", FunctionDescriptor.ofVoid(ADDRESS));
        // int rados_read(rados_ioctx_t io, const char *oid, char *buf, size_t len, uint64_t off)
        read = Librbd.bind(linker, rados, "rados_read",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG));
        // int rados_stat(rados_ioctx_t io, const char *o, uint64_t *psize, time_t *pmtime)
        stat = Librbd.bind(linker, rados, "rados_stat",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        getLastVersion = Librbd.bind(linker, rados, "rados_get_last_version",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        createWriteOp = Librbd.bind(linker, rados, "rados_create_write_op", FunctionDescriptor.of(ADDRESS));
        releaseWriteOp = Librbd.bind(linker, rados, "rados_release_write_op", FunctionDescriptor.ofVoid(ADDRESS));
        writeOpAssertVersion = Librbd.bind(linker, rados, "rados_write_op_assert_version",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
        // void rados_write_op_create(rados_write_op_t, int exclusive, const char *category)
        writeOpCreate = Librbd.bind(linker, rados, "rados_write_op_create",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS));
        // void rados_write_op_write_full(rados_write_op_t, const char *buffer, size_t len)
        writeOpWriteFull = Librbd.bind(linker, rados, "rados_write_op_write_full",
                FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG));
        // int rados_write_op_operate(rados_write_op_t, rados_ioctx_t, const char *oid, time_t *mtime, int flags)
        writeOpOperate = Librbd.bind(linker, rados, "rados_write_op_operate",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        // int rados_watch2(rados_ioctx_t, const char *o, uint64_t *cookie, rados_watchcb2_t, rados_watcherrcb_t,
        //                  void *arg)
        watch2 = Librbd.bind(linker, rados, "rados_watch2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        unwatch2 = Librbd.bind(linker, rados, "rados_unwatch2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        // int rados_watch_check(rados_ioctx_t, uint64_t cookie): ms since the watch was last confirmed, or -errno
        watchCheck = Librbd.bind(linker, rados, "rados_watch_check",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        watchFlush = Librbd.bind(linker, rados, "rados_watch_flush", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // int rados_notify2(rados_ioctx_t, const char *o, const char *buf, int buf_len, uint64_t timeout_ms,
        //                   char **reply_buffer, size_t *reply_buffer_len)
        notify2 = Librbd.bind(linker, rados, "rados_notify2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
        // int rados_notify_ack(rados_ioctx_t, const char *o, uint64_t notify_id, uint64_t cookie, const char *buf,
        //                      int buf_len)
        notifyAck = Librbd.bind(linker, rados, "rados_notify_ack", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT));
        // int rados_lock_exclusive(rados_ioctx_t, const char *oid, const char *name, const char *cookie,
        //                          const char *desc, struct timeval *duration, uint8_t flags)
        lockExclusive = Librbd.bind(linker, rados, "rados_lock_exclusive", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_BYTE));
        // int rados_lock_shared(rados_ioctx_t, const char *o, const char *name, const char *cookie, const char *tag,
        //                       const char *desc, struct timeval *duration, uint8_t flags)
        lockShared = Librbd.bind(linker, rados, "rados_lock_shared", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_BYTE));
        unlock = Librbd.bind(linker, rados, "rados_unlock",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        // ssize_t rados_list_lockers(rados_ioctx_t, const char *o, const char *name, int *exclusive, char *tag,
        //     size_t *tag_len, char *clients, size_t *clients_len, char *cookies, size_t *cookies_len, char *addrs,
        //     size_t *addrs_len)
        listLockers = Librbd.bind(linker, rados, "rados_list_lockers", FunctionDescriptor.of(JAVA_LONG, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        // int rados_break_lock(rados_ioctx_t, const char *o, const char *name, const char *client,
        //                      const char *cookie)
        breakLock = Librbd.bind(linker, rados, "rados_break_lock",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    }

    /** The bound library, loaded on first use; throws {@link UnsatisfiedLinkError} if it is not installed. */
    static Librados load() {
        Librados l = loaded;
        if (l == null) {
            synchronized (Librados.class) {
                l = loaded;
                if (l == null) {
                    try {
                        l = new Librados(SymbolLookup.libraryLookup("librados.so.2", Arena.global()));
                    } catch (IllegalArgumentException e) {
                        UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                                "librados.so.2 not found (Debian: apt install librados2)");
                        error.initCause(e);
                        throw error;
                    }
                    loaded = l;
                }
            }
        }
        return l;
    }
}
