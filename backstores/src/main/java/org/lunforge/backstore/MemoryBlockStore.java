package org.lunforge.backstore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.lunforge.scsi.SgList;

/**
 * A thin-provisioned store in off-heap memory. The byte space is cut into chunks of {@link #CHUNK_SIZE} bytes that
 * are allocated on first non-zero write, so a 1 GiB logical unit that was never written costs one reference per
 * chunk (128 KiB of table for 1 GiB). Unmapping a whole chunk drops it; a partial unmap zeroes its part.
 *
 * <p>Chunks come from automatic arenas: a chunk dropped by UNMAP while a reader still copies from it stays valid until
 * the reader lets go, so readers need no lock. The table is published with release/acquire: a chunk is zero-filled
 * by its allocation before the store that makes it visible.
 *
 * <p>Loans ({@link #lend}): a reader may take a view of the chunks themselves instead of a copy (the iSCSI target
 * sends it straight to the socket). A chunk with loans out is never written again: a writer copies it, changes the
 * copy and puts the copy in the table (copy on write), so a loan keeps the bytes it was lent until it is given back,
 * and the old chunk's memory lives as long as the loan's views. Writers of one chunk serialise on a striped monitor,
 * so an in-place write and a copy never overlap (a copy taken during an in-place write would lose it), and lending
 * takes the same monitor, so a loan sees each chunk as of one instant: every write to it wholly or not at all.
 *
 * <p>The rule a lent read keeps: each chunk it covers holds the bytes of one moment between the READ's start and its
 * lending, and keeps them until given back; a write that completed before the READ arrived is in it, a write that
 * arrives after the READ was answered is not. A write racing with the READ (overlapping commands the initiator did
 * not order, which SBC-4 leaves undefined) may be in one chunk and not the next, as with a copying read; the
 * device's range lock keeps the atomic writes (COMPARE AND WRITE, WRITE ATOMIC) wholly before or after both.
 *
 * <p>Never blocks on I/O: served synchronously on the caller's thread.
 */
