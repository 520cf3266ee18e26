package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.disk.DiskHarness.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.TargetPortGroups;

/** READ CAPACITY, SYNCHRONIZE CACHE, PRE-FETCH, READ DEFECT DATA, START STOP UNIT, PREVENT ALLOW. */
class MediumTest {
    final MemoryBlockStore memory = new MemoryBlockStore(2048 * 512);
    final CountingStore store = new CountingStore(memory, false);
    final DiskHarness h = new DiskHarness(store, DiskConfig.defaults());

    @AfterEach
    void close() {
        h.close();
    }

    static final Cdb TUR = Cdb.of(0, 0, 0, 0, 0, 0);
    static final Cdb READ_CAPACITY_10 = Cdb.of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    static Cdb startStop(boolean loej, boolean start) {
        return Cdb.of(0x1B, 0, 0, 0, (loej ? 2 : 0) | (start ? 1 : 0), 0);
    }

    static Cdb prevent(boolean on) {
        return Cdb.of(0x1E, 0, 0, 0, on ? 1 : 0, 0);
    }

    @Test
    void readCapacity10And16() {
        Response r10 = h.run(READ_CAPACITY_10, 8);
        r10.assertGood();
        assertEquals(2047, BigEndian.u32(r10.dataIn(), 0));
        assertEquals(512, BigEndian.u32(r10.dataIn(), 4));
        Response r16 = h.run(readCapacity16(32), 32);
        r16.assertGood();
        byte[] d = r16.dataIn();
        assertEquals(2047, BigEndian.s64(d, 0));
        assertEquals(512, BigEndian.u32(d, 8));
        assertEquals(0, d[12], "no protection information");
        assertEquals(0xC0, d[14] & 0xC0, "LBPME and LBPRZ on a thin memory disk");
    }

