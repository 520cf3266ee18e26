package org.lunforge.device.disk;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.TaskResponse;

/**
 * The disk's readiness and the commands about the medium as a whole: READ CAPACITY, SYNCHRONIZE CACHE, PRE-FETCH,
 * READ DEFECT DATA, START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL.
 *
 * <p>States: a fixed disk is started or stopped; stopped, medium access is NOT READY / INITIALIZING COMMAND REQUIRED
 * until START STOP UNIT with START (SBC-4 4.20). A removable disk's medium is loaded or ejected (LOEJ); ejected, it is
 * NOT READY / MEDIUM NOT PRESENT. A removable medium cannot spin down, so START without LOEJ leaves it ready, as
 * libiscsi's StartStopUnit.NoLoej expects. Ejection is refused while any I_T nexus prevents medium removal.
 */
final class DiskMedium {
    private final SbcDisk disk;
    private final Set<Nexus> preventing = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private volatile boolean loaded = true;

    DiskMedium(SbcDisk disk) {
        this.disk = disk;
    }

    void checkReady() {
        if (!loaded) {
            throw new CheckCondition(SenseCode.MEDIUM_NOT_PRESENT);
        }
        if (stopped) {
            throw new CheckCondition(SenseCode.LOGICAL_UNIT_NOT_READY_INITIALIZING_COMMAND_REQUIRED);
        }
    }

    boolean removalPrevented() {
        return !preventing.isEmpty();
    }

    /** LOGICAL UNIT RESET and target resets end every prevention (SBC-4 5.13). */
    void reset() {
        preventing.clear();
    }

    void nexusLost(Nexus nexus) {
        preventing.remove(nexus);
    }

    /**
     * READ CAPACITY (10) and (16) (SBC-4 5.22, 5.23). The capacity is re-probed first, so a resized store shows up
     * here (and as a unit attention for everyone). READ CAPACITY (10) returns FFFFFFFFh when the last LBA does not fit.
     */
    void readCapacity(ScsiTask task, SbcCommand.ReadCapacity r) {
        long blocks = disk.refreshCapacity();
        long last = blocks - 1;
        int bs = disk.blockLength();
        if (!r.sixteen()) {
            byte[] data = new byte[8];
            BigEndian.put32(data, 0, Long.compareUnsigned(last, 0xFFFFFFFFL) >= 0 ? 0xFFFFFFFFL : last);
            BigEndian.put32(data, 4, bs);
            disk.returnData(task, data, 8);
            return;
        }
        byte[] data = new byte[32];
        BigEndian.put64(data, 0, last);
        BigEndian.put32(data, 8, bs);
        data[12] = 0; // P_TYPE 0, PROT_EN 0: no protection information
        data[13] = (byte) disk.config().physicalBlockExponent(); // P_I_EXPONENT 0, LBPPBE
        boolean lbprz = disk.thin() && disk.store().unmapReadsZeros();
        data[14] = (byte) ((disk.thin() ? 0x80 : 0) | (lbprz ? 0x40 : 0)); // LBPME, LBPRZ; LOWEST ALIGNED LBA 0
        disk.returnData(task, data, r.allocationLength());
    }

    /**
     * SYNCHRONIZE CACHE (SBC-4 5.34): the range is checked, then everything is flushed (fdatasync has no range). With
     * IMMED the status is returned once the CDB is checked and the flush runs on the disk's executor.
     */
    void synchronizeCache(ScsiTask task, SbcCommand.SynchronizeCache s) {
        checkRangeToEnd(s.lba(), s.blocks());
        if (s.immediate() && disk.blocking()) {
            disk.lu().good(task, 0);
            disk.executor().execute(() -> {
                try {
                    disk.store().flush();
                } catch (RuntimeException e) {
                    System.getLogger(DiskMedium.class.getName()).log(System.Logger.Level.WARNING,
                            disk.name() + ": immediate cache flush failed", e);
                }
            });
            return;
        }
        disk.store().flush();
        disk.lu().good(task, 0);
    }

    /**
     * PRE-FETCH (SBC-4 5.11): the whole medium is as good as cached (memory, or the page cache of a file), so after
     * the range check the answer is CONDITION MET: the blocks fit in the cache.
     */
    void preFetch(ScsiTask task, SbcCommand.PreFetch p) {
        checkRangeToEnd(p.lba(), p.blocks());
        task.complete(TaskResponse.status(ScsiStatus.CONDITION_MET));
    }

    /** A NUMBER OF LOGICAL BLOCKS of 0 reaches from the LBA to the last one. */
    private void checkRangeToEnd(long lba, long blocks) {
        long cap = disk.capacity();
        if (Long.compareUnsigned(lba, cap) > 0) {
            throw new CheckCondition(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
        disk.checkRange(lba, blocks == 0 ? cap - lba : blocks);
    }

    /**
     * READ DEFECT DATA (SBC-4 5.20, 5.21): a virtual medium has no defects. The header echoes the requested lists
     * as valid (PLISTV, GLISTV) and the requested format, with a defect list length of zero.
     */
    void readDefectData(ScsiTask task, SbcCommand.ReadDefectData r) {
        int flags = (r.primary() ? 0x10 : 0) | (r.grown() ? 0x08 : 0) | r.format();
        byte[] data = new byte[r.twelve() ? 8 : 4];
        data[1] = (byte) flags;
        disk.returnData(task, data, r.allocationLength());
    }

    /** START STOP UNIT (SBC-4 5.27). */
    void startStopUnit(ScsiTask task, SbcCommand.StartStopUnit s) {
        if (s.powerCondition() != 0) {
            // A power condition change only; we have no power conditions to change (START and LOEJ are ignored).
            disk.lu().good(task, 0);
            return;
        }
        boolean removable = disk.config().removable();
        if (s.loadEject() && removable) {
            // SBC-4 5.27: while medium removal is prevented, LOEJ is refused in both directions: the medium
            // neither leaves nor enters (libiscsi's PreventAllow.Eject loads with PREVENT set and expects this).
            if (removalPrevented()) {
                throw new CheckCondition(SenseCode.MEDIUM_REMOVAL_PREVENTED);
            }
            if (s.start()) {
                loaded = true;
                stopped = false;
            } else {
                if (loaded && !s.noFlush()) {
                    disk.store().flush();
                }
                loaded = false;
            }
        } else if (s.start()) {
            stopped = false;
        } else if (!removable) {
            if (!s.noFlush()) {
                disk.store().flush();
            }
            stopped = true;
        }
        disk.lu().good(task, 0);
    }

    /** PREVENT ALLOW MEDIUM REMOVAL (SBC-4 5.13): prevention is held per I_T nexus until it allows or is lost. */
    void preventAllow(ScsiTask task, SbcCommand.PreventAllowMediumRemoval p) {
        if (p.prevent()) {
            preventing.add(task.nexus());
        } else {
            preventing.remove(task.nexus());
        }
        disk.lu().good(task, 0);
    }
}
