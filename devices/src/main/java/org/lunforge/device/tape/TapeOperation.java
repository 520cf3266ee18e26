package org.lunforge.device.tape;

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
 * The tape drive's rows of the command table: SSC-4 clause 6 and 7 commands, and the SPC-4 ones a sequential-access
 * device adds (PREVENT ALLOW MEDIUM REMOVAL, READ/WRITE ATTRIBUTE) or serves itself (REQUEST SENSE, so its sense data
 * can carry the EOM bit of the position). Usage strings are SPC-4 6.35.3 CDB USAGE DATA: a 1 for each bit we evaluate.
 *
 * <p>Reservation classes (SSC-4 table of persistent reservation conflicts): commands that read or move the medium
 * are READ (allowed under Write Exclusive), commands that change it are WRITE, and the informational ones ALLOWED.
 */
public enum TapeOperation implements Operation {
    /** SSC-4 7.6. */
    REWIND("REWIND", 0x01, -1, "01 01 00 00 00 00", TapeCommand.Rewind::decode, READ, EnumSet.of(NEEDS_MEDIUM), 600),
    /** SPC-4 6.39, served by the drive: a pending unit attention, else NOT READY, else NO SENSE with EOM past EW. */
    REQUEST_SENSE("REQUEST SENSE", 0x03, -1, "03 01 00 00 ff 00", TapeCommand.RequestSense::decode, ALLOWED,
            EnumSet.of(IGNORES_UNIT_ATTENTION, ALLOWED_IN_STANDBY, ALLOWED_IN_UNAVAILABLE), 0),
    /** SSC-4 7.5. */
    READ_BLOCK_LIMITS("READ BLOCK LIMITS", 0x05, -1, "05 01 00 00 00 00", TapeCommand.ReadBlockLimits::decode,
            ALLOWED, EnumSet.noneOf(OperationTrait.class), 0),
    /** SSC-4 6.? READ(6): SILI and FIXED in byte 1, TRANSFER LENGTH in bytes 2..4. */
    READ_6("READ(6)", 0x08, -1, "08 03 ff ff ff 00", TapeCommand.Read::decode, READ, EnumSet.of(NEEDS_MEDIUM), 60),
    /** SSC-4 6.? WRITE(6). */
    WRITE_6("WRITE(6)", 0x0A, -1, "0a 01 ff ff ff 00", TapeCommand.Write::decode, WRITE,
            EnumSet.of(NEEDS_MEDIUM, WRITES_MEDIUM), 60),
    /** SSC-4 7.? WRITE FILEMARKS(6): WSMK and IMMED in byte 1. */
    WRITE_FILEMARKS_6("WRITE FILEMARKS(6)", 0x10, -1, "10 03 ff ff ff 00", TapeCommand.WriteFilemarks::decode,
            WRITE, EnumSet.of(NEEDS_MEDIUM, WRITES_MEDIUM), 60),
    /** SSC-4 7.? SPACE(6): CODE in byte 1 bits 3..0, signed COUNT in bytes 2..4. */
    SPACE_6("SPACE(6)", 0x11, -1, "11 0f ff ff ff 00", TapeCommand.Space::decode6, READ, EnumSet.of(NEEDS_MEDIUM),
            600),
    /** SSC-4 6.? ERASE(6): IMMED and LONG. */
    ERASE_6("ERASE(6)", 0x19, -1, "19 03 00 00 00 00", TapeCommand.Erase::decode, WRITE,
            EnumSet.of(NEEDS_MEDIUM, WRITES_MEDIUM), 600),
    /** SSC-4 7.2 LOAD UNLOAD: IMMED; HOLD, EOT, RETEN, LOAD in byte 4. */
    LOAD_UNLOAD("LOAD UNLOAD", 0x1B, -1, "1b 01 00 00 0f 00", TapeCommand.LoadUnload::decode, WRITE,
            EnumSet.noneOf(OperationTrait.class), 600),
    /** SPC-4 6.15 PREVENT ALLOW MEDIUM REMOVAL: PREVENT 0 is allowed under any reservation (SSC-4 table). */
    PREVENT_ALLOW_MEDIUM_REMOVAL("PREVENT ALLOW MEDIUM REMOVAL", 0x1E, -1, "1e 00 00 00 03 00",
            TapeCommand.PreventAllowMediumRemoval::decode, WRITE, EnumSet.noneOf(OperationTrait.class), 0),
    /** SSC-4 7.3 LOCATE(10): BT, CP, IMMED; LOGICAL OBJECT IDENTIFIER in bytes 3..6; PARTITION in byte 8. */
    LOCATE_10("LOCATE(10)", 0x2B, -1, "2b 07 00 ff ff ff ff 00 ff 00", TapeCommand.Locate::decode10, READ,
            EnumSet.of(NEEDS_MEDIUM), 600),
    /** SSC-4 7.7 READ POSITION, short form (logical object identifiers). */
    READ_POSITION_SHORT("READ POSITION(SHORT FORM - BLOCK ID)", 0x34, 0x00, "34 00 00 00 00 00 00 ff ff 00",
            TapeCommand.ReadPosition::decode, READ, EnumSet.of(NEEDS_MEDIUM), 0),
    /** SSC-4 7.7 READ POSITION, short form, vendor-specific: the BT form Linux st's "tell" sends. */
    READ_POSITION_SHORT_VENDOR("READ POSITION(SHORT FORM - VENDOR SPECIFIC)", 0x34, 0x01,
            "34 01 00 00 00 00 00 ff ff 00", TapeCommand.ReadPosition::decode, READ, EnumSet.of(NEEDS_MEDIUM), 0),
    /** SSC-4 7.7 READ POSITION, long form: partition, logical object number and logical file identifier. */
    READ_POSITION_LONG("READ POSITION(LONG FORM)", 0x34, 0x06, "34 06 00 00 00 00 00 ff ff 00",
            TapeCommand.ReadPosition::decode, READ, EnumSet.of(NEEDS_MEDIUM), 0),
    /** SSC-4 7.7 READ POSITION, extended form: 8-byte locations and the object buffer. */
    READ_POSITION_EXTENDED("READ POSITION(EXTENDED FORM)", 0x34, 0x08, "34 08 00 00 00 00 00 ff ff 00",
            TapeCommand.ReadPosition::decode, READ, EnumSet.of(NEEDS_MEDIUM), 0),
    /** SSC-4 6.? REPORT DENSITY SUPPORT: MEDIUM TYPE, MEDIA; ALLOCATION LENGTH in bytes 7..8. */
    REPORT_DENSITY_SUPPORT("REPORT DENSITY SUPPORT", 0x44, -1, "44 03 00 00 00 00 00 ff ff 00",
            TapeCommand.ReportDensitySupport::decode, ALLOWED, EnumSet.noneOf(OperationTrait.class), 0),
    /** SPC-4 6.30 SECURITY PROTOCOL IN: protocols 00h and 20h (tape data encryption status and capabilities). */
    SECURITY_PROTOCOL_IN("SECURITY PROTOCOL IN", 0xA2, -1, "a2 ff ff ff 00 00 ff ff ff ff 00 00",
            TapeCommand.SecurityProtocolIn::decode, ALLOWED, EnumSet.noneOf(OperationTrait.class), 0),
    /** SPC-4 6.31 SECURITY PROTOCOL OUT: protocol 20h, the Set Data Encryption page. */
    SECURITY_PROTOCOL_OUT("SECURITY PROTOCOL OUT", 0xB5, -1, "b5 ff ff ff 00 00 ff ff ff ff 00 00",
            TapeCommand.SecurityProtocolOut::decode, WRITE, EnumSet.noneOf(OperationTrait.class), 0),
    /** SPC-4 6.16 READ ATTRIBUTE(ATTRIBUTE VALUES). */
    READ_ATTRIBUTE_VALUES("READ ATTRIBUTE(ATTRIBUTE VALUES)", 0x8C, 0x00, readAttribute(0x00),
            TapeCommand.ReadAttribute::decode, ALLOWED, EnumSet.of(NEEDS_MEDIUM), 0),
    /** SPC-4 6.16 READ ATTRIBUTE(ATTRIBUTE LIST). */
    READ_ATTRIBUTE_LIST("READ ATTRIBUTE(ATTRIBUTE LIST)", 0x8C, 0x01, readAttribute(0x01),
            TapeCommand.ReadAttribute::decode, ALLOWED, EnumSet.of(NEEDS_MEDIUM), 0),
    /** SPC-4 6.16 READ ATTRIBUTE(LOGICAL VOLUME LIST). */
    READ_ATTRIBUTE_VOLUMES("READ ATTRIBUTE(LOGICAL VOLUME LIST)", 0x8C, 0x02, readAttribute(0x02),
            TapeCommand.ReadAttribute::decode, ALLOWED, EnumSet.of(NEEDS_MEDIUM), 0),
    /** SPC-4 6.16 READ ATTRIBUTE(PARTITION LIST). */
    READ_ATTRIBUTE_PARTITIONS("READ ATTRIBUTE(PARTITION LIST)", 0x8C, 0x03, readAttribute(0x03),
            TapeCommand.ReadAttribute::decode, ALLOWED, EnumSet.of(NEEDS_MEDIUM), 0),
    /** SPC-4 6.16 READ ATTRIBUTE(SUPPORTED ATTRIBUTES). */
    READ_ATTRIBUTE_SUPPORTED("READ ATTRIBUTE(SUPPORTED ATTRIBUTES)", 0x8C, 0x05, readAttribute(0x05),
            TapeCommand.ReadAttribute::decode, ALLOWED, EnumSet.of(NEEDS_MEDIUM), 0),
    /** SPC-4 6.46 WRITE ATTRIBUTE: WTC; LOGICAL VOLUME NUMBER, PARTITION NUMBER, PARAMETER LIST LENGTH. */
    WRITE_ATTRIBUTE("WRITE ATTRIBUTE", 0x8D, -1, "8d 01 00 00 00 ff 00 ff 00 00 ff ff ff ff 00 00",
            TapeCommand.WriteAttribute::decode, WRITE, EnumSet.of(NEEDS_MEDIUM, WRITES_MEDIUM), 0),
    /** SSC-4 7.? SPACE(16): CODE; signed COUNT in bytes 4..11; PARAMETER LENGTH in bytes 12..13. */
    SPACE_16("SPACE(16)", 0x91, -1, "91 0f 00 00 ff ff ff ff ff ff ff ff ff ff 00 00", TapeCommand.Space::decode16,
            READ, EnumSet.of(NEEDS_MEDIUM), 600),
    /** SSC-4 7.4 LOCATE(16): DEST_TYPE, CP, IMMED; BAM; PARTITION; LOGICAL IDENTIFIER in bytes 4..11. */
    LOCATE_16("LOCATE(16)", 0x92, -1, "92 3b 01 ff ff ff ff ff ff ff ff ff 00 00 00 00",
            TapeCommand.Locate::decode16, READ, EnumSet.of(NEEDS_MEDIUM), 600);

