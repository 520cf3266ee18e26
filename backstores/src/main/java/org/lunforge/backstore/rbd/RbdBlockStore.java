package org.lunforge.backstore.rbd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.BlockStoreException;
import org.lunforge.backstore.Extent;
import org.lunforge.backstore.StoreOutcome;
import org.lunforge.backstore.rbd.RbdErrno.Direction;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.StateStore;

/**
 * A Ceph RBD image as a block store, through librbd (Debian's librbd1) bound with the FFM API.
 *
 * <p>Data path. A task's native segments (the TCMU data area, Netty's direct buffers) are handed to librbd as they
 * are: librbd reads into them and writes from them. A heap segment (parameter data the emulation built, a test's
 * array) cannot be handed to native code, so such a list goes through one native buffer of a confined arena: one
 * copy, the only one, and only for heap data.
 *
 * <p>Atomicity. COMPARE AND WRITE is librbd's own compare-and-write, executed by the OSD holding the object, so it is
 * atomic against writes from any client of the image, other lunforge nodes included. librbd 1.16 does that only for a
 * range within one 512-byte sector (one logical block of 512 bytes: what VMware's ATS and cluster file systems send);
 * a longer range falls back to read, compare and write under the device's exclusive range hold, atomic on this node
 * only.
 *
 * <p>Provisioning. An unmap is rbd_write_zeroes without the thick-provision flag: librbd discards the range exactly
 * (rbd_discard would skip the parts smaller than rbd_discard_granularity_bytes, at least 4 KiB, and leave their data),
 * so an unmapped range reads as zeros (LBPRZ) and an object wholly inside it is deleted. Allocation is known per
 * object (rbd_diff_iterate2 in whole-object mode): the allocation unit is the image's object size, and a partly
 * discarded object stays mapped.
 *
 * <p>I/O is librbd's asynchronous calls (rbd_aio_readv/writev/flush/write_zeroes/writesame/compare_and_write): the
 * calling thread submits, then parks until librbd's callback completes the operation ({@link RbdCompletion}). The
 * disk calls from its virtual I/O threads ({@link #mayBlock()}), so parking frees the carrier and many commands are
 * in flight at once, where librbd's synchronous calls would hold an OS thread each inside native code. A list of
 * several native segments (a command's Data-Out over several PDUs) goes to librbd in one call, as an iovec array.
 *
 * <p>Size. The open image carries an update watch (rbd_update_watch, {@link RbdUpdateWatch}): a resize by any client
 * reaches the disk through {@link #watchSize} at once, and the disk re-reads the size (rbd_get_size) and establishes
 * CAPACITY DATA HAS CHANGED; nothing polls. The watch ends before the image closes.
 *
 * <p>Calls after {@link #close()} fail with UNAVAILABLE; close waits for calls in progress.
 */
public final class RbdBlockStore implements BlockStore {
    private static final System.Logger LOG = System.getLogger(RbdBlockStore.class.getName());

    /**
     * What a connection to an image several nodes serve is given before rados_connect (set here, they override
     * ceph.conf):
     * <ul>
     *   <li>{@code rbd_cache=false}: librbd's write-back cache keeps acknowledged writes in this process; with two
     *       nodes writing one image a write acknowledged by one could still sit in its cache when the other reads,
     *       or be lost when this node is fenced after acknowledging it. Every write then goes to the OSDs before it
     *       is acknowledged (FUA and SYNCHRONIZE CACHE cost nothing more).</li>
     *   <li>{@code rados_osd_op_timeout} and {@code rados_mon_op_timeout} 30 s (Ceph's default: none, a call waits
     *       for ever): a node cut off from the cluster gets its lease renewal back as ETIMEDOUT and reports its group
     *       transitioning (ClusterAlua: its lease, 5 s by default, has lapsed by then), and its waiting commands
     *       fail instead of hanging. Its writes cannot land meanwhile: the node that took over after the lease lapsed
     *       blocklisted it first. 30 s is far above the lease so that a healthy but slow cluster (peering, the new OSD
     *       map a blocklist makes) never fails a command, and equals the SCSI command timeout initiators use by
     *       default (Linux sd), so a command no one still waits for does not stay queued in RADOS.</li>
     * </ul>
     */
    public static final Map<String, String> CLUSTER_SETTINGS = Collections.unmodifiableMap(new LinkedHashMap<>(Map.of(
            "rbd_cache", "false", "rados_osd_op_timeout", "30", "rados_mon_op_timeout", "30")));

