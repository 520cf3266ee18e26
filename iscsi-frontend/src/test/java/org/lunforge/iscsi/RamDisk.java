package org.lunforge.iscsi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Collection;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.DeviceServer;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.PeripheralDeviceType;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.StateStore;

/**
 * A minimal direct-access device in memory, for testing the iSCSI frontend end to end: READ CAPACITY, READ, WRITE
 * and WRITE AND VERIFY. It completes on the calling thread, or, given an executor, later on that executor (as a
 * file backstore would). Moves only whole blocks that fit the buffers it is given, and reports the transfer length
 * the CDB asked for, so the transport can compute residuals.
 */
final class RamDisk implements DeviceServer {
    private final MemorySegment memory;
    private final int blockSize;
    private final long blocks;
    private final Executor executor;
    /** Non-null: reads lend a snapshot (in two pieces) where the task takes it, counting the loans out. */
    private final AtomicInteger loansOut;
    private LogicalUnit lu;

    RamDisk(long bytes, int blockSize, Executor executor) {
        this(bytes, blockSize, executor, null);
    }

    RamDisk(long bytes, int blockSize, Executor executor, AtomicInteger loansOut) {
        this.memory = Arena.ofShared().allocate(bytes, 4096);
        this.blockSize = blockSize;
        this.blocks = bytes / blockSize;
        this.executor = executor;
        this.loansOut = loansOut;
    }

    /** A RAM disk that lends its reads as Data-In; {@code loansOut} counts loans not yet given back. */
    static LogicalUnit lendingLogicalUnit(String name, long bytes, Executor executor, AtomicInteger loansOut) {
        return new LogicalUnit(name, LogicalUnitIdentity.of("LUNFORGE", "RAMDISK", "0001", UUID.nameUUIDFromBytes(
                name.getBytes())), new RamDisk(bytes, 512, executor, loansOut), StateStore.inMemory());
    }

    /** A logical unit over a new RAM disk; completions on the caller's thread when {@code executor} is null. */
    static LogicalUnit logicalUnit(String name, long bytes, Executor executor) {
        return new LogicalUnit(name, LogicalUnitIdentity.of("LUNFORGE", "RAMDISK", "0001", UUID.nameUUIDFromBytes(
                name.getBytes())), new RamDisk(bytes, 512, executor, null), StateStore.inMemory());
    }

    @Override
    public PeripheralDeviceType deviceType() {
        return PeripheralDeviceType.DIRECT_ACCESS_BLOCK;
    }

    @Override
    public boolean removableMedium() {
        return false;
    }

    @Override
    public Collection<? extends Operation> operations() {
        return Arrays.asList(RamDiskOperation.values());
    }

    @Override
    public void attach(LogicalUnit logicalUnit) {
        this.lu = logicalUnit;
    }

    @Override
    public void execute(ScsiTask task, Command command) {
        if (executor == null) {
            run(task, (RamDiskCommand) command);
        } else {
            executor.execute(() -> run(task, (RamDiskCommand) command));
        }
    }

    private void run(ScsiTask task, RamDiskCommand command) {
        try {
            switch (command) {
                case RamDiskCommand.ReadCapacity rc -> readCapacity(task, rc);
                case RamDiskCommand.Read r -> {
                    checkRange(r.lba(), r.blocks());
                    long wanted = Math.min(r.blocks() * blockSize, task.expectedTransferLength());
                    if (loansOut != null && wanted > 1 && task.takesLentDataIn()) {
                        MemorySegment copy = Arena.ofAuto().allocate(wanted);
                        copy.copyFrom(memory.asSlice(r.lba() * blockSize, wanted));
                        AtomicBoolean given = new AtomicBoolean();
                        loansOut.incrementAndGet();
                        task.lendDataIn(SgList.of(copy.asSlice(0, wanted / 2).asReadOnly(),
                                copy.asSlice(wanted / 2).asReadOnly()), () -> {
                                    if (!given.compareAndSet(false, true)) {
                                        throw new AssertionError("loan given back twice");
                                    }
                                    loansOut.decrementAndGet();
                                });
                        lu.good(task, r.blocks() * blockSize);
                        return;
                    }
                    SgList in = task.dataIn();
                    long bytes = Math.min(r.blocks() * blockSize, in.length());
                    if (bytes > 0) {
                        in.copyFrom(0, memory.asSlice(r.lba() * blockSize, bytes));
                    }
                    lu.good(task, r.blocks() * blockSize);
                }
                case RamDiskCommand.Write w -> {
                    checkRange(w.lba(), w.blocks());
                    SgList out = task.dataOut();
                    long whole = Math.min(w.blocks(), out.length() / blockSize) * blockSize;
                    if (whole > 0) {
                        out.copyTo(0, memory.asSlice(w.lba() * blockSize, whole));
                    }
                    lu.good(task, w.blocks() * blockSize);
                }
            }
        } catch (RuntimeException e) {
            lu.fail(task, e);
        }
    }

    private void checkRange(long lba, long count) {
        if (lba < 0 || lba > blocks || count > blocks - lba) {
            throw new CheckCondition(org.lunforge.scsi.Sense.of(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE));
        }
    }

    private void readCapacity(ScsiTask task, RamDiskCommand.ReadCapacity rc) {
        byte[] data;
        if (rc.sixteen()) {
            data = new byte[32];
            BigEndian.put64(data, 0, blocks - 1);
            BigEndian.put32(data, 8, blockSize);
        } else {
            data = new byte[8];
            BigEndian.put32(data, 0, Math.min(blocks - 1, 0xFFFF_FFFFL));
            BigEndian.put32(data, 4, blockSize);
        }
        int length = (int) Math.min(data.length, rc.allocationLength());
        task.dataIn().put(0, Arrays.copyOf(data, length));
        lu.good(task, length);
    }
}
