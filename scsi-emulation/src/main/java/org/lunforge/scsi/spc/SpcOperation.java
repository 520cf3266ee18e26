package org.lunforge.scsi.spc;

import static org.lunforge.scsi.OperationTrait.*;
import static org.lunforge.scsi.ReservationClass.*;

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
 * CDB bit we evaluate; for a row with a service action, byte 1 holds its value. Every other bit set in a CDB is refused
 * with INVALID FIELD IN CDB, which is also how the obsolete third-party forms of RESERVE and RELEASE are refused.
 *
 * <p>Reservation classes follow SPC-4 5.13.1 table 61 (see {@link ReservationClass}); the ALUA traits follow the lists
 * of SPC-4 5.16.2.4.4 (standby) and 5.16.2.4.5 (unavailable).
 */
public enum SpcOperation implements Operation {
    /** SPC-4 6.33. */
    TEST_UNIT_READY("TEST UNIT READY", 0x00, "00 00 00 00 00 00", SpcCommand.TestUnitReady::decode,
            ALLOWED_UNLESS_RESERVED, none()),
    /** SPC-4 6.39. */
    REQUEST_SENSE("REQUEST SENSE", 0x03, "03 01 00 00 ff 00", SpcCommand.RequestSense::decode,
            ALLOWED, EnumSet.of(IGNORES_UNIT_ATTENTION, ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE)),
    /** SPC-4 6.6. */
    INQUIRY("INQUIRY", 0x12, "12 01 ff ff ff 00", SpcCommand.Inquiry::decode,
            ALLOWED, EnumSet.of(IGNORES_UNIT_ATTENTION, ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE)),
    /** SPC-4 6.9. */
    MODE_SELECT_6("MODE SELECT(6)", 0x15, "15 11 00 00 ff 00", SpcCommand.ModeSelect::decode6,
            WRITE, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-2 7.21. */
    RESERVE_6("RESERVE(6)", 0x16, "16 00 00 00 00 00", SpcCommand.Reserve::decode, RESERVATION_COMMAND, none()),
    /** SPC-2 7.19. */
    RELEASE_6("RELEASE(6)", 0x17, "17 00 00 00 00 00", SpcCommand.Release::decode, RESERVATION_COMMAND, none()),
    /** SPC-4 6.11. */
    MODE_SENSE_6("MODE SENSE(6)", 0x1A, "1a 08 ff ff ff 00", SpcCommand.ModeSense::decode6,
            READ, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.7. */
    LOG_SELECT("LOG SELECT", 0x4C, "4c 03 ff ff 00 00 00 ff ff 00", SpcCommand.LogSelect::decode,
            WRITE, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.8. */
    LOG_SENSE("LOG SENSE", 0x4D, "4d 03 ff ff 00 ff ff ff ff 00", SpcCommand.LogSense::decode,
            ALLOWED, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.10. */
    MODE_SELECT_10("MODE SELECT(10)", 0x55, "55 11 00 00 00 00 00 ff ff 00", SpcCommand.ModeSelect::decode10,
            WRITE, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-2 7.22. */
    RESERVE_10("RESERVE(10)", 0x56, "56 00 00 00 00 00 00 00 00 00", SpcCommand.Reserve::decode,
            RESERVATION_COMMAND, none()),
    /** SPC-2 7.20. */
    RELEASE_10("RELEASE(10)", 0x57, "57 00 00 00 00 00 00 00 00 00", SpcCommand.Release::decode,
            RESERVATION_COMMAND, none()),
    /** SPC-4 6.12. */
    MODE_SENSE_10("MODE SENSE(10)", 0x5A, "5a 18 ff ff 00 00 00 ff ff 00", SpcCommand.ModeSense::decode10,
            READ, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.13.2. */
    PERSISTENT_RESERVE_IN_READ_KEYS("PERSISTENT RESERVE IN(READ KEYS)", 0x5E, "5e 00 00 00 00 00 00 ff ff 00",
            SpcCommand.PersistentReserveIn::decode, ALLOWED_UNLESS_RESERVED, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.13.3. */
    PERSISTENT_RESERVE_IN_READ_RESERVATION("PERSISTENT RESERVE IN(READ RESERVATION)", 0x5E,
            "5e 01 00 00 00 00 00 ff ff 00", SpcCommand.PersistentReserveIn::decode, ALLOWED_UNLESS_RESERVED,
            EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.13.4. */
    PERSISTENT_RESERVE_IN_REPORT_CAPABILITIES("PERSISTENT RESERVE IN(REPORT CAPABILITIES)", 0x5E,
            "5e 02 00 00 00 00 00 ff ff 00", SpcCommand.PersistentReserveIn::decode, ALLOWED_UNLESS_RESERVED,
            EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.13.5. */
    PERSISTENT_RESERVE_IN_READ_FULL_STATUS("PERSISTENT RESERVE IN(READ FULL STATUS)", 0x5E,
            "5e 03 00 00 00 00 00 ff ff 00", SpcCommand.PersistentReserveIn::decode, ALLOWED_UNLESS_RESERVED,
            EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.14, 5.13.7. */
    PERSISTENT_RESERVE_OUT_REGISTER("PERSISTENT RESERVE OUT(REGISTER)", 0x5F, prout(0x00),
            SpcCommand.PersistentReserveOut::decode, RESERVATION_COMMAND, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.14, 5.13.9. */
    PERSISTENT_RESERVE_OUT_RESERVE("PERSISTENT RESERVE OUT(RESERVE)", 0x5F, prout(0x01),
            SpcCommand.PersistentReserveOut::decode, RESERVATION_COMMAND, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.14, 5.13.11.2. */
    PERSISTENT_RESERVE_OUT_RELEASE("PERSISTENT RESERVE OUT(RELEASE)", 0x5F, prout(0x02),
            SpcCommand.PersistentReserveOut::decode, RESERVATION_COMMAND, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.14, 5.13.11.6. */
    PERSISTENT_RESERVE_OUT_CLEAR("PERSISTENT RESERVE OUT(CLEAR)", 0x5F, prout(0x03),
            SpcCommand.PersistentReserveOut::decode, RESERVATION_COMMAND, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.14, 5.13.11.4. */
    PERSISTENT_RESERVE_OUT_PREEMPT("PERSISTENT RESERVE OUT(PREEMPT)", 0x5F, prout(0x04),
            SpcCommand.PersistentReserveOut::decode, RESERVATION_COMMAND, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.14, 5.13.11.5. */
    PERSISTENT_RESERVE_OUT_PREEMPT_AND_ABORT("PERSISTENT RESERVE OUT(PREEMPT AND ABORT)", 0x5F, prout(0x05),
            SpcCommand.PersistentReserveOut::decode, RESERVATION_COMMAND, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.14, 5.13.7. */
    PERSISTENT_RESERVE_OUT_REGISTER_AND_IGNORE_EXISTING_KEY(
            "PERSISTENT RESERVE OUT(REGISTER AND IGNORE EXISTING KEY)", 0x5F, prout(0x06),
            SpcCommand.PersistentReserveOut::decode, RESERVATION_COMMAND, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.14, 5.13.8. */
    PERSISTENT_RESERVE_OUT_REGISTER_AND_MOVE("PERSISTENT RESERVE OUT(REGISTER AND MOVE)", 0x5F, prout(0x07),
            SpcCommand.PersistentReserveOut::decode, RESERVATION_COMMAND, EnumSet.of(ALLOWED_IN_STANDBY)),
    /** SPC-4 6.29. */
    REPORT_LUNS("REPORT LUNS", 0xA0, "a0 00 ff 00 00 00 ff ff ff ff 00 00", SpcCommand.ReportLuns::decode,
            ALLOWED, EnumSet.of(IGNORES_UNIT_ATTENTION, ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE)),
    /** SPC-4 6.37, MAINTENANCE IN service action 0Ah; PARAMETER DATA FORMAT in byte 1 bits 7..5. */
    REPORT_TARGET_PORT_GROUPS("REPORT TARGET PORT GROUPS", 0xA3, "a3 ea 00 00 00 00 ff ff ff ff 00 00",
            SpcCommand.ReportTargetPortGroups::decode, ALLOWED, EnumSet.of(ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE)),
    /** SPC-4 6.35, MAINTENANCE IN service action 0Ch. */
    REPORT_SUPPORTED_OPERATION_CODES("REPORT SUPPORTED OPERATION CODES", 0xA3, "a3 0c 87 ff ff ff ff ff ff ff 00 00",
            SpcCommand.ReportSupportedOperationCodes::decode, ALLOWED,
            EnumSet.of(ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE)),
    /** SPC-4 6.36, MAINTENANCE IN service action 0Dh. */
    REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS("REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS", 0xA3,
            "a3 0d 80 00 00 00 ff ff ff ff 00 00", SpcCommand.ReportSupportedTaskManagementFunctions::decode, ALLOWED,
            EnumSet.of(ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE)),
    /** SPC-4 6.45, MAINTENANCE OUT service action 0Ah. Only in the table when explicit ALUA is enabled. */
    SET_TARGET_PORT_GROUPS("SET TARGET PORT GROUPS", 0xA4, "a4 0a 00 00 00 00 ff ff ff ff 00 00",
            SpcCommand.SetTargetPortGroups::decode, WRITE, EnumSet.of(ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE));

    private final String displayName;
    private final int opcode;
    private final int serviceAction;
    private final byte[] usage;
    private final Function<Cdb, ? extends Command> decoder;
    private final ReservationClass reservationClass;
    private final Set<OperationTrait> traits;

    SpcOperation(String displayName, int opcode, String usage, Function<Cdb, ? extends Command> decoder,
                 ReservationClass reservationClass, Set<OperationTrait> traits) {
        this.displayName = displayName;
        this.opcode = opcode;
        this.usage = CommandTable.usage(usage);
        this.serviceAction = hasServiceAction(opcode) ? this.usage[1] & 0x1F : NO_SERVICE_ACTION;
        this.decoder = decoder;
        this.reservationClass = reservationClass;
        this.traits = Set.copyOf(traits);
    }

    /** The opcodes whose CDB byte 1 bits 4..0 are a SERVICE ACTION field. */
    private static boolean hasServiceAction(int opcode) {
        return opcode == 0x5E || opcode == 0x5F || opcode == 0xA3 || opcode == 0xA4;
    }

    /** PERSISTENT RESERVE OUT usage: SCOPE and TYPE in byte 2, the 32-bit PARAMETER LIST LENGTH in bytes 5..8. */
    private static String prout(int serviceAction) {
        return "5f %02x ff 00 00 ff ff ff ff 00".formatted(serviceAction);
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
