package org.lunforge.backstore.rbd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.invoke.MethodType.methodType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RadosObject} through librados, on the connection ({@code rados_t}) of the rbd image it belongs to: fencing
 * this client then also stops its image writes, which is the point.
 *
 * <p>Every client watching the object also holds a shared advisory lock on it ({@value #LOCK_NAME}), so that
 * {@code rados_list_lockers} tells the address to blocklist for a client id that did not acknowledge a notify (librados
 * has no C call that lists watchers).
 *
 * <p>Two ioctxs: {@code io} for reads and guarded writes, whose object version {@code rados_get_last_version}
 * reports only while nothing else uses the ioctx (so they run one at a time under {@code this}); {@code watchIo} for
 * the watch, its acknowledgements and notifies.
 */
final class LibradosObject implements RadosObject {
    private static final System.Logger LOG = System.getLogger(LibradosObject.class.getName());
    static final String LOCK_NAME = "lunforge.nodes";
    private static final String LOCK_COOKIE = "node";
    /** The largest value read: 1024 registrations of an iSCSI name (223 bytes) and a key each fit well within. */
    static final int MAX_VALUE = 1 << 20;
    private static final int ETIMEDOUT = 110;
    private static final MethodHandle NOTIFIED;
    private static final MethodHandle WATCH_ERROR;

    static {
        try {
            NOTIFIED = MethodHandles.lookup().findVirtual(LibradosObject.class, "notified", methodType(void.class,
                    MemorySegment.class, long.class, long.class, long.class, MemorySegment.class, long.class));
            WATCH_ERROR = MethodHandles.lookup().findVirtual(LibradosObject.class, "watchError",
                    methodType(void.class, MemorySegment.class, long.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Librados rados;
    private final MemorySegment cluster;
    private final String oid;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment oidC;
    private final MemorySegment io;
    private final MemorySegment watchIo;
    private final MemorySegment readBuffer;
    private final long clientId;
    private volatile Watcher watcher;
    /**
     * The watch this object holds, 0 for none. librados's cookie is the address of the watch's state, which
     * rados_unwatch2 frees: a cookie is unwatched once, and then this is 0 (guarded by this object's lock).
     */
    private long cookie;
    private volatile boolean closed;

    /** Opens the object's ioctxs in {@code pool} on an already connected cluster handle. */
    LibradosObject(MemorySegment cluster, String pool, String oid) throws IOException {
        this.rados = Librados.load();
        this.cluster = cluster;
        this.oid = oid;
        this.oidC = arena.allocateFrom(oid);
        try {
            MemorySegment handle = arena.allocate(ADDRESS);
            check("rados_ioctx_create " + pool, (int) rados.ioctxCreate.invokeExact(cluster,
                    arena.allocateFrom(pool), handle));
            this.io = handle.get(ADDRESS, 0);
            check("rados_ioctx_create " + pool, (int) rados.ioctxCreate.invokeExact(cluster,
                    arena.allocateFrom(pool), handle));
            this.watchIo = handle.get(ADDRESS, 0);
            this.clientId = (long) rados.getInstanceId.invokeExact(cluster);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new AssertionError(t);
        }
        this.readBuffer = arena.allocate(MAX_VALUE);
    }

    @Override
    public long clientId() {
        return clientId;
    }

    @Override
    public synchronized Versioned read() throws IOException {
        try {
            int rc = (int) rados.read.invokeExact(io, oidC, readBuffer, (long) MAX_VALUE, 0L);
            if (rc == -RbdErrno.ENOENT) {
                return new Versioned(null, 0);
            }
            check("rados_read " + oid, rc);
            if (rc >= MAX_VALUE) {
                throw new IOException(oid + " holds more than " + MAX_VALUE + " bytes");
            }
            long version = (long) rados.getLastVersion.invokeExact(io);
            return new Versioned(readBuffer.asSlice(0, rc).toArray(JAVA_BYTE), version);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public synchronized long writeIfUnchanged(long version, byte[] value) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment op = (MemorySegment) rados.createWriteOp.invokeExact();
            try {
                if (version == 0) {
                    rados.writeOpCreate.invokeExact(op, Librados.CREATE_EXCLUSIVE, MemorySegment.NULL);
                } else {
                    rados.writeOpAssertVersion.invokeExact(op, version);
                }
                MemorySegment data = call.allocate(Math.max(1, value.length));
                MemorySegment.copy(value, 0, data, JAVA_BYTE, 0, value.length);
                rados.writeOpWriteFull.invokeExact(op, data, (long) value.length);
                int rc = (int) rados.writeOpOperate.invokeExact(op, io, oidC, MemorySegment.NULL, 0);
                if (rc == -Librados.ERANGE || rc == -Librados.EOVERFLOW || rc == -Librados.EEXIST) {
                    return -1;
                }
                check("rados_write_op_operate " + oid, rc);
                return (long) rados.getLastVersion.invokeExact(io);
            } finally {
                rados.releaseWriteOp.invokeExact(op);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public List<Long> notify(byte[] payload, long timeoutMillis) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buf = call.allocate(Math.max(1, payload.length));
            MemorySegment.copy(payload, 0, buf, JAVA_BYTE, 0, payload.length);
            MemorySegment reply = call.allocate(ADDRESS);
            MemorySegment replyLength = call.allocate(JAVA_LONG);
            int rc = (int) rados.notify2.invokeExact(watchIo, oidC, buf, payload.length, timeoutMillis, reply,
                    replyLength);
            MemorySegment replyBuffer = reply.get(ADDRESS, 0);
            try {
                if (rc < 0 && rc != -ETIMEDOUT) {
                    check("rados_notify2 " + oid, rc);
                }
                if (replyBuffer.equals(MemorySegment.NULL)) {
                    if (rc == -ETIMEDOUT) {
                        throw new IOException("rados_notify2 " + oid + ": timed out with no reply to tell who");
                    }
                    return List.of();
                }
                long length = replyLength.get(JAVA_LONG, 0);
                return timeouts(replyBuffer.reinterpret(length));
            } finally {
                if (!replyBuffer.equals(MemorySegment.NULL)) {
                    rados.bufferFree.invokeExact(replyBuffer);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The client ids in a notify reply's timeouts (librados.h, rados_notify2): le32 acks, each {le64 gid, le64
     * cookie, le32 length, payload}; then le32 timeouts, each {le64 gid, le64 cookie}.
     */
    static List<Long> timeouts(MemorySegment reply) throws IOException {
        var le32 = JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).withByteAlignment(1);
        var le64 = JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).withByteAlignment(1);
        try {
            long at = 0;
            int acks = reply.get(le32, at);
            at += 4;
            for (int i = 0; i < acks; i++) {
                at += 16;
                at += 4 + Integer.toUnsignedLong(reply.get(le32, at));
            }
            int count = reply.get(le32, at);
            at += 4;
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(reply.get(le64, at));
                at += 16;
            }
            return ids;
        } catch (IndexOutOfBoundsException e) {
            throw new IOException("malformed notify reply", e);
        }
    }

    @Override
    public void fence(long client) throws IOException {
        String name = "client." + client;
        Locker locker = null;
        for (Locker l : lockers()) {
            if (l.client().equals(name)) {
                locker = l;
            }
        }
        if (locker == null) {
            throw new IOException(oid + ": " + name + " holds no " + LOCK_NAME + " lock: its address is unknown");
        }
        try (Arena call = Arena.ofConfined()) {
            int rc = (int) rados.blocklistAdd.invokeExact(cluster, call.allocateFrom(locker.address()), 0);
            check("rados_blocklist_add " + locker.address(), rc);
            int broken = (int) rados.breakLock.invokeExact(io, oidC, call.allocateFrom(LOCK_NAME),
                    call.allocateFrom(name), call.allocateFrom(locker.cookie()));
            if (broken < 0 && broken != -RbdErrno.ENOENT) {
                LOG.log(System.Logger.Level.WARNING, () -> oid + ": breaking " + name + "'s lock: "
                        + RbdErrno.name(broken));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** One holder of the shared lock: its client name ({@code client.<id>}), cookie and address. */
    record Locker(String client, String cookie, String address) {
    }

    List<Locker> lockers() throws IOException {
        return lockers(LOCK_NAME);
    }

    /** The holder of lease {@code name} last seen that is not this client: fenced before this client takes over. */
    private volatile Locker lastForeignHolder;
    private static final String LEASE_COOKIE = "lease";

    @Override
    public boolean lease(String name, int seconds, boolean fence) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment duration = call.allocate(Librados.TIMEVAL_SIZE);
            duration.set(JAVA_LONG, 0, seconds);
            duration.set(JAVA_LONG, 8, 0);
            int rc;
            synchronized (this) {
                rc = (int) rados.lockExclusive.invokeExact(io, oidC, call.allocateFrom(name),
                        call.allocateFrom(LEASE_COOKIE), call.allocateFrom("lunforged"), duration,
                        Librados.LOCK_FLAG_MAY_RENEW);
            }
            if (rc == -Librados.EBUSY) {
                leaseHeld(name); // remembers the holder, to fence it should its lease lapse
                return false;
            }
            if (rc != -Librados.EEXIST) {
                check("rados_lock_exclusive " + oid + " " + name, rc);
            }
            Locker previous = lastForeignHolder;
            if (previous != null && fence) {
                // The previous holder's lease lapsed: it may only be stopped or cut off, and come back with writes.
                LOG.log(System.Logger.Level.WARNING, () -> oid + ": " + previous.client() + " let lease " + name
                        + " lapse: blocklisting " + previous.address());
                rc = (int) rados.blocklistAdd.invokeExact(cluster, call.allocateFrom(previous.address()), 0);
                if (rc < 0) {
                    int failed = rc;
                    dropLease(name); // not fenced: not safe to serve as the active node
                    throw new IOException("rados_blocklist_add " + previous.address() + ": " + RbdErrno.name(failed));
                }
            }
            lastForeignHolder = null;
            return true;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public boolean leaseHeld(String name) throws IOException {
        List<Locker> holders = lockers(name);
        for (Locker l : holders) {
            if (!l.client().equals("client." + clientId)) {
                lastForeignHolder = l;
            }
        }
        return !holders.isEmpty();
    }

    @Override
    public void dropLease(String name) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            int rc;
            synchronized (this) {
                rc = (int) rados.unlock.invokeExact(io, oidC, call.allocateFrom(name), call.allocateFrom(LEASE_COOKIE));
            }
            if (rc != -RbdErrno.ENOENT) {
                check("rados_unlock " + oid + " " + name, rc);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    List<Locker> lockers(String lockName) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            long size = 64 * 1024;
            MemorySegment exclusive = call.allocate(JAVA_INT);
            MemorySegment tag = call.allocate(256);
            MemorySegment tagLength = call.allocate(JAVA_LONG);
            MemorySegment clients = call.allocate(size);
            MemorySegment clientsLength = call.allocate(JAVA_LONG);
            MemorySegment cookies = call.allocate(size);
            MemorySegment cookiesLength = call.allocate(JAVA_LONG);
            MemorySegment addrs = call.allocate(size);
            MemorySegment addrsLength = call.allocate(JAVA_LONG);
            tagLength.set(JAVA_LONG, 0, 256);
            clientsLength.set(JAVA_LONG, 0, size);
            cookiesLength.set(JAVA_LONG, 0, size);
            addrsLength.set(JAVA_LONG, 0, size);
            long count;
            synchronized (this) {
                count = (long) rados.listLockers.invokeExact(io, oidC, call.allocateFrom(lockName), exclusive,
                        tag, tagLength, clients, clientsLength, cookies, cookiesLength, addrs, addrsLength);
            }
            check("rados_list_lockers " + oid, (int) count);
            List<String> c = strings(clients, count), k = strings(cookies, count), a = strings(addrs, count);
            List<Locker> list = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                list.add(new Locker(c.get(i), k.get(i), a.get(i)));
            }
            return list;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static List<String> strings(MemorySegment nulSeparated, long count) {
        List<String> list = new ArrayList<>();
        long at = 0;
        for (long i = 0; i < count; i++) {
            String s = nulSeparated.getString(at, StandardCharsets.UTF_8);
            list.add(s);
            at += s.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return list;
    }

    @Override
    public void watch(Watcher w) throws IOException {
        this.watcher = w;
        try (Arena call = Arena.ofConfined()) {
            int rc = (int) rados.lockShared.invokeExact(io, oidC, call.allocateFrom(LOCK_NAME),
                    call.allocateFrom(LOCK_COOKIE), call.allocateFrom("lunforge"), call.allocateFrom("lunforged"),
                    MemorySegment.NULL, (byte) 0);
            if (rc != -Librados.EEXIST) {
                check("rados_lock_shared " + oid, rc);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        startWatch();
    }

    private MemorySegment notifiedStub;
    private MemorySegment errorStub;

    private synchronized void startWatch() throws IOException {
        if (closed) {
            throw new IOException(oid + " is closed");
        }
        if (notifiedStub == null) {
            Linker linker = Linker.nativeLinker();
            notifiedStub = linker.upcallStub(NOTIFIED.bindTo(this), Librados.WATCH_CALLBACK, arena);
            errorStub = linker.upcallStub(WATCH_ERROR.bindTo(this), Librados.WATCH_ERROR_CALLBACK, arena);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment c = call.allocate(JAVA_LONG);
            int rc = (int) rados.watch2.invokeExact(watchIo, oidC, c, notifiedStub, errorStub, MemorySegment.NULL);
            check("rados_watch2 " + oid, rc);
            cookie = c.get(JAVA_LONG, 0);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** librados's watch callback: hand the payload on, then acknowledge. Never throws into native code. */
    private void notified(MemorySegment arg, long notifyId, long handle, long notifierId, MemorySegment data,
                          long length) {
        try {
            byte[] payload = length == 0 ? new byte[0] : data.reinterpret(length).toArray(JAVA_BYTE);
            Watcher w = watcher;
            if (w != null && !closed) {
                w.notified(notifierId, payload);
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, () -> oid + ": a notify failed here", t);
        }
        try {
            int rc = (int) rados.notifyAck.invokeExact(watchIo, oidC, notifyId, handle, MemorySegment.NULL, 0);
            if (rc < 0) {
                LOG.log(System.Logger.Level.WARNING, () -> oid + ": rados_notify_ack: " + RbdErrno.name(rc));
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, () -> oid + ": rados_notify_ack failed", t);
        }
    }

    /**
     * librados's watch error callback: the watch lapsed (a lost connection; or this client was blocklisted, and then
     * nothing it does succeeds again). Watches again off librados's thread, and tells the watcher, which must read
     * what it may have missed.
     */
    private void watchError(MemorySegment arg, long errCookie, int err) {
        LOG.log(System.Logger.Level.WARNING, () -> oid + ": watch lost: " + RbdErrno.name(err));
        Thread.ofVirtual().name("rewatch-" + oid).start(() -> {
            for (int attempt = 0; !closed && attempt < 30; attempt++) {
                try {
                    endWatch(errCookie); // once: a later attempt finds it ended
                    startWatch();
                    Watcher w = watcher;
                    if (w != null) {
                        w.rewatched();
                    }
                    return;
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, () -> oid + ": watching again: " + e.getMessage());
                    if (err == -RbdErrno.EBLOCKLISTED || e.getMessage().contains("blocklisted")) {
                        return; // fenced: this client never watches again; the daemon must restart to rejoin
                    }
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.WARNING, () -> oid + ": watching again failed", t);
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Ends the watch {@code which} if it is still this object's; a watch ended already is left alone. */
    private synchronized void endWatch(long which) throws Throwable {
        if (which != 0 && cookie == which) {
            cookie = 0;
            int rc = (int) rados.unwatch2.invokeExact(watchIo, which);
        }
    }

    @Override
    public void close() {
        synchronized (this) { // after this no watch starts (startWatch holds the same lock)
            if (closed) {
                return;
            }
            closed = true;
        }
        try (Arena call = Arena.ofConfined()) {
            long current;
            synchronized (this) {
                current = cookie;
            }
            if (current != 0) {
                endWatch(current);
                int rc = (int) rados.watchFlush.invokeExact(cluster);
            }
            int rc = (int) rados.unlock.invokeExact(io, oidC, call.allocateFrom(LOCK_NAME),
                    call.allocateFrom(LOCK_COOKIE));
            rados.ioctxDestroy.invokeExact(watchIo);
            rados.ioctxDestroy.invokeExact(io);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, () -> oid + ": closing", t);
        }
        arena.close();
    }

    private void check(String call, int rc) throws IOException {
        if (rc < 0) {
            throw new IOException(call + ": " + RbdErrno.name(rc));
        }
    }
}
