package org.lunforge.device.changer;

import static org.lunforge.scsi.OperationTrait.ALLOWED_IN_STANDBY;
import static org.lunforge.scsi.ReservationClass.ALLOWED;
import static org.lunforge.scsi.ReservationClass.READ;
import static org.lunforge.scsi.ReservationClass.WRITE;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.OperationTrait;
import org.lunforge.scsi.ReservationClass;
import org.lunforge.scsi.spc.SpcCommand;

/**
 * The command table rows of a medium changer (SMC-3 clause 6), beside the SPC rows every device has. The usage strings
 * are SPC-4 6.35.3 CDB USAGE DATA: a 1 for each bit the device server accepts.
 *
 * <p>Two deliberate allowances, for the initiators that drive changers:
 * <ul>
 * <li>Byte 1 bits 7..5 of every row (and of MODE SENSE(6), which this table therefore serves itself) are the SCSI-2
 *     LOGICAL UNIT NUMBER field, obsolete since SPC. Linux's ch driver still writes the LUN there in every command it
 *     sends, and mtx does in READ ELEMENT STATUS; a changer at LUN 1..7 would refuse them all. They are accepted and
 *     ignored.</li>
 * <li>The vendor specific bits 7..6 of the CONTROL byte of MOVE MEDIUM and EXCHANGE MEDIUM, where mtx's {@code eepos}
 *     option asks some libraries to open or close the mail slot tray. Accepted and ignored: our import/export elements
 *     have no tray.</li>
 * </ul>
 *
 * <p>Reservation classes follow SMC-3's table of commands under persistent reservations: movements change the library
 * (WRITE), READ ELEMENT STATUS reads it (READ), and PREVENT ALLOW MEDIUM REMOVAL with PREVENT 00b is allowed.
 */
public enum SmcOperation implements Operation {
    /** SMC-3 INITIALIZE ELEMENT STATUS. */
    INITIALIZE_ELEMENT_STATUS("INITIALIZE ELEMENT STATUS", 0x07, "07 e0 00 00 00 00",
            SmcCommand.InitializeElementStatus::decodeAll, WRITE, none()),
    /** SPC-4 6.11 MODE SENSE(6), with the obsolete LUN bits of byte 1 accepted (see the class comment). */
    MODE_SENSE_6("MODE SENSE(6)", 0x1A, "1a e8 ff ff ff 00", SmcOperation::modeSense6, READ,
            EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SMC-3 PREVENT ALLOW MEDIUM REMOVAL. */
    PREVENT_ALLOW_MEDIUM_REMOVAL("PREVENT ALLOW MEDIUM REMOVAL", 0x1E, "1e e0 00 00 03 00",
            SmcCommand.PreventAllowMediumRemoval::decode, WRITE, none()),
    /** SMC-3 POSITION TO ELEMENT. */
    POSITION_TO_ELEMENT("POSITION TO ELEMENT", 0x2B, "2b e0 ff ff ff ff 00 00 01 00",
            SmcCommand.PositionToElement::decode, WRITE, none()),
    /** SMC-3 INITIALIZE ELEMENT STATUS WITH RANGE: FAST and RANGE in byte 1. */
    INITIALIZE_ELEMENT_STATUS_WITH_RANGE("INITIALIZE ELEMENT STATUS WITH RANGE", 0x37,
            "37 e3 ff ff 00 00 ff ff 00 00", SmcCommand.InitializeElementStatus::decodeWithRange, WRITE, none()),
    /** SMC-3 MOVE MEDIUM. */
    MOVE_MEDIUM("MOVE MEDIUM", 0xA5, "a5 e0 ff ff ff ff ff ff 00 00 01 c0", SmcCommand.MoveMedium::decode, WRITE,
            none()),
    /** SMC-3 EXCHANGE MEDIUM: INV1 and INV2 in byte 10. */
    EXCHANGE_MEDIUM("EXCHANGE MEDIUM", 0xA6, "a6 e0 ff ff ff ff ff ff ff ff 03 c0",
            SmcCommand.ExchangeMedium::decode, WRITE, none()),
    /** SMC-3 READ ELEMENT STATUS: VOLTAG and ELEMENT TYPE CODE in byte 1, CURDATA and DVCID in byte 6. */
    READ_ELEMENT_STATUS("READ ELEMENT STATUS", 0xB8, "b8 ff ff ff ff ff 03 ff ff ff 00 00",
            SmcCommand.ReadElementStatus::decode, READ, none());

    private final String displayName;
    private final int opcode;
    private final byte[] usage;
    private final Function<Cdb, ? extends Command> decoder;
    private final ReservationClass reservationClass;
    private final Set<OperationTrait> traits;

    SmcOperation(String displayName, int opcode, String usage, Function<Cdb, ? extends Command> decoder,
                 ReservationClass reservationClass, Set<OperationTrait> traits) {
        this.displayName = displayName;
        this.opcode = opcode;
        this.usage = CommandTable.usage(usage);
        this.decoder = decoder;
        this.reservationClass = reservationClass;
        this.traits = Set.copyOf(traits);
    }

    /** The same record the SPC row decodes to, so the logical unit's SPC emulation answers it. */
    private static SpcCommand.ModeSense modeSense6(Cdb cdb) {
        return new SpcCommand.ModeSense(false, cdb.bit(1, 3), false, cdb.bits(2, 7, 2), cdb.bits(2, 5, 6),
                cdb.u8(3), cdb.u8(4));
    }

    private static Set<OperationTrait> none() {
        return EnumSet.noneOf(OperationTrait.class);
    }

    @Override
    public String displayName() {
        return displayName;
    }

    @Override
    public int opcode() {
        return opcode;
    }

    @Override
    public int serviceAction() {
        return NO_SERVICE_ACTION;
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

    /** PREVENT ALLOW MEDIUM REMOVAL with PREVENT 00b is allowed under every reservation; with 01b it is a write. */
    @Override
    public ReservationClass reservationClass(Command decoded) {
        return decoded instanceof SmcCommand.PreventAllowMediumRemoval p && !p.prevent() ? ALLOWED : reservationClass;
    }

    @Override
    public Set<OperationTrait> traits() {
        return traits;
    }
}
