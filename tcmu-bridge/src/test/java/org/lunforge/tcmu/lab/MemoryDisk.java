package org.lunforge.tcmu.lab;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.DeviceServer;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.OperationTrait;
import org.lunforge.scsi.PeripheralDeviceType;
import org.lunforge.scsi.ReservationClass;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SenseCode;

/**
 * A minimal in-memory SBC disk for the bridge's own kernel experiments (test scope; the real disk lives in devices):
 * READ CAPACITY (10/16), READ and WRITE (10/16), SYNCHRONIZE CACHE (10). INQUIRY, TEST UNIT READY and REQUEST SENSE
 * come from the SCSI core. Data moves between the ring's iovecs and native memory without intermediate buffers.
 */
public final class MemoryDisk implements DeviceServer {
    private final MemorySegment blocks;
    private final int blockSize;
    private final long blockCount;
    private LogicalUnit lu;

    public MemoryDisk(long sizeBytes, int blockSize) {
        this.blockSize = blockSize;
        this.blockCount = sizeBytes / blockSize;
        this.blocks = Arena.ofShared().allocate(blockCount * blockSize, 4096);
    }

    sealed interface DiskCommand extends Command {
    }

    record Read(long lba, long count) implements DiskCommand {
    }

    record Write(long lba, long count) implements DiskCommand {
    }

    record ReadCapacity(boolean sixteen, long allocationLength) implements DiskCommand {
    }

    record SynchronizeCache() implements DiskCommand {
    }

    enum DiskOperation implements Operation {
        /** SBC-4 5.16. */
        READ_10(0x28, "28 18 ff ff ff ff 1f ff ff 00", c -> new Read(c.u32(2), c.u16(7)), ReservationClass.READ,
                EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
        /** SBC-4 5.18. */
        READ_16(0x88, "88 18 ff ff ff ff ff ff ff ff ff ff ff ff 1f 00", c -> new Read(c.s64(2), c.u32(10)),
                ReservationClass.READ, EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
        /** SBC-4 5.40. */
        WRITE_10(0x2A, "2a 18 ff ff ff ff 1f ff ff 00", c -> new Write(c.u32(2), c.u16(7)), ReservationClass.WRITE,
                EnumSet.of(OperationTrait.NEEDS_MEDIUM, OperationTrait.WRITES_MEDIUM)),
        /** SBC-4 5.42. */
        WRITE_16(0x8A, "8a 18 ff ff ff ff ff ff ff ff ff ff ff ff 1f 00", c -> new Write(c.s64(2), c.u32(10)),
                ReservationClass.WRITE, EnumSet.of(OperationTrait.NEEDS_MEDIUM, OperationTrait.WRITES_MEDIUM)),
        /** SBC-4 5.20. */
        READ_CAPACITY_10(0x25, "25 00 00 00 00 00 00 00 00 00", c -> new ReadCapacity(false, 8),
                ReservationClass.ALLOWED_UNLESS_RESERVED, EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
        /** SBC-4 5.21 (SERVICE ACTION IN (16), service action 10h). */
        READ_CAPACITY_16(0x9E, 0x10, "9e 10 00 00 00 00 00 00 00 00 ff ff ff ff 00 00",
                c -> new ReadCapacity(true, c.u32(10)), ReservationClass.ALLOWED_UNLESS_RESERVED,
                EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
        /** SBC-4 5.26. */
        SYNCHRONIZE_CACHE_10(0x35, "35 02 ff ff ff ff 1f ff ff 00", c -> new SynchronizeCache(),
                ReservationClass.WRITE, EnumSet.of(OperationTrait.NEEDS_MEDIUM));

        private final int opcode;
        private final int serviceAction;
        private final byte[] usage;
        private final Function<Cdb, Command> decoder;
        private final ReservationClass reservationClass;
        private final Set<OperationTrait> traits;

        DiskOperation(int opcode, String usage, Function<Cdb, Command> decoder, ReservationClass rc,
                      Set<OperationTrait> traits) {
            this(opcode, NO_SERVICE_ACTION, usage, decoder, rc, traits);
        }

        DiskOperation(int opcode, int serviceAction, String usage, Function<Cdb, Command> decoder,
                      ReservationClass rc, Set<OperationTrait> traits) {
            this.opcode = opcode;
            this.serviceAction = serviceAction;
            this.usage = CommandTable.usage(usage);
            this.decoder = decoder;
            this.reservationClass = rc;
            this.traits = Set.copyOf(traits);
        }

        @Override
        public String displayName() {
            return name().replace('_', ' ');
        }

        @Override
        public int opcode() {
            return opcode;
        }

        @Override
        public int serviceAction() {
            return serviceAction;
        }

        @Override
        public byte[] cdbUsage() {
            return usage;
        }

        @Override
        public Command decode(Cdb cdb) {
            return decoder.apply(cdb);
        }

        @Override
        public ReservationClass reservationClass() {
            return reservationClass;
        }

        @Override
        public Set<OperationTrait> traits() {
            return traits;
        }
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
    public List<? extends Operation> operations() {
        return List.of(DiskOperation.values());
    }

    @Override
    public void attach(LogicalUnit logicalUnit) {
        this.lu = logicalUnit;
    }

    @Override
    public void execute(ScsiTask task, Command command) {
        switch ((DiskCommand) command) {
            case Read r -> {
                long bytes = range(r.lba(), r.count());
                checkLength(task, bytes);
                task.dataIn().copyFrom(0, blocks.asSlice(r.lba() * blockSize, bytes));
                lu.good(task, bytes);
            }
            case Write w -> {
                long bytes = range(w.lba(), w.count());
                checkLength(task, bytes);
                task.dataOut().copyTo(0, blocks.asSlice(w.lba() * blockSize, bytes));
                lu.good(task, bytes);
            }
            case ReadCapacity rc -> {
                byte[] data;
                if (rc.sixteen()) {
                    data = new byte[32];
                    BigEndian.put64(data, 0, blockCount - 1);
                    BigEndian.put32(data, 8, blockSize);
                } else {
                    data = new byte[8];
                    BigEndian.put32(data, 0, Math.min(blockCount - 1, 0xFFFFFFFFL));
                    BigEndian.put32(data, 4, blockSize);
                }
                int n = (int) Math.min(data.length, rc.allocationLength());
                task.dataIn().put(0, java.util.Arrays.copyOf(data, n));
                lu.good(task, n);
            }
            case SynchronizeCache s -> lu.good(task, 0);
        }
    }

    private long range(long lba, long count) {
        if (lba < 0 || count < 0 || lba > blockCount || count > blockCount - lba) {
            throw new CheckCondition(SenseCode.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        }
        return count * blockSize;
    }

    private static void checkLength(ScsiTask task, long bytes) {
        if (task.expectedTransferLength() < bytes) {
            throw new CheckCondition(SenseCode.INVALID_FIELD_IN_CDB);
        }
    }
}