    /** librbd 1.16 compares and writes atomically only within one 512-byte sector (else EINVAL). */
    static final long COMPARE_AND_WRITE_SECTOR = 512;

    private final Librados rados;
    private final Librbd rbd;
    private final RbdImageSpec spec;
    private final MemorySegment cluster;
    private final MemorySegment ioctx;
    private final MemorySegment image;
    private final String imageId;
    private final long objectSize;
    private final RbdUpdateWatch watch;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lifecycle's write lock
    private volatile long size;
    /** Closed before the connection they use. */
    private final List<RbdUnitState> unitStates = new CopyOnWriteArrayList<>();

    private RbdBlockStore(Librados rados, Librbd rbd, RbdImageSpec spec, MemorySegment cluster, MemorySegment ioctx,
                          MemorySegment image, RbdUpdateWatch watch, String imageId, long objectSize, long size) {
        this.rados = rados;
        this.rbd = rbd;
        this.spec = spec;
        this.cluster = cluster;
        this.ioctx = ioctx;
        this.image = image;
        this.watch = watch;
        this.imageId = imageId;
        this.objectSize = objectSize;
        this.size = size;
    }

    /** Connects to the cluster and opens the image; an IOException says which step failed and why. */
    public static RbdBlockStore open(RbdImageSpec spec) throws IOException {
        Librados rados;
        Librbd rbd;
        try {
            rados = Librados.load();
            rbd = Librbd.load();
        } catch (UnsatisfiedLinkError e) {
            throw new IOException(spec + ": " + e.getMessage(), e);
        }
        MemorySegment cluster = MemorySegment.NULL;
        MemorySegment ioctx = MemorySegment.NULL;
        MemorySegment image = MemorySegment.NULL;
        RbdUpdateWatch watch = null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(ADDRESS);
            call(spec, "rados_create", (int) rados.create.invokeExact(handle, arena.allocateFrom(spec.clientId())));
            cluster = handle.get(ADDRESS, 0);
            call(spec, "rados_conf_read_file " + spec.conf(), (int) rados.confReadFile.invokeExact(cluster,
                    arena.allocateFrom(spec.conf().toString())));
            // Give up connecting after 30 s rather than Ceph's 300 unless ceph.conf says otherwise (a value set here
            // would override the file's): a daemon started while the cluster is down says so instead of hanging.
            MemorySegment value = arena.allocate(64);
            int got = (int) rados.confGet.invokeExact(cluster, arena.allocateFrom("client_mount_timeout"), value,
                    value.byteSize());
            if (got == 0 && isCephDefaultMountTimeout(value.getString(0))) {
                confSet(rados, spec, cluster, arena, "client_mount_timeout", "30");
            }
            if (spec.keyring() != null) {
                confSet(rados, spec, cluster, arena, "keyring", spec.keyring().toString());
            }
            if (spec.cluster()) {
                for (Map.Entry<String, String> e : CLUSTER_SETTINGS.entrySet()) {
                    confSet(rados, spec, cluster, arena, e.getKey(), e.getValue());
                }
            }
            call(spec, "rados_connect", (int) rados.connect.invokeExact(cluster));
            call(spec, "rados_ioctx_create " + spec.pool(), (int) rados.ioctxCreate.invokeExact(cluster,
                    arena.allocateFrom(spec.pool()), handle));
            ioctx = handle.get(ADDRESS, 0);
            MemorySegment name = arena.allocateFrom(spec.image());
            int rc = spec.readOnly()
                    ? (int) rbd.openReadOnly.invokeExact(ioctx, name, handle, MemorySegment.NULL)
                    : (int) rbd.open.invokeExact(ioctx, name, handle, MemorySegment.NULL);
            call(spec, "rbd_open", rc);
            image = handle.get(ADDRESS, 0);
            // Before the size is read: a resize from then on is heard of (the listener comes with the disk).
            watch = RbdUpdateWatch.register(rbd, image, spec.toString());
            MemorySegment sizeValue = arena.allocate(JAVA_LONG);
            call(spec, "rbd_get_size", (int) rbd.getSize.invokeExact(image, sizeValue));
            long size = sizeValue.get(JAVA_LONG, 0);
            MemorySegment info = arena.allocate(Librbd.IMAGE_INFO_SIZE, 8);
            call(spec, "rbd_stat", (int) rbd.stat.invokeExact(image, info, Librbd.IMAGE_INFO_SIZE));
            long objectSize = info.get(JAVA_LONG, Librbd.IMAGE_INFO_OBJ_SIZE);
            MemorySegment id = arena.allocate(128);
            call(spec, "rbd_get_id", (int) rbd.getId.invokeExact(image, id, id.byteSize()));
            return new RbdBlockStore(rados, rbd, spec, cluster, ioctx, image, watch,
                    id.getString(0, StandardCharsets.UTF_8), objectSize, size);
        } catch (IOException | RuntimeException | Error e) {
            release(rados, rbd, cluster, ioctx, image, watch);
            throw e;
        } catch (Throwable t) {
            release(rados, rbd, cluster, ioctx, image, watch);
            throw new IllegalStateException(t);
        }
    }

    /** True if {@code value} is Ceph's own client_mount_timeout, 300 s (printed as a float or as a duration). */
    static boolean isCephDefaultMountTimeout(String value) {
        try {
            return Double.parseDouble(value.trim().replaceAll("s$", "")) == 300;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void confSet(Librados rados, RbdImageSpec spec, MemorySegment cluster, Arena arena, String key,
                                String value) throws Throwable {
        call(spec, "rados_conf_set " + key, (int) rados.confSet.invokeExact(cluster, arena.allocateFrom(key),
                arena.allocateFrom(value)));
    }

    private static void call(RbdImageSpec spec, String what, int rc) throws IOException {
        if (rc < 0) {
            throw new IOException(spec + ": " + what + ": " + RbdErrno.name(rc));
        }
    }

    private static void release(Librados rados, Librbd rbd, MemorySegment cluster, MemorySegment ioctx,
                                MemorySegment image, RbdUpdateWatch watch) {
        if (watch != null) {
            watch.unregister(rbd, image);
        }
        try {
            if (!image.equals(MemorySegment.NULL)) {
                int rc = (int) rbd.close.invokeExact(image);
                if (rc < 0) {
                    LOG.log(System.Logger.Level.WARNING, "rbd_close: " + RbdErrno.name(rc));
                }
            }
            if (!ioctx.equals(MemorySegment.NULL)) {
                rados.ioctxDestroy.invokeExact(ioctx);
            }
            if (!cluster.equals(MemorySegment.NULL)) {
                rados.shutdown.invokeExact(cluster);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("releasing librbd handles", t);
        }
    }

    /** The value this store's connection holds for a Ceph option (rados_conf_get), as librados prints it. */
    public String setting(String option) {
        enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(256);
            int rc = (int) rados.confGet.invokeExact(cluster, arena.allocateFrom(option), value, value.byteSize());
            if (rc < 0) {
                throw new IllegalArgumentException(option + ": " + RbdErrno.name(rc));
            }
            return value.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            exit();
        }
    }

    /** The image's id in its pool: fixed at creation, kept across renames, the same for every client. */
    public String imageId() {
        return imageId;
    }

    /** "rbd:" pool "/" image id: what every node opening this image derives alike. */
    @Override
    public String sharedIdentity() {
        return "rbd:" + spec.pool() + "/" + imageId;
    }

    /** The logical unit's shared values in RADOS, on this image's connection (so fencing it also fences them). */
    @Override
    public StateStore unitState(StateStore local) {
        enter();
        try {
            RbdUnitState state = new RbdUnitState(local, cluster, spec.pool(), imageId);
            unitStates.add(state);
            return state;
        } finally {
            exit();
        }
    }

    @Override
    public long size() {
        return size;
    }

    /**
     * The image's update watch calls {@code sizeMayHaveChanged} on a virtual thread after every change of the image's
     * header (a resize among them), never on librbd's thread: see {@link RbdUpdateWatch}.
     */
    @Override
    public void watchSize(Runnable sizeMayHaveChanged) {
        watch.listen(sizeMayHaveChanged);
    }

    @Override
    public long probeSize() {
        enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_LONG);
            int rc = (int) rbd.getSize.invokeExact(image, value);
            check("rbd_get_size", rc, Direction.READ);
            size = value.get(JAVA_LONG, 0);
            return size;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            exit();
        }
    }

    @Override
    public void read(long offset, SgList dst) {
        BlockStore.checkRange(offset, dst.length(), size);
        if (dst.length() == 0) {
            return;
        }
        enter();
        try (Arena arena = Arena.ofConfined()) {
            if (allNative(dst) && dst.segmentCount() <= Librbd.IOV_MAX) {
                long rc = await("rbd_aio_readv", Direction.READ, arena, (c, iov) ->
                        (int) rbd.aioReadv.invokeExact(image, iov, dst.segmentCount(), offset, c), iovecs(dst, arena));
                if (rc < dst.length()) { // only past the image's end, which the range check excludes
                    dst.fill(rc, dst.length() - rc, (byte) 0);
                }
            } else {
                // Heap memory cannot go to native code (or too many pieces for one call): one native buffer, one copy.
                MemorySegment bounce = arena.allocate(dst.length());
                long rc = await("rbd_aio_readv", Direction.READ, arena, (c, iov) ->
                        (int) rbd.aioReadv.invokeExact(image, iov, 1, offset, c), iovecs(SgList.of(bounce), arena));
                if (rc < bounce.byteSize()) {
                    bounce.asSlice(rc).fill((byte) 0);
                }
                dst.copyFrom(0, bounce);
            }
        } finally {
            exit();
        }
    }

    @Override
    public void write(long offset, SgList src, boolean fua) {
        BlockStore.checkRange(offset, src.length(), size);
        if (spec.readOnly()) {
            throw new BlockStoreException(StoreOutcome.READ_ONLY, spec + " is open read-only");
        }
        if (src.length() == 0) {
            return;
        }
        enter();
        try (Arena arena = Arena.ofConfined()) {
            SgList from = src;
            if (!allNative(src) || src.segmentCount() > Librbd.IOV_MAX) {
                // Heap memory cannot go to native code (or too many pieces for one call): one native buffer, one copy.
                MemorySegment bounce = arena.allocate(src.length());
                src.copyTo(0, bounce);
                from = SgList.of(bounce);
            }
            int count = from.segmentCount();
            await("rbd_aio_writev", Direction.WRITE, arena, (c, iov) ->
                    (int) rbd.aioWritev.invokeExact(image, iov, count, offset, c), iovecs(from, arena));
            if (fua) {
                flushImage(arena);
            }
        } finally {
            exit();
        }
    }

    @Override
    public void flush() {
        enter();
        try (Arena arena = Arena.ofConfined()) {
            flushImage(arena);
        } finally {
            exit();
        }
    }

    private void flushImage(Arena arena) {
        await("rbd_aio_flush", Direction.WRITE, arena, (c, unused) -> (int) rbd.aioFlush.invokeExact(image, c),
                MemorySegment.NULL);
    }

    /** librbd's synchronous flush, for close: no completion may outlive the image. */
    private void flushImageNow() {
        int rc;
        try {
            rc = (int) rbd.flush.invokeExact(image);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check("rbd_flush", rc, Direction.WRITE);
    }

    /** An asynchronous librbd call: given the completion and {@code iov}, returns librbd's submission status. */
    @FunctionalInterface
    private interface AioCall {
        long submit(MemorySegment completion, MemorySegment iov) throws Throwable;
    }

    /**
     * Submits one asynchronous operation and parks until librbd's callback (see {@link RbdCompletion}); returns its
     * non-negative result or throws the outcome of its errno.
     */
    private long await(String call, Direction direction, Arena arena, AioCall submit, MemorySegment iov) {
        RbdCompletion completion = RbdCompletion.start();
        long rc;
        try {
            MemorySegment handle = arena.allocate(ADDRESS);
            int created = (int) rbd.aioCreateCompletion.invokeExact(completion.argument(), RbdCompletion.UPCALL,
                    handle);
            if (created < 0) {
                completion.abandon();
                check("rbd_aio_create_completion", created, direction);
            }
            MemorySegment c = handle.get(ADDRESS, 0);
            long submitted = submit.submit(c, iov);
            if (submitted < 0) {
                completion.abandon();
                rbd.aioRelease.invokeExact(c);
                check(call, submitted, direction);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        rc = completion.await();
        check(call, rc, direction);
        return rc;
    }

    /** The list's native segments as an array of {@code struct iovec} in {@code arena}. */
    private static MemorySegment iovecs(SgList list, Arena arena) {
        MemorySegment iov = arena.allocate(Librbd.IOVEC_SIZE * list.segmentCount(), 8);
        for (int i = 0; i < list.segmentCount(); i++) {
            MemorySegment s = list.segment(i);
            iov.set(ADDRESS, i * Librbd.IOVEC_SIZE, s);
            iov.set(JAVA_LONG, i * Librbd.IOVEC_SIZE + 8, s.byteSize());
        }
        return iov;
    }

    @Override
    public boolean mayBlock() {
        return true;
    }

    @Override
    public boolean readOnly() {
        return spec.readOnly();
    }

    @Override
    public boolean supportsUnmap() {
        return !spec.readOnly();
    }

    @Override
    public boolean unmapReadsZeros() {
        return true;
    }

    /** The image's object size: a whole object discarded is deallocated, a part of one stays allocated. */
    @Override
    public long allocationUnit() {
        return objectSize;
    }

    /** Zeroes the range exactly and deletes the objects wholly inside it: see the class comment. */
    @Override
    public void unmap(long offset, long length) {
        writeZeros(offset, length);
    }

    @Override
    public void writeZeros(long offset, long length) {
        BlockStore.checkRange(offset, length, size);
        if (length == 0) {
            return;
        }
        enter();
        try (Arena arena = Arena.ofConfined()) {
            await("rbd_aio_write_zeroes", Direction.WRITE, arena,
                    (c, unused) -> (int) rbd.aioWriteZeroes.invokeExact(image, offset, length, c, 0, 0),
                    MemorySegment.NULL);
        } finally {
            exit();
        }
    }

    /**
     * librbd's own write-same (rbd_aio_writesame), asynchronous like the other calls: librbd repeats the pattern
     * itself, object by object, so no buffer of copies is built and no loop runs here. A length that is not a whole
     * number of patterns is refused by librbd (EINVAL: it repeats whole patterns only), so such a range, which no
     * WRITE SAME sends (the pattern is one logical block), goes through the generic writes instead.
     */
    @Override
    public void writeSame(long offset, long length, SgList block, boolean fua) {
        BlockStore.checkRange(offset, length, size);
        if (spec.readOnly()) {
            throw new BlockStoreException(StoreOutcome.READ_ONLY, spec + " is open read-only");
        }
        long patternLength = block.length();
        if (length == 0) {
            return;
        }
        if (patternLength == 0 || length % patternLength != 0) {
            BlockStore.super.writeSame(offset, length, block, fua);
            return;
        }
        enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pattern = contiguous(block, arena);
            await("rbd_aio_writesame", Direction.WRITE, arena, (c, unused) -> (int) rbd.aioWriteSame.invokeExact(
                    image, offset, length, pattern, patternLength, c, 0), MemorySegment.NULL);
            if (fua) {
                flushImage(arena);
            }
        } finally {
            exit();
        }
    }

    @Override
    public void compareAndWrite(long offset, SgList verify, SgList write, boolean fua) {
        long length = verify.length();
        if (write.length() != length) {
            throw new IllegalArgumentException("compare " + length + " bytes, write " + write.length());
        }
        BlockStore.checkRange(offset, length, size);
        if (length == 0) {
            return;
        }
        if (offset % COMPARE_AND_WRITE_SECTOR + length > COMPARE_AND_WRITE_SECTOR) {
            // librbd refuses it (EINVAL): atomic on this node only, see the class comment.
            BlockStore.super.compareAndWrite(offset, verify, write, fua);
            return;
        }
        if (spec.readOnly()) {
            throw new BlockStoreException(StoreOutcome.READ_ONLY, spec + " is open read-only");
        }
        enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment compared = contiguous(verify, arena);
            MemorySegment written = contiguous(write, arena);
            MemorySegment mismatch = arena.allocate(JAVA_LONG);
            RbdCompletion completion = RbdCompletion.start();
            MemorySegment handle = arena.allocate(ADDRESS);
            int created = (int) rbd.aioCreateCompletion.invokeExact(completion.argument(), RbdCompletion.UPCALL,
                    handle);
            if (created < 0) {
                completion.abandon();
                check("rbd_aio_create_completion", created, Direction.WRITE);
            }
            MemorySegment c = handle.get(ADDRESS, 0);
            long submitted = (long) rbd.aioCompareAndWrite.invokeExact(image, offset, length, compared, written, c,
                    mismatch, 0);
            if (submitted < 0) {
                completion.abandon();
                rbd.aioRelease.invokeExact(c);
                check("rbd_aio_compare_and_write", submitted, Direction.WRITE);
            }
            long rc = completion.await();
            if (rc == -RbdErrno.EILSEQ) {
                throw BlockStoreException.miscompare(RbdMismatch.offsetInData(mismatch.get(JAVA_LONG, 0), offset,
                        length, objectSize));
            }
            check("rbd_aio_compare_and_write", rc, Direction.WRITE);
            if (fua) {
                flushImage(arena);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            exit();
        }
    }

    /**
     * The list as one native segment: itself if it is one already, else one copy into {@code arena}
     * (librbd's compare-and-write takes two flat buffers; a list split over several PDUs, or on the heap, is copied).
     */
    private static MemorySegment contiguous(SgList list, Arena arena) {
        if (list.segmentCount() == 1 && list.segment(0).isNative()) {
            return list.segment(0);
        }
        MemorySegment flat = arena.allocate(list.length());
        list.copyTo(0, flat);
        return flat;
    }

    /**
     * The run from {@code offset}: which objects exist comes from rbd_diff_iterate2 over the image's head since
     * creation, in whole-object mode; at most 1024 objects are asked about per call (a look-up in the object map
     * when the image has fast-diff; GET LBA STATUS asks again from where the run ended).
     */
    @Override
    public Extent extentAt(long offset, long maxLength) {
        long end = Math.min(size, offset + Math.min(maxLength, 1024 * objectSize));
        if (offset < 0 || offset >= end) {
            throw new BlockStoreException(StoreOutcome.OUT_OF_RANGE, "extent at " + offset + " of " + size);
        }
        List<long[]> extents = new ArrayList<>();
        long key = RbdDiffCollector.register(extents);
        enter();
        try {
            int rc = (int) rbd.diffIterate2.invokeExact(image, MemorySegment.NULL, offset, end - offset, (byte) 1,
                    (byte) 1, RbdDiffCollector.UPCALL, MemorySegment.ofAddress(key));
            check("rbd_diff_iterate2", rc, Direction.READ);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            exit();
            RbdDiffCollector.unregister(key);
        }
        synchronized (extents) { // the callbacks' writes happen-before this read
            return RbdExtents.runAt(offset, end, extents);
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                flushImageNow();
            } catch (BlockStoreException e) {
                LOG.log(System.Logger.Level.WARNING, spec + ": flush on close: " + e.getMessage());
            }
            unitStates.forEach(RbdUnitState::close);
            release(rados, rbd, cluster, ioctx, image, watch);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private void enter() {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            throw new BlockStoreException(StoreOutcome.UNAVAILABLE, spec + " is closed");
        }
    }

    private void exit() {
        lifecycle.readLock().unlock();
    }

    private static boolean allNative(SgList list) {
        for (int i = 0; i < list.segmentCount(); i++) {
            if (!list.segment(i).isNative()) {
                return false;
            }
        }
        return true;
    }

    private void check(String call, long rc, Direction direction) {
        if (rc < 0) {
            BlockStoreException e = RbdErrno.failure(spec + ": " + call, rc, direction);
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
            throw e;
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    @Override
    public String toString() {
        return spec + " (id " + imageId + ")";
    }
}
