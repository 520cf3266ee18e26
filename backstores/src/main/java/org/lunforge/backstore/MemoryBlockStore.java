package org.lunforge.backstore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import org.lunforge.scsi.SgList;

/**
 * A thin-provisioned store in off-heap memory. The byte space is cut into chunks of {@link #CHUNK_SIZE} bytes that
 * are allocated on first non-zero write, so a 1 GiB logical unit that was never written costs one reference per
 * chunk (128 KiB of table for 1 GiB). Unmapping a whole chunk drops it; a partial unmap zeroes its part.
 *
 * <p>Chunks come from automatic arenas: a chunk dropped by UNMAP while a reader still copies from it stays valid until
 * the reader lets go, so readers need no lock. The table is published with release/acquire: a chunk is zero-filled
 * by its allocation before the compare-and-set that makes it visible.
 *
 * <p>Never blocks: served synchronously on the caller's thread.
 */
public final class MemoryBlockStore implements BlockStore {
    public static final int CHUNK_SHIFT = 16;
    public static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final long CHUNK_MASK = CHUNK_SIZE - 1;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(MemorySegment[].class);

    private volatile MemorySegment[] chunks;
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
        this.chunks = new MemorySegment[chunkCount(size)];
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
        MemorySegment[] old = chunks;
        MemorySegment[] grown = new MemorySegment[chunkCount(newSize)];
        for (int i = 0; i < Math.min(old.length, grown.length); i++) {
            grown[i] = (MemorySegment) SLOT.getAcquire(old, i);
        }
        if (newSize < size && (newSize & CHUNK_MASK) != 0 && grown.length > 0 && grown[grown.length - 1] != null) {
            MemorySegment last = grown[grown.length - 1];
            last.asSlice(newSize & CHUNK_MASK).fill((byte) 0);
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
        MemorySegment[] table = open();
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
                MemorySegment chunk = (MemorySegment) SLOT.getAcquire(table, index);
                if (chunk == null) {
                    MemorySegment.copy(ZeroSource.ZEROS, 0, seg, segOff, n);
                } else {
                    MemorySegment.copy(chunk, within, seg, segOff, n);
                }
                segOff += n;
                pos += n;
            }
        }
    }

    @Override
    public void write(long offset, SgList src, boolean fua) {
        MemorySegment[] table = open();
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
                MemorySegment chunk = (MemorySegment) SLOT.getAcquire(table, index);
                if (chunk == null) {
                    // Zeros into a deallocated chunk change nothing a reader can see: keep it thin.
                    if (MemorySegment.mismatch(seg, segOff, segOff + n, ZeroSource.ZEROS, 0, n) < 0) {
                        segOff += n;
                        pos += n;
                        continue;
                    }
                    chunk = allocate(table, index);
                }
                MemorySegment.copy(seg, segOff, chunk, within, n);
                segOff += n;
                pos += n;
            }
        }
    }

    private MemorySegment allocate(MemorySegment[] table, int index) {
        if (allocated.addAndGet(CHUNK_SIZE) > allocationLimit) {
            allocated.addAndGet(-CHUNK_SIZE);
            throw new BlockStoreException(StoreOutcome.NO_SPACE, "memory store allocation limit reached");
        }
        MemorySegment fresh;
        try {
            fresh = Arena.ofAuto().allocate(CHUNK_SIZE, 4096);
        } catch (OutOfMemoryError e) {
            allocated.addAndGet(-CHUNK_SIZE);
            throw new BlockStoreException(StoreOutcome.NO_SPACE, "out of memory", e);
        }
        MemorySegment witness = (MemorySegment) SLOT.compareAndExchangeRelease(table, index, null, fresh);
        if (witness != null) {
            allocated.addAndGet(-CHUNK_SIZE);
            return witness;
        }
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
        MemorySegment[] table = open();
        BlockStore.checkRange(offset, length, size);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int index = (int) (pos >>> CHUNK_SHIFT);
            long within = pos & CHUNK_MASK;
            long n = Math.min(CHUNK_SIZE - within, end - pos);
            if (deallocate && n == CHUNK_SIZE) {
                if (SLOT.getAndSetRelease(table, index, (MemorySegment) null) != null) {
                    allocated.addAndGet(-CHUNK_SIZE);
                }
            } else {
                MemorySegment chunk = (MemorySegment) SLOT.getAcquire(table, index);
                if (chunk != null) {
                    chunk.asSlice(within, n).fill((byte) 0);
                }
            }
            pos += n;
        }
    }

    @Override
    public Extent extentAt(long offset, long maxLength) {
        MemorySegment[] table = open();
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
        chunks = new MemorySegment[0];
    }

    private MemorySegment[] open() {
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
