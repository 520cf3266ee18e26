package org.lunforge.backstore;

import org.lunforge.scsi.SgList;
import org.lunforge.scsi.StateStore;

/**
 * A block backstore: a byte-addressed store of a fixed (but re-probeable) size. The SBC emulation addresses it in
 * bytes (LBA x logical block length); the store knows nothing of blocks, commands or sense.
 *
 * <p>Data moves between the task's {@link SgList} and the store directly: a store reads into the list's segments and
 * writes from them, never through an intermediate buffer of its own. Offsets and lengths need not be aligned to
 * anything: a write residual can leave a partial block to write (iSCSI expected length smaller than the command's).
 *
 * <p>Failures are thrown as {@link BlockStoreException} carrying a {@link StoreOutcome}. Every method may be called
 * from several threads at once; concurrent writes to overlapping ranges leave either's data (the device serialises
 * what must be atomic, COMPARE AND WRITE and WRITE ATOMIC).
 *
 * <p>{@link #mayBlock()} tells the device whether a call can stall its thread on I/O: a store that cannot (memory) is
 * served on the caller's thread; one that can (file, block device) is served from the logical unit's executor so
 * that a network event loop, or another logical unit, never waits for a slow disk.
 */
public interface BlockStore extends AutoCloseable {
    /** The store's size in bytes, as last probed. */
    long size();

    /**
     * Re-reads the size from the backing (a file or device resized behind our back) and returns it; {@link #size()}
     * returns it from then on. Stores whose size cannot change return {@link #size()}.
     */
    default long probeSize() {
        return size();
    }

    /**
     * Asks the store to call {@code sizeMayHaveChanged} whenever its backing is resized behind our back and it learns
     * of it by itself (an RBD image's header watch: {@code rbd resize} from anywhere), from a thread of the store's own
     * that may block, never the caller's; the listener re-reads the size with {@link #probeSize()}. One listener per
     * store: a later call replaces it. Stores that learn of no resize by themselves (a file, a device) ignore it; their
     * size is re-probed when asked (READ CAPACITY).
     */
    default void watchSize(Runnable sizeMayHaveChanged) {
    }

    /** Reads {@code dst.length()} bytes from {@code offset} into {@code dst}. Deallocated ranges read as zeros. */
    void read(long offset, SgList dst);

    /**
     * Lends {@code length} bytes from {@code offset} of the store's own memory instead of copying them out, for a
     * frontend that can send from it (no copy at all on the way to the network): the view keeps the bytes it had
     * when lent until its loan is given back. Null if the store cannot lend: its data is not in memory of ours (a
     * file or a device: reading into the reader's buffer is the one copy there is).
     */
    default StoreLoan lend(long offset, long length) {
        return null;
    }

    /**
     * Writes all of {@code src} at {@code offset}. With {@code fua} the data is durable (on stable storage, SBC-4
     * 5.1 FUA) when this returns; otherwise it may sit in a volatile cache until {@link #flush()}.
     */
    void write(long offset, SgList src, boolean fua);

    /**
     * Writes {@code block} over {@code [offset, offset + length)} again and again (WRITE SAME, SBC-4 5.49): copy
     * {@code i} at {@code offset + i * block.length()}, the last one cut short if {@code length} is not a multiple of
     * it. With {@code fua} durable on return, as {@link #write}. This default writes from one buffer of up to 1 MiB of
     * copies; a store whose backing repeats a pattern itself (librbd's writesame) overrides it.
     */
    default void writeSame(long offset, long length, SgList block, boolean fua) {
        int n = (int) block.length();
        if (n == 0) {
            throw new IllegalArgumentException("an empty pattern");
        }
        int copies = (int) Math.max(1, Math.min(length, 1 << 20) / n);
        byte[] pattern = block.toByteArray(0, n);
        byte[] buffer = new byte[copies * n];
        for (int i = 0; i < copies; i++) {
            System.arraycopy(pattern, 0, buffer, i * n, n);
        }
        SgList source = SgList.wrap(buffer);
        for (long done = 0; done < length; done += buffer.length) {
            write(offset + done, source.slice(0, Math.min(buffer.length, length - done)), fua);
        }
    }

