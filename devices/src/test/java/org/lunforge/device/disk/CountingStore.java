package org.lunforge.device.disk;

import java.util.concurrent.atomic.AtomicInteger;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.Extent;
import org.lunforge.backstore.StoreLoan;
import org.lunforge.scsi.SgList;

/** A store that counts flushes and FUA writes, delegating to a real one; optionally claims to block. */
final class CountingStore implements BlockStore {
    final BlockStore real;
    final boolean blocks;
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger fuaWrites = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    volatile Thread lastIoThread;

    CountingStore(BlockStore real, boolean blocks) {
        this.real = real;
        this.blocks = blocks;
    }

    @Override
    public long size() {
        return real.size();
    }

    @Override
    public long probeSize() {
        return real.probeSize();
    }

    @Override
    public void read(long offset, SgList dst) {
        lastIoThread = Thread.currentThread();
        real.read(offset, dst);
    }

    @Override
    public StoreLoan lend(long offset, long length) {
        lastIoThread = Thread.currentThread();
        return real.lend(offset, length);
    }

    @Override
    public void write(long offset, SgList src, boolean fua) {
        lastIoThread = Thread.currentThread();
        writes.incrementAndGet();
        if (fua) {
            fuaWrites.incrementAndGet();
        }
        real.write(offset, src, fua);
    }

    @Override
    public void flush() {
        flushes.incrementAndGet();
        real.flush();
    }

    @Override
    public boolean mayBlock() {
        return blocks;
    }

    @Override
    public boolean readOnly() {
        return real.readOnly();
    }

    @Override
    public boolean supportsUnmap() {
        return real.supportsUnmap();
    }

    @Override
    public boolean unmapReadsZeros() {
        return real.unmapReadsZeros();
    }

    @Override
    public long allocationUnit() {
        return real.allocationUnit();
    }

    @Override
    public void unmap(long offset, long length) {
        real.unmap(offset, length);
    }

    @Override
    public void writeZeros(long offset, long length) {
        real.writeZeros(offset, length);
    }

    @Override
    public Extent extentAt(long offset, long maxLength) {
        return real.extentAt(offset, maxLength);
    }

    @Override
    public void close() {
        real.close();
    }
}
