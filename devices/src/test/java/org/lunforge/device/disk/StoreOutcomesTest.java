package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.disk.DiskHarness.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lunforge.backstore.BlockStoreException;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.backstore.StoreOutcome;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SenseKey;
import org.lunforge.scsi.SgList;

/** The one mapper from store outcomes to sense, and what a failing store looks like to an initiator. */
class StoreOutcomesTest {
    @ParameterizedTest
    @EnumSource(StoreOutcome.class)
    void everyOutcomeHasASenseCode(StoreOutcome outcome) {
        SenseCode code = StoreOutcomes.senseCode(new BlockStoreException(outcome, "x"));
        assertNotNull(code);
        assertNotEquals(SenseKey.NO_SENSE, code.key());
    }

    @Test
    void mediumErrorsCarryTheCommandsLba() {
        var cc = StoreOutcomes.checkCondition(new BlockStoreException(StoreOutcome.READ_ERROR, "eio"), 1234);
        assertEquals(SenseCode.UNRECOVERED_READ_ERROR, cc.sense().code());
        assertEquals(1234L, cc.sense().information());
        assertEquals(SenseCode.SPACE_ALLOCATION_FAILED_WRITE_PROTECT,
                StoreOutcomes.senseCode(new BlockStoreException(StoreOutcome.NO_SPACE, "full")));
    }

    /** A store that fails every read and write with the given outcome, as a dying disk would. */
    static final class FailingStore extends MemoryBlockStoreWrapper {
        final StoreOutcome outcome;

        FailingStore(StoreOutcome outcome) {
            super(new MemoryBlockStore(1 << 20));
            this.outcome = outcome;
        }

        @Override
        public void read(long offset, SgList dst) {
            throw new BlockStoreException(outcome, "injected");
        }

        @Override
        public void write(long offset, SgList src, boolean fua) {
            throw new BlockStoreException(outcome, "injected");
        }
    }

    @Test
    void aFailingStoreBecomesCheckConditionNotACrash() {
        DiskHarness h = new DiskHarness(new FailingStore(StoreOutcome.READ_ERROR), DiskConfig.defaults());
        Response r = h.run(read10(77, 1), 512);
        r.assertSense(SenseCode.UNRECOVERED_READ_ERROR);
        assertEquals(77L, r.sense().information());
        h.close();
        DiskHarness full = new DiskHarness(new FailingStore(StoreOutcome.NO_SPACE), DiskConfig.defaults());
        full.run(write10(0, 1), new byte[512]).assertSense(SenseCode.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
        full.run(Cdb.of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), 8).assertGood();
        full.close();
    }

    /** Delegates everything; subclasses override what they break. */
    static class MemoryBlockStoreWrapper implements org.lunforge.backstore.BlockStore {
        final org.lunforge.backstore.BlockStore real;

        MemoryBlockStoreWrapper(org.lunforge.backstore.BlockStore real) {
            this.real = real;
        }

        @Override
        public long size() {
            return real.size();
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
            real.flush();
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
}