    @Test
    void readCapacityIsAnsweredThroughAStandbyPortAndTheMediumIsNot() {
        TargetPortGroups standby = TargetPortGroups.builder()
                .group(1, AsymmetricAccessState.STANDBY, false, 1).build();
        try (DiskHarness s = new DiskHarness(new MemoryBlockStore(2048 * 512), DiskConfig.defaults(), standby)) {
            Response r10 = s.run(READ_CAPACITY_10, 8);
            r10.assertGood();
            assertEquals(2047, BigEndian.u32(r10.dataIn(), 0));
            Response r16 = s.run(readCapacity16(32), 32);
            r16.assertGood();
            assertEquals(2047, BigEndian.s64(r16.dataIn(), 0));
            s.run(read10(0, 1), 512).assertSense(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
            s.run(write10(0, 1), new byte[512])
                    .assertSense(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
        }
    }

    @Test
    void readCapacity16AllocationLengthsBelow16AreNotErrors() {
        for (int i = 0; i < 16; i++) {
            Response r = h.run(readCapacity16(i), 32);
            r.assertGood();
            assertEquals(i, r.transferLength());
        }
    }

    @Test
    void physicalBlockExponentAndThickDisk() {
        DiskHarness d = new DiskHarness(new MemoryBlockStore(1 << 20),
                DiskConfig.defaults().withPhysicalBlockExponent(3).withThinProvisioned(false));
        byte[] rc = d.run(readCapacity16(32), 32).dataIn();
        assertEquals(3, rc[13] & 0x0F);
        assertEquals(0, rc[14] & 0xC0);
        assertEquals(0, BigEndian.u16(rc, 14) & 0x3FFF, "LOWEST ALIGNED LOGICAL BLOCK ADDRESS 0");
        d.close();
    }

    @Test
    void fourKibPhysicalBlocksShowInTheBlockLimitsGranularities() {
        DiskHarness d = new DiskHarness(new org.lunforge.backstore.MemoryBlockStore(1 << 20),
                DiskConfig.defaults().withPhysicalBlockExponent(3));
        assertEquals(3, d.run(readCapacity16(32), 32).dataIn()[13] & 0x0F, "LBPPBE: 8 logical per physical");
        byte[] b0 = d.run(org.lunforge.scsi.Cdb.of(0x12, 1, 0xB0, 0, 64, 0), 64).dataIn();
        assertEquals(8, BigEndian.u16(b0, 6), "OPTIMAL TRANSFER LENGTH GRANULARITY: one physical block");
        long unmapGranularity = BigEndian.u32(b0, 28);
        assertEquals(0, unmapGranularity % 8, "OPTIMAL UNMAP GRANULARITY: whole physical blocks");
        d.close();
        DiskHarness one = new DiskHarness(new org.lunforge.backstore.MemoryBlockStore(1 << 20), DiskConfig.defaults());
        assertEquals(0, one.run(readCapacity16(32), 32).dataIn()[13] & 0x0F);
        assertEquals(1, BigEndian.u16(one.run(org.lunforge.scsi.Cdb.of(0x12, 1, 0xB0, 0, 64, 0), 64).dataIn(), 6));
        one.close();
    }

    @Test
    void readCapacity10SaturatesAbove32Bits() {
        DiskHarness big = new DiskHarness(new MemoryBlockStore(3L << 40), DiskConfig.defaults());
        Response r = big.run(READ_CAPACITY_10, 8);
        assertEquals(0xFFFFFFFFL, BigEndian.u32(r.dataIn(), 0));
        assertEquals((3L << 31) - 1, BigEndian.s64(big.run(readCapacity16(32), 32).dataIn(), 0));
        big.close();
    }

    @Test
    void aResizedStoreRaisesCapacityDataHasChangedForEveryNexus() {
        h.run(TUR).assertGood();
        h.run(OTHER, TUR, org.lunforge.scsi.SgList.EMPTY, 0).assertGood();
        memory.resize(4096 * 512);
        assertEquals(4096, h.disk.refreshCapacity());
        h.run(TUR).assertSense(SenseCode.CAPACITY_DATA_HAS_CHANGED);
        h.run(OTHER, TUR, org.lunforge.scsi.SgList.EMPTY, 0).assertSense(SenseCode.CAPACITY_DATA_HAS_CHANGED);
        assertEquals(4095, BigEndian.s64(h.run(readCapacity16(32), 32).dataIn(), 0));
        h.run(read10(4095, 1), 512).assertGood();
        h.disk.refreshCapacity();
        h.run(TUR).assertGood(); // unchanged: no new attention
    }

    @Test
    void synchronizeCacheFlushesAndChecksItsRange() {
        h.run(Cdb.of(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertGood();
        assertEquals(1, store.flushes.get());
        h.run(cdb16(0x91, 0, 2047, 1)).assertGood();
        assertEquals(2, store.flushes.get());
        h.run(cdb16(0x91, 0, 2047, 2)).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(cdb10(0x35, 0x06, 0, 1)).assertGood(); // IMMED and the obsolete SYNC_NV
        assertEquals(3, store.flushes.get());
    }

    @Test
    void preFetchIsConditionMet() {
        Response r = h.run(cdb10(0x34, 0, 0, 256));
        assertEquals(ScsiStatus.CONDITION_MET, r.status());
        assertEquals(ScsiStatus.CONDITION_MET, h.run(cdb16(0x90, 0x02, 2047, 1)).status());
        assertEquals(ScsiStatus.CONDITION_MET, h.run(cdb10(0x34, 0, 0, 0)).status());
        h.run(cdb10(0x34, 0, 2049, 0)).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(cdb16(0x90, 0, -1L, 1)).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        h.run(cdb10(0x34, 0, 2047, 2)).assertSense(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
    }

    @Test
    void readDefectDataIsAnEmptyListInTheRequestedFormat() {
        Response r = h.run(Cdb.of(0x37, 0, 0x18 | 5, 0, 0, 0, 0, 0, 32, 0), 32);
        r.assertGood();
        assertArrayEquals(new byte[] {0, 0x18 | 5, 0, 0}, r.dataIn());
        r = h.run(Cdb.of(0xB7, 0x08 | 4, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), 32);
        r.assertGood();
        assertArrayEquals(new byte[] {0, 0x08 | 4, 0, 0, 0, 0, 0, 0}, r.dataIn());
    }

    @Test
    void stoppedFixedDiskNeedsAnInitializingCommand() {
        h.run(startStop(false, false)).assertGood();
        assertEquals(1, store.flushes.get(), "stopping flushes unless NO_FLUSH");
        h.run(TUR).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_INITIALIZING_COMMAND_REQUIRED);
        h.run(read10(0, 1), 512).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_INITIALIZING_COMMAND_REQUIRED);
        h.run(READ_CAPACITY_10, 8).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_INITIALIZING_COMMAND_REQUIRED);
        h.run(startStop(false, true)).assertGood();
        h.run(TUR).assertGood();
        h.run(read10(0, 1), 512).assertGood();
        h.run(startStop(true, false)).assertGood(); // LOEJ on a fixed disk does not eject: it only stops
        h.run(TUR).assertSense(SenseCode.LOGICAL_UNIT_NOT_READY_INITIALIZING_COMMAND_REQUIRED);
        h.run(startStop(true, true)).assertGood();
        h.run(TUR).assertGood();
    }

    @Test
    void powerConditionsOtherThanStartValidLeaveTheUnitReady() {
        for (int pc = 1; pc < 16; pc++) {
            h.run(Cdb.of(0x1B, 1, 0, 0, (pc << 4) | 2, 0)).assertGood();
            h.run(TUR).assertGood();
        }
    }

    @Test
    void removableMediumEjectsLoadsAndHonoursPrevention() {
        DiskHarness r = new DiskHarness(new MemoryBlockStore(1 << 20), DiskConfig.defaults().withRemovable(true));
        assertTrue(r.disk.removableMedium());
        r.run(startStop(false, false)).assertGood(); // no LOEJ: a removable medium does not spin down
        r.run(TUR).assertGood();
        r.run(prevent(true)).assertGood();
        r.run(startStop(true, false)).assertSense(SenseCode.MEDIUM_REMOVAL_PREVENTED);
        r.run(OTHER, startStop(true, false), org.lunforge.scsi.SgList.EMPTY, 0)
                .assertSense(SenseCode.MEDIUM_REMOVAL_PREVENTED);
        r.run(TUR).assertGood();
        r.run(prevent(false)).assertGood();
        r.run(startStop(true, false)).assertGood();
        r.run(TUR).assertSense(SenseCode.MEDIUM_NOT_PRESENT);
        r.run(read10(0, 1), 512).assertSense(SenseCode.MEDIUM_NOT_PRESENT);
        r.run(readCapacity16(32), 32).assertSense(SenseCode.MEDIUM_NOT_PRESENT);
        r.run(cdb10(0x35, 0, 0, 0)).assertSense(SenseCode.MEDIUM_NOT_PRESENT);
        r.run(startStop(true, false)).assertGood(); // already ejected
        r.run(prevent(true)).assertGood();
        r.run(startStop(true, true)).assertSense(SenseCode.MEDIUM_REMOVAL_PREVENTED); // nor is loading
        r.run(TUR).assertSense(SenseCode.MEDIUM_NOT_PRESENT);
        r.run(prevent(false)).assertGood();
        r.run(startStop(true, true)).assertGood();
        r.run(TUR).assertGood();
        r.close();
    }

    /** libiscsi's NoMedia sweep: with the medium ejected every medium access is NOT READY, MEDIUM NOT PRESENT. */
    @Test
    void everyMediumAccessNeedsTheMedium() {
        DiskHarness r = new DiskHarness(new MemoryBlockStore(1 << 20), DiskConfig.defaults().withRemovable(true));
        r.run(startStop(true, false)).assertGood();
        Cdb[] reads = {read10(0, 1), cdb12(0xA8, 0, 0, 1), read16(0, 1), READ_CAPACITY_10, readCapacity16(32),
                cdb10(0x35, 0x02, 0, 1), cdb16(0x91, 0x02, 0, 1), cdb10(0x2F, 0x02, 0, 1), cdb12(0xAF, 0x02, 0, 1),
                cdb16(0x8F, 0x02, 0, 1), getLbaStatus(0, 24), cdb10(0x34, 0x02, 0, 1), cdb16(0x90, 0x02, 0, 1)};
        for (Cdb cdb : reads) {
            r.run(NEXUS, cdb, org.lunforge.scsi.SgList.wrap(new byte[512]), 512).assertSense(
                    SenseCode.MEDIUM_NOT_PRESENT);
        }
        Cdb[] writes = {write10(0, 1), cdb12(0xAA, 0, 0, 1), write16(0, 1), compareAndWrite(0, 1),
                cdb16(0x8B, 0, 0, 1), unmap(24), cdb10(0x41, 0, 0, 1), cdb16(0x93, 0, 0, 1), cdb10(0x2E, 0x02, 0, 1),
                cdb12(0xAE, 0x02, 0, 1), cdb16(0x8E, 0x02, 0, 1)};
        for (Cdb cdb : writes) {
            r.run(cdb, new byte[1024]).assertSense(SenseCode.MEDIUM_NOT_PRESENT);
        }
        r.run(startStop(true, true)).assertGood();
        r.run(TUR).assertGood();
        r.close();
    }

    @Test
    void preventionEndsWithTheNexusAndWithAReset() {
        DiskHarness r = new DiskHarness(new MemoryBlockStore(1 << 20), DiskConfig.defaults().withRemovable(true));
        r.run(prevent(true)).assertGood();
        r.lu.nexusLost(NEXUS);
        r.run(OTHER, startStop(true, false), org.lunforge.scsi.SgList.EMPTY, 0).assertGood();
        r.run(OTHER, startStop(true, true), org.lunforge.scsi.SgList.EMPTY, 0).assertGood();
        r.clearAttention(NEXUS); // a nexus that comes back is a new one: it sees the reset first
        r.run(prevent(true)).assertGood();
        r.lu.reset(NEXUS);
        r.clearAttention(NEXUS);
        r.run(startStop(true, false)).assertGood();
        r.close();
    }

    @Test
    void preventAllowIsOnlyOfferedByRemovableDisks() {
        h.run(prevent(true)).assertSense(SenseCode.INVALID_COMMAND_OPERATION_CODE);
    }
}