    private final String displayName;
    private final int opcode;
    private final int serviceAction;
    private final byte[] usage;
    private final Function<Cdb, ? extends Command> decoder;
    private final ReservationClass reservationClass;
    private final Set<OperationTrait> traits;
    private final long timeoutSeconds;

    TapeOperation(String displayName, int opcode, int serviceAction, String usage,
                  Function<Cdb, ? extends Command> decoder, ReservationClass reservationClass,
                  Set<OperationTrait> traits, long timeoutSeconds) {
        this.displayName = displayName;
        this.opcode = opcode;
        this.serviceAction = serviceAction < 0 ? NO_SERVICE_ACTION : serviceAction;
        this.usage = CommandTable.usage(usage);
        this.decoder = decoder;
        this.reservationClass = reservationClass;
        this.traits = Set.copyOf(traits);
        this.timeoutSeconds = timeoutSeconds;
    }

    /** READ ATTRIBUTE usage: SERVICE ACTION; LOGICAL VOLUME and PARTITION NUMBER; FIRST ATTRIBUTE; ALLOCATION LENGTH;
     * CACHE. */
    private static String readAttribute(int serviceAction) {
        return "8c %02x 00 00 00 ff 00 ff ff ff ff ff ff ff 01 00".formatted(serviceAction);
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
    public ReservationClass reservationClass(Command decoded) {
        return decoded instanceof TapeCommand.PreventAllowMediumRemoval p && !p.prevent() ? ALLOWED : reservationClass;
    }

    @Override
    public long nominalTimeoutSeconds() {
        return timeoutSeconds;
    }

    @Override
    public long recommendedTimeoutSeconds() {
        return timeoutSeconds * 2;
    }

    @Override
    public Set<OperationTrait> traits() {
        return traits;
    }
}