public final class MemoryBlockStore implements BlockStore {
    public static final int CHUNK_SHIFT = 16;
    public static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final long CHUNK_MASK = CHUNK_SIZE - 1;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Chunk[].class);
    private static final int STRIPES = 256;

    /** One chunk's memory and the loans out on it; while any is, writers replace the chunk instead of writing it. */
    private static final class Chunk {
        final MemorySegment memory;
        final AtomicInteger loans = new AtomicInteger();

        Chunk(MemorySegment memory) {
            this.memory = memory;
        }
    }

    private volatile Chunk[] chunks;
    /** Writers of chunk i hold {@code stripes[i % STRIPES]}. */
    private final Object[] stripes = new Object[STRIPES];
    private volatile long size;
    private volatile boolean closed;
    private final long allocationLimit;
    private final AtomicLong allocated = new AtomicLong();

    /**
     * @param size bytes
     * @param allocationLimit the most bytes of chunks to allocate before writes fail with NO_SPACE (Long.MAX_VALUE:
     *     as much as the machine gives)
     */
    public MemoryBlockStore(long size, long allocationLimit) {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size);
        }
        this.size = size;
        this.allocationLimit = allocationLimit;
        this.chunks = new Chunk[chunkCount(size)];
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    public MemoryBlockStore(long size) {
        this(size, Long.MAX_VALUE);
    }

    private static int chunkCount(long size) {
        return Math.toIntExact((size + CHUNK_MASK) >>> CHUNK_SHIFT);
    }

    @Override
    public long size() {
        return size;
    }

    /** Grows or shrinks the store; data beyond a new, smaller size is dropped. */
    public synchronized void resize(long newSize) {
        Chunk[] old = chunks;
        Chunk[] grown = new Chunk[chunkCount(newSize)];
        for (int i = 0; i < Math.min(old.length, grown.length); i++) {
            grown[i] = (Chunk) SLOT.getAcquire(old, i);
        }
        if (newSize < size && (newSize & CHUNK_MASK) != 0 && grown.length > 0 && grown[grown.length - 1] != null) {
            int last = grown.length - 1;
            synchronized (stripe(last)) {
                Chunk chunk = writable(grown, last, grown[last]);
                chunk.memory.asSlice(newSize & CHUNK_MASK).fill((byte) 0);
            }
        }
        chunks = grown;
        size = newSize;
    }

    /** Bytes of memory currently allocated to chunks. */
    public long allocatedBytes() {
        return allocated.get();
    }

    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public void read(long offset, SgList dst) {
        Chunk[] table = open();
        BlockStore.checkRange(offset, dst.length(), size);
        long pos = offset;
        for (int s = 0; s < dst.segmentCount(); s++) {
            MemorySegment seg = dst.segment(s);
            long segOff = 0;
            long segLen = seg.byteSize();
            while (segOff < segLen) {
                int index = (int) (pos >>> CHUNK_SHIFT);
                long within = pos & CHUNK_MASK;
                long n = Math.min(CHUNK_SIZE - within, segLen - segOff);
                Chunk chunk = (Chunk) SLOT.getAcquire(table, index);
                if (chunk == null) {
                    MemorySegment.copy(ZeroSource.ZEROS, 0, seg, segOff, n);
                } else {
                    MemorySegment.copy(chunk.memory, within, seg, segOff, n);
                }
                segOff += n;
                pos += n;
            }
        }
    }

    /**
     * Lends read-only views of the chunks themselves (of shared zeros where nothing was written); each lent chunk
     * counts the loan until it is given back, and is copied rather than written meanwhile.
     */
    @Override
    public StoreLoan lend(long offset, long length) {
        Chunk[] table = open();
        BlockStore.checkRange(offset, length, size);
        List<MemorySegment> views = new ArrayList<>((int) (length >>> CHUNK_SHIFT) + 2);
        List<Chunk> lent = new ArrayList<>((int) (length >>> CHUNK_SHIFT) + 2);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int index = (int) (pos >>> CHUNK_SHIFT);
            long within = pos & CHUNK_MASK;
            long n = Math.min(CHUNK_SIZE - within, end - pos);
            Chunk chunk;
            // Under the chunk's stripe: an in-place write of it is wholly before (done) or wholly after (it then
            // sees the loan and writes a copy), so the view is the chunk as of one instant.
            synchronized (stripe(index)) {
                chunk = (Chunk) SLOT.getAcquire(table, index);
                if (chunk != null) {
                    chunk.loans.incrementAndGet();
                }
            }
            if (chunk == null) {
                views.add(ZeroSource.ZEROS.asSlice(0, n).asReadOnly());
            } else {
                lent.add(chunk);
                views.add(chunk.memory.asSlice(within, n).asReadOnly());
            }
            pos += n;
        }
        AtomicBoolean given = new AtomicBoolean();
        return new StoreLoan(SgList.of(views.toArray(MemorySegment[]::new)), () -> {
            if (given.compareAndSet(false, true)) {
                for (Chunk c : lent) {
                    c.loans.decrementAndGet();
                }
            }
        });
    }

    @Override
    public void write(long offset, SgList src, boolean fua) {
        Chunk[] table = open();
        BlockStore.checkRange(offset, src.length(), size);
        long pos = offset;
        for (int s = 0; s < src.segmentCount(); s++) {
            MemorySegment seg = src.segment(s);
            long segOff = 0;
            long segLen = seg.byteSize();
            while (segOff < segLen) {
                int index = (int) (pos >>> CHUNK_SHIFT);
                long within = pos & CHUNK_MASK;
                long n = Math.min(CHUNK_SIZE - within, segLen - segOff);
                synchronized (stripe(index)) {
                    Chunk chunk = (Chunk) SLOT.getAcquire(table, index);
                    if (chunk == null) {
                        // Zeros into a deallocated chunk change nothing a reader can see: keep it thin.
                        if (MemorySegment.mismatch(seg, segOff, segOff + n, ZeroSource.ZEROS, 0, n) < 0) {
                            segOff += n;
                            pos += n;
                            continue;
                        }
                        chunk = allocate(table, index);
                    } else {
                        chunk = writable(table, index, chunk);
                    }
                    MemorySegment.copy(seg, segOff, chunk.memory, within, n);
                }
                segOff += n;
                pos += n;
            }
        }
    }

    private Object stripe(int index) {
        return stripes[index & (STRIPES - 1)];
    }

    /**
     * The chunk to write at {@code index}: {@code chunk} itself, or, while loans of it are out, a copy that takes its
     * place in the table (the loans keep the original). The caller holds the index's stripe.
     */
    private static Chunk writable(Chunk[] table, int index, Chunk chunk) {
        if (chunk.loans.get() == 0) {
            return chunk;
        }
        Chunk copy;
        try {
            copy = new Chunk(Arena.ofAuto().allocate(CHUNK_SIZE, 4096));
        } catch (OutOfMemoryError e) {
            throw new BlockStoreException(StoreOutcome.NO_SPACE, "out of memory", e);
        }
        MemorySegment.copy(chunk.memory, 0, copy.memory, 0, CHUNK_SIZE);
        SLOT.setRelease(table, index, copy);
        return copy;
    }

    /** A zero-filled chunk for {@code index}, published; the caller holds the index's stripe. */
    private Chunk allocate(Chunk[] table, int index) {
        if (allocated.addAndGet(CHUNK_SIZE) > allocationLimit) {
            allocated.addAndGet(-CHUNK_SIZE);
            throw new BlockStoreException(StoreOutcome.NO_SPACE, "memory store allocation limit reached");
        }
        Chunk fresh;
        try {
            fresh = new Chunk(Arena.ofAuto().allocate(CHUNK_SIZE, 4096));
        } catch (OutOfMemoryError e) {
            allocated.addAndGet(-CHUNK_SIZE);
            throw new BlockStoreException(StoreOutcome.NO_SPACE, "out of memory", e);
        }
        SLOT.setRelease(table, index, fresh);
        return fresh;
    }

    @Override
    public void flush() {
        open();
    }

    @Override
    public boolean supportsUnmap() {
        return true;
    }

    @Override
    public boolean unmapReadsZeros() {
        return true;
    }

    @Override
    public long allocationUnit() {
        return CHUNK_SIZE;
    }

    @Override
    public void unmap(long offset, long length) {
        clear(offset, length, true);
    }

    /** Zeros the range; chunks never allocated stay so, allocated ones stay mapped (WRITE SAME without UNMAP). */
    @Override
    public void writeZeros(long offset, long length) {
        clear(offset, length, false);
    }

    private void clear(long offset, long length, boolean deallocate) {
        Chunk[] table = open();
        BlockStore.checkRange(offset, length, size);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int index = (int) (pos >>> CHUNK_SHIFT);
            long within = pos & CHUNK_MASK;
            long n = Math.min(CHUNK_SIZE - within, end - pos);
            synchronized (stripe(index)) {
                // A whole chunk, or the part of the last one that lies within the store, is dropped.
                if (deallocate && within == 0 && (n == CHUNK_SIZE || pos + n == size)) {
                    // A loan keeps the dropped chunk's memory alive through its views.
                    if (SLOT.getAndSetRelease(table, index, (Chunk) null) != null) {
                        allocated.addAndGet(-CHUNK_SIZE);
                    }
                } else {
                    Chunk chunk = (Chunk) SLOT.getAcquire(table, index);
                    if (chunk != null) {
                        writable(table, index, chunk).memory.asSlice(within, n).fill((byte) 0);
                    }
                }
            }
            pos += n;
        }
    }

    @Override
    public Extent extentAt(long offset, long maxLength) {
        Chunk[] table = open();
        BlockStore.checkRange(offset, Math.min(maxLength, 1), size);
        long limit = Math.min(size, offset + maxLength);
        int index = (int) (offset >>> CHUNK_SHIFT);
        boolean mapped = SLOT.getAcquire(table, index) != null;
        long pos = ((long) index + 1) << CHUNK_SHIFT;
        while (pos < limit && (SLOT.getAcquire(table, (int) (pos >>> CHUNK_SHIFT)) != null) == mapped) {
            pos += CHUNK_SIZE;
        }
        return new Extent(Math.min(pos, limit) - offset, mapped);
    }

    @Override
    public void close() {
        closed = true;
        chunks = new Chunk[0];
    }

    private Chunk[] open() {
        if (closed) {
            throw new BlockStoreException(StoreOutcome.UNAVAILABLE, "memory store closed");
        }
        return chunks;
    }

    @Override
    public String toString() {
        return "memory[" + size + " bytes, " + allocated.get() + " allocated]";
    }
}