    /** Makes every completed write durable (SYNCHRONIZE CACHE): fdatasync for files and devices. */
    void flush();

    /** True if a call can stall the calling thread on I/O; such stores are served off the caller's thread. */
    boolean mayBlock();

    /** True if the store was opened read-only: every write fails with {@link StoreOutcome#READ_ONLY}. */
    default boolean readOnly() {
        return false;
    }

    /** True if {@link #unmap} deallocates (thin provisioning: LBPME, UNMAP, WRITE SAME with UNMAP). */
    default boolean supportsUnmap() {
        return false;
    }

    /** True if a range {@link #unmap}ped reads back as zeros (LBPRZ). */
    default boolean unmapReadsZeros() {
        return false;
    }

    /**
     * The store's allocation unit in bytes (a memory chunk, a file system block, a device's discard granularity): the
     * device reports it as the optimal unmap granularity. Unmapping less than a whole unit zeroes it (when
     * {@link #unmapReadsZeros()}) but may leave it allocated.
     */
    default long allocationUnit() {
        return 4096;
    }

    /** Deallocates the range, a hint the store may honour in part; reads of it return zeros if LBPRZ. */
    default void unmap(long offset, long length) {
        throw new BlockStoreException(StoreOutcome.UNSUPPORTED, "unmap");
    }

    /**
     * Writes zeros over the range. Stores override this with something cheaper than writing a zero buffer (a memory
     * store leaves unallocated chunks alone, a file uses FALLOC_FL_ZERO_RANGE); the range stays mapped unless the
     * store reads deallocated ranges as zeros, in which case it may deallocate it.
     */
    default void writeZeros(long offset, long length) {
        ZeroSource.writeZeros(this, offset, length);
    }

    /**
     * COMPARE AND WRITE's store part (SBC-4 5.3): if the medium at {@code offset} holds exactly {@code verify}, writes
     * {@code write} (of the same length) there; otherwise writes nothing and throws {@link
     * BlockStoreException#miscompare} with the offset of the first differing byte. The caller holds the range
     * exclusively, which makes this default (read, compare, write) atomic against this node's other commands; a store
     * shared by several nodes overrides it with its backing's own atomic compare-and-write.
     */
    default void compareAndWrite(long offset, SgList verify, SgList write, boolean fua) {
        if (verify.length() != write.length()) {
            throw new IllegalArgumentException("compare " + verify.length() + " bytes, write " + write.length());
        }
        SgList current = SgList.allocate(verify.length());
        read(offset, current);
        long at = current.mismatch(verify);
        if (at >= 0) {
            throw BlockStoreException.miscompare(at);
        }
        write(offset, write, fua);
    }

    /**
     * A name of the backing that every machine opening it derives alike ("rbd:" pool "/" image id), from which a
     * logical unit's identity can derive so that several nodes serving the same data present one logical unit; null
     * for a store that exists on this machine only (memory, file, block device).
     */
    default String sharedIdentity() {
        return null;
    }

    /**
     * The state store of a logical unit on this store, given the node's own ({@code local}): for a store several
     * nodes share, one whose {@link StateStore#shared} values live with the data, so every node serving it sees one
     * set of reservations; {@code local} itself for a store of this machine only.
     */
    default StateStore unitState(StateStore local) {
        return local;
    }

    /** The provisioning state of the run starting at {@code offset}, at most {@code maxLength} bytes long. */
    default Extent extentAt(long offset, long maxLength) {
        return new Extent(Math.min(maxLength, size() - offset), true);
    }

    /** Flushes and releases the backing; later calls fail with {@link StoreOutcome#UNAVAILABLE}. */
    @Override
    void close();

    /** Throws OUT_OF_RANGE unless {@code [offset, offset + length)} lies within {@code size}. */
    static void checkRange(long offset, long length, long size) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new BlockStoreException(StoreOutcome.OUT_OF_RANGE,
                    "range [" + offset + ", +" + length + ") outside " + size + " bytes");
        }
    }
}
