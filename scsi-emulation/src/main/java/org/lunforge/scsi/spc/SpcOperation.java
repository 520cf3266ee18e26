package org.lunforge.scsi.spc;

import static org.lunforge.scsi.OperationTrait.*;

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
 * The SPC-4 rows of every device's command table. The usage strings are SPC-4 6.35.3 CDB USAGE DATA: a 1 for each
 * CDB bit we evaluate. Every other bit set in a CDB is refused with INVALID FIELD IN CDB.
 */
public enum SpcOperation implements Operation {
    /** SPC-4 6.33. */
    TEST_UNIT_READY(0x00, NO_SERVICE_ACTION, "00 00 00 00 00 00", SpcCommand.TestUnitReady::decode,
            ReservationClass.ALLOWED_UNLESS_RESERVED, EnumSet.noneOf(OperationTrait.class)),
    /** SPC-4 6.39. */
    REQUEST_SENSE(0x03, NO_SERVICE_ACTION, "03 01 00 00 ff 00", SpcCommand.RequestSense::decode,
            ReservationClass.ALLOWED, EnumSet.of(IGNORES_UNIT_ATTENTION, ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE)),
    /** SPC-4 6.6. */
    INQUIRY(0x12, NO_SERVICE_ACTION, "12 01 ff ff ff 00", SpcCommand.Inquiry::decode,
            ReservationClass.ALLOWED, EnumSet.of(IGNORES_UNIT_ATTENTION, ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE)),
    /** SPC-4 6.29. */
    REPORT_LUNS(0xA0, NO_SERVICE_ACTION, "a0 00 ff 00 00 00 ff ff ff ff 00 00", SpcCommand.ReportLuns::decode,
            ReservationClass.ALLOWED, EnumSet.of(IGNORES_UNIT_ATTENTION, ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE));

    private final int opcode;
    private final int serviceAction;
    private final byte[] usage;
    private final Function<Cdb, ? extends Command> decoder;
    private final ReservationClass reservationClass;
    private final Set<OperationTrait> traits;

    SpcOperation(int opcode, int serviceAction, String usage, Function<Cdb, ? extends Command> decoder,
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
