package org.lunforge.iscsi;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.OperationTrait;
import org.lunforge.scsi.ReservationClass;

/**
 * The few SBC-4 commands the test RAM disk serves: enough for iscsi-test-cu's set-up and the iSCSI family (READ
 * CAPACITY, READ and WRITE 10/12/16, WRITE AND VERIFY for the residual tests) and for iscsi-perf. The real disk
 * lives in devices/; this one exists so the frontend can be tested end to end on its own.
 */
enum RamDiskOperation implements Operation {
    /** SBC-4 5.20. */
    READ_CAPACITY_10(0x25, NO_SERVICE_ACTION, "25 00 00 00 00 00 00 00 00 00", RamDiskCommand::readCapacity10,
            ReservationClass.ALLOWED_UNLESS_RESERVED, EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
    /** SBC-4 5.21. */
    READ_CAPACITY_16(0x9E, 0x10, "9e 10 00 00 00 00 00 00 00 00 ff ff ff ff 00 00", RamDiskCommand::readCapacity16,
            ReservationClass.ALLOWED_UNLESS_RESERVED, EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
    /** SBC-4 5.15-5.17. */
    READ_10(0x28, NO_SERVICE_ACTION, "28 18 ff ff ff ff 00 ff ff 00", RamDiskCommand::read10, ReservationClass.READ,
            EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
    READ_12(0xA8, NO_SERVICE_ACTION, "a8 18 ff ff ff ff ff ff ff ff 00 00", RamDiskCommand::read12,
            ReservationClass.READ, EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
    READ_16(0x88, NO_SERVICE_ACTION, "88 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", RamDiskCommand::read16,
            ReservationClass.READ, EnumSet.of(OperationTrait.NEEDS_MEDIUM)),
    /** SBC-4 5.40-5.42. */
    WRITE_10(0x2A, NO_SERVICE_ACTION, "2a 18 ff ff ff ff 00 ff ff 00", RamDiskCommand::write10,
            ReservationClass.WRITE, EnumSet.of(OperationTrait.NEEDS_MEDIUM, OperationTrait.WRITES_MEDIUM)),
    WRITE_12(0xAA, NO_SERVICE_ACTION, "aa 18 ff ff ff ff ff ff ff ff 00 00", RamDiskCommand::write12,
            ReservationClass.WRITE, EnumSet.of(OperationTrait.NEEDS_MEDIUM, OperationTrait.WRITES_MEDIUM)),
    WRITE_16(0x8A, NO_SERVICE_ACTION, "8a 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", RamDiskCommand::write16,
            ReservationClass.WRITE, EnumSet.of(OperationTrait.NEEDS_MEDIUM, OperationTrait.WRITES_MEDIUM)),
    /** SBC-4 5.43-5.45: BYTCHK compares what was just written with itself, which always matches. */
    WRITE_AND_VERIFY_10(0x2E, NO_SERVICE_ACTION, "2e 16 ff ff ff ff 00 ff ff 00", RamDiskCommand::write10,
            ReservationClass.WRITE, EnumSet.of(OperationTrait.NEEDS_MEDIUM, OperationTrait.WRITES_MEDIUM)),
    WRITE_AND_VERIFY_12(0xAE, NO_SERVICE_ACTION, "ae 16 ff ff ff ff ff ff ff ff 00 00", RamDiskCommand::write12,
            ReservationClass.WRITE, EnumSet.of(OperationTrait.NEEDS_MEDIUM, OperationTrait.WRITES_MEDIUM)),
    WRITE_AND_VERIFY_16(0x8E, NO_SERVICE_ACTION, "8e 16 ff ff ff ff ff ff ff ff ff ff ff ff 00 00",
            RamDiskCommand::write16, ReservationClass.WRITE,
            EnumSet.of(OperationTrait.NEEDS_MEDIUM, OperationTrait.WRITES_MEDIUM));

    private final int opcode;
    private final int serviceAction;
    private final byte[] usage;
    private final Function<Cdb, ? extends Command> decoder;
    private final ReservationClass reservationClass;
    private final Set<OperationTrait> traits;

    RamDiskOperation(int opcode, int serviceAction, String usage, Function<Cdb, ? extends Command> decoder,
                     ReservationClass reservationClass, Set<OperationTrait> traits) {
        this.opcode = opcode;
        this.serviceAction = serviceAction;
        this.usage = CommandTable.usage(usage);
        this.decoder = decoder;
        this.reservationClass = reservationClass;
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
