package org.lunforge.device.disk;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.BlockStoreException;
import org.lunforge.scsi.BlockDescriptor;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.ModePageDefinition;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.PeripheralDeviceType;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.VpdPage;

/**
 * The SBC-4 direct-access block device server: a disk over a {@link BlockStore}.
 *
 * <p>Threading. A store that cannot block (memory) is served on the caller's thread: no hop, no queue, data copied
 * once between the task's buffers and the store. A store that can block (file, block device) is served from this
 * disk's own executor of virtual threads, so a network event loop never waits for the disk and a slow disk never
 * holds up another. Work proportional to a range rather than to a data buffer (WRITE SAME over gigabytes, VERIFY,
 * EXTENDED COPY) always goes to the executor.
 *
 * <p>Commands that must be atomic against others on the same LBAs hold the {@link RangeLock} exclusively; ordinary
 * I/O takes its anonymous shared hold, which costs a striped counter increment.
 *
 * <p>Capacity is the store's size in whole logical blocks, re-probed by READ CAPACITY and {@link #refreshCapacity},
 * which a store that learns of resizes by itself (an RBD image's watch) calls through {@link BlockStore#watchSize};
 * a change establishes CAPACITY DATA HAS CHANGED for every I_T nexus (SBC-4 4.10).
 */
public final class SbcDisk implements org.lunforge.scsi.DeviceServer {
    private static final System.Logger LOG = System.getLogger(SbcDisk.class.getName());
    /** Range commands larger than this go to the executor even on a store that never blocks. */
    static final long BULK_BYTES = 1 << 20;

    private final String name;
    private final BlockStore store;
    private final DiskConfig config;
    private final int blockLength;
    private final boolean thin;
    private final boolean blocking;
    private final RangeLock rangeLock = new RangeLock();
    private final ExecutorService executor;
    private final BlockReadWrite readWrite = new BlockReadWrite(this);
    private final BlockProvisioning provisioning = new BlockProvisioning(this);
    private final DiskMedium medium;
    private final ExtendedCopyManager copyManager;
    private final DiskSanitize sanitize = new DiskSanitize(this);
    private final DiskVpdPages vpdPages;
    private final List<Operation> operations;
    private volatile long capacity;
    private volatile boolean writeCache = true;
    private volatile LogicalUnit lu;

