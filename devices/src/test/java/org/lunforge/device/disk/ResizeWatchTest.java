package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.disk.DiskHarness.*;

import org.junit.jupiter.api.Test;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.SenseCode;

/**
 * A store that learns of a resize by itself (an RBD image's watch) tells its disk through {@link
 * BlockStore#watchSize}: the disk adopts the new capacity and every nexus sees CAPACITY DATA HAS CHANGED at its next
 * command, without READ CAPACITY having re-probed first (SBC-4 4.10). The real proof is bin/check cluster's resize.
 */
class ResizeWatchTest {
    static final Cdb TEST_UNIT_READY = Cdb.of(0, 0, 0, 0, 0, 0);

    /** A memory store whose backing size a test changes, and which keeps the disk's listener to call it. */
    static final class ResizedStore implements BlockStore {
        final MemoryBlockStore real;
        volatile long backingSize;
        volatile Runnable listener;

        ResizedStore(long size) {
            real = new MemoryBlockStore(size);
            backingSize = size;
        }

        @Override
        public long size() {
            return real.size();
        }

        @Override
        public long probeSize() {
            return backingSize;
        }

        @Override
        public void watchSize(Runnable sizeMayHaveChanged) {
            listener = sizeMayHaveChanged;
        }

        @Override
        public void read(long offset, SgList dst) {
            real.read(offset, dst);
        }

        @Override
        public void write(long offset, SgList src, boolean fua) {
            real.write(offset, src, fua);
        }

        @Override
        public void flush() {
        }

        @Override
        public boolean mayBlock() {
            return false;
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void aResizeTheStoreReportsIsACapacityChangeForEveryNexus() {
        ResizedStore store = new ResizedStore(1 << 20);
        try (DiskHarness h = new DiskHarness(store, DiskConfig.defaults())) {
            assertNotNull(store.listener, "the disk watches its store's size");
            store.backingSize = 2 << 20;
            store.listener.run();
            assertEquals((2 << 20) / 512, h.disk.capacity());
            h.run(NEXUS, TEST_UNIT_READY, SgList.EMPTY, 0).assertSense(SenseCode.CAPACITY_DATA_HAS_CHANGED);
            h.run(OTHER, TEST_UNIT_READY, SgList.EMPTY, 0).assertSense(SenseCode.CAPACITY_DATA_HAS_CHANGED);
            h.run(TEST_UNIT_READY).assertGood();
            assertEquals((2 << 20) / 512 - 1, BigEndian.s64(h.run(readCapacity16(32), 32).dataIn(), 0));
        }
    }

    @Test
    void aChangeOfLessThanABlockIsNoCapacityChange() {
        ResizedStore store = new ResizedStore(1 << 20);
        try (DiskHarness h = new DiskHarness(store, DiskConfig.defaults())) {
            store.backingSize = (1 << 20) + 100;
            store.listener.run();
            assertEquals((1 << 20) / 512, h.disk.capacity());
            h.run(TEST_UNIT_READY).assertGood();
        }
    }
}