    public SbcDisk(String name, BlockStore store, DiskConfig config) {
        this.name = Objects.requireNonNull(name, "name");
        this.store = Objects.requireNonNull(store, "store");
        this.config = Objects.requireNonNull(config, "config");
        this.blockLength = config.blockLength();
        this.thin = config.thinProvisioned() && store.supportsUnmap() && !store.readOnly();
        this.blocking = store.mayBlock();
        this.capacity = store.size() / blockLength;
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("disk-" + name + "-", 0).factory());
        this.medium = new DiskMedium(this);
        this.copyManager = new ExtendedCopyManager(this);
        this.vpdPages = new DiskVpdPages(this);
        List<Operation> ops = new ArrayList<>();
        for (SbcOperation op : SbcOperation.values()) {
            boolean offered = switch (op) {
                case UNMAP -> thin;
                case PREVENT_ALLOW_MEDIUM_REMOVAL -> config.removable();
                case WRITE_ATOMIC_16 -> config.maxAtomicTransferBlocks() > 0;
                case SANITIZE_BLOCK_ERASE -> DiskSanitize.canBlockErase(this);
                default -> true;
            };
            if (offered) {
                ops.add(op);
            }
        }
        this.operations = List.copyOf(ops);
        store.watchSize(this::refreshCapacity); // last: the store may call it from its own thread from now on
    }

    @Override
    public PeripheralDeviceType deviceType() {
        return PeripheralDeviceType.DIRECT_ACCESS_BLOCK;
    }

    @Override
    public boolean removableMedium() {
        return config.removable();
    }

    /**
     * SBC-3 (no version claimed, 04C0h) and SBC-4 (no version claimed, 0600h): SBC-4 is a superset, and initiators
     * and conformance suites (libiscsi) look for the SBC-3 code to expect READ CAPACITY (16) and the 3Ch Block Limits.
     */
    @Override
    public int[] versionDescriptors() {
        return new int[] {0x04C0, 0x0600};
    }

    @Override
    public boolean thirdPartyCopy() {
        return true;
    }

    @Override
    public Collection<? extends Operation> operations() {
        return operations;
    }

    @Override
    public void attach(LogicalUnit logicalUnit) {
        if (lu != null) {
            throw new IllegalStateException(name + " is already attached to " + lu);
        }
        lu = logicalUnit;
    }

    @Override
    public void execute(ScsiTask task, Command command) {
        SbcCommand c = (SbcCommand) command;
        if (offload(c)) {
            executor.execute(() -> serve(task, c));
        } else {
            serve(task, c);
        }
    }

    /** True if the command is served from the executor rather than on the caller's thread. */
    private boolean offload(SbcCommand c) {
        return switch (c) {
            case SbcCommand.ReadCapacity r -> false;
            case SbcCommand.ReadDefectData r -> false;
            case SbcCommand.PreventAllowMediumRemoval p -> false;
            case SbcCommand.ReceiveCopyResults r -> false;
            case SbcCommand.PreFetch p -> false;
            case SbcCommand.Sanitize s -> false; // checks its parameters here; the operation has its own thread
            case SbcCommand.ExtendedCopy x -> false; // resolves its targets here, then moves data on the executor
            case SbcCommand.WriteSame w -> blocking || w.blocks() == 0 || w.blocks() * blockLength > BULK_BYTES;
            // BYTCHK 00b and 11b read the whole range, however large; 01b compares at most the Data-Out
            case SbcCommand.Verify v -> blocking || v.blocks() * blockLength > BULK_BYTES;
            default -> blocking;
        };
    }

    private void serve(ScsiTask task, SbcCommand command) {
        if (task.isAborted()) { // aborted while queued for the executor: its answer is dropped, skip the I/O
            task.complete(org.lunforge.scsi.TaskResponse.status(org.lunforge.scsi.ScsiStatus.TASK_ABORTED));
            return;
        }
        try {
            switch (command) {
                case SbcCommand.Read r -> readWrite.read(task, r);
                case SbcCommand.Write w -> readWrite.write(task, w);
                case SbcCommand.WriteAndVerify w -> readWrite.writeAndVerify(task, w);
                case SbcCommand.Verify v -> readWrite.verify(task, v);
                case SbcCommand.OrWrite o -> readWrite.orWrite(task, o);
                case SbcCommand.WriteAtomic w -> readWrite.writeAtomic(task, w);
                case SbcCommand.CompareAndWrite c -> readWrite.compareAndWrite(task, c);
                case SbcCommand.WriteSame w -> provisioning.writeSame(task, w);
                case SbcCommand.Unmap u -> provisioning.unmap(task, u);
                case SbcCommand.GetLbaStatus g -> provisioning.getLbaStatus(task, g);
                case SbcCommand.ReadCapacity r -> medium.readCapacity(task, r);
                case SbcCommand.SynchronizeCache s -> medium.synchronizeCache(task, s);
                case SbcCommand.PreFetch p -> medium.preFetch(task, p);
                case SbcCommand.ReadDefectData r -> medium.readDefectData(task, r);
                case SbcCommand.StartStopUnit s -> medium.startStopUnit(task, s);
                case SbcCommand.PreventAllowMediumRemoval p -> medium.preventAllow(task, p);
                case SbcCommand.ExtendedCopy x -> copyManager.extendedCopy(task, x);
                case SbcCommand.ReceiveCopyResults r -> copyManager.receiveCopyResults(task, r);
                case SbcCommand.Sanitize s -> sanitize.sanitize(task, s);
            }
        } catch (BlockStoreException e) {
            lu.fail(task, StoreOutcomes.checkCondition(e, lbaOf(command)));
        } catch (RuntimeException e) {
            lu.fail(task, e);
        }
    }

    private static long lbaOf(SbcCommand c) {
        return switch (c) {
            case SbcCommand.Read r -> r.lba();
            case SbcCommand.Write w -> w.lba();
            case SbcCommand.WriteAndVerify w -> w.lba();
            case SbcCommand.Verify v -> v.lba();
            case SbcCommand.OrWrite o -> o.lba();
            case SbcCommand.WriteAtomic w -> w.lba();
            case SbcCommand.CompareAndWrite c2 -> c2.lba();
            case SbcCommand.WriteSame w -> w.lba();
            default -> 0;
        };
    }

    @Override
    public void checkReady() {
        sanitize.checkReady();
        medium.checkReady();
    }

    /** A sanitize operation in progress, or the failure mode a failed one left (SBC-4 4.11). */
    @Override
    public void checkMediumOperation(Operation op) {
        sanitize.checkMediumOperation(op);
    }

    @Override
    public boolean writeProtected() {
        return config.writeProtected() || store.readOnly();
    }

    @Override
    public List<VpdPage> vpdPages() {
        return vpdPages.pages();
    }

    @Override
    public List<ModePageDefinition> modePages() {
        return DiskModePages.definitions();
    }

    @Override
    public void modePageChanged(ModePageDefinition page, byte[] current) {
        if (page.pageCode() == DiskModePages.CACHING && page.subpageCode() == 0) {
            writeCache = DiskModePages.writeCacheEnabled(current);
        }
    }

    @Override
    public BlockDescriptor blockDescriptor() {
        return new BlockDescriptor(0, capacity, blockLength);
    }

    /** SBC-4 6.5.1: WP (bit 7) and DPOFUA (bit 4): DPO and FUA are honoured. */
    @Override
    public int deviceSpecificParameter() {
        return (writeProtected() ? 0x80 : 0) | 0x10;
    }

    @Override
    public void reset() {
        medium.reset();
    }

    /**
     * The I_T nexus is gone: its medium removal prevention ends (SBC-4 5.13) and its held copy results are dropped.
     */
    @Override
    public void nexusLost(Nexus nexus) {
        medium.nexusLost(nexus);
        copyManager.nexusLost(nexus);
    }

    @Override
    public void close() {
        sanitize.stop();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, name + ": I/O still running at close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }

    /**
     * Re-probes the store's size; if the capacity in logical blocks changed, adopts it and establishes CAPACITY DATA
     * HAS CHANGED for every nexus. Returns the capacity in blocks.
     */
    public long refreshCapacity() {
        long now = store.probeSize() / blockLength;
        if (now != capacity) {
            capacity = now;
            LogicalUnit unit = lu;
            if (unit != null) {
                unit.unitAttentions().establishForAllExcept(null, SenseCode.CAPACITY_DATA_HAS_CHANGED);
            }
        }
        return now;
    }

    // ---- what the command families share

    String name() {
        return name;
    }

    BlockStore store() {
        return store;
    }

    DiskConfig config() {
        return config;
    }

    int blockLength() {
        return blockLength;
    }

    /** Capacity in logical blocks. */
    public long capacity() {
        return capacity;
    }

    boolean thin() {
        return thin;
    }

    boolean blocking() {
        return blocking;
    }

    boolean writeCacheEnabled() {
        return writeCache;
    }

    RangeLock rangeLock() {
        return rangeLock;
    }

    ExecutorService executor() {
        return executor;
    }

    LogicalUnit lu() {
        return lu;
    }

    DiskMedium medium() {
        return medium;
    }

    DiskSanitize sanitizeState() {
        return sanitize;
    }

    /** The NAA designator of the logical unit this disk serves, or null before it is attached. */
    public byte[] naa() {
        LogicalUnit unit = lu;
        return unit == null ? null : unit.identity().naa();
    }

    /**
     * SBC-4 4.5: LBA OUT OF RANGE unless {@code [lba, lba + blocks)} lies within the capacity. LBAs are unsigned, so
     * -1 and 2^63 are beyond any capacity, and the check cannot wrap around.
     */
    void checkRange(long lba, long blocks) {
        long cap = capacity;
        if (Long.compareUnsigned(lba, cap) > 0 || Long.compareUnsigned(blocks, cap - lba) > 0) {
            throw new CheckCondition(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
    }

    /** INVALID FIELD IN CDB at the transfer length if it exceeds MAXIMUM TRANSFER LENGTH (SBC-4 6.6.4). */
    void checkTransferLength(long blocks, int lengthField) {
        if (blocks > config.maxTransferBlocks()) {
            throw CheckCondition.invalidFieldInCdb(lengthField, 7);
        }
    }

    /** Returns parameter data truncated to the allocation length (SPC-4 4.2.5.6), and completes GOOD. */
    void returnData(ScsiTask task, byte[] data, long allocationLength) {
        int n = (int) Math.min(data.length, allocationLength);
        task.dataIn(n).put(0, n == data.length ? data : java.util.Arrays.copyOf(data, n));
        lu.good(task, n);
    }

    @Override
    public String toString() {
        return "SbcDisk[" + name + ", " + store + ", " + capacity + " x " + blockLength + "]";
    }
}
