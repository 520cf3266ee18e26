package org.lunforge.device.disk;

import static org.lunforge.scsi.OperationTrait.ALLOWED_IN_STANDBY;
import static org.lunforge.scsi.OperationTrait.NEEDS_MEDIUM;
import static org.lunforge.scsi.OperationTrait.WRITES_MEDIUM;

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
 * The SBC-4 rows of a disk's command table (and the SPC-4 third-party copy rows a disk serves). Usage strings are
 * SPC-4 6.35.3 CDB USAGE DATA: a 1 for each bit we evaluate, so REPORT SUPPORTED OPERATION CODES shows exactly what
 * the logical unit lets through. DPO and FUA are evaluated (DPOFUA is set in the mode parameter header); the obsolete
 * FUA_NV and SYNC_NV bits are accepted and ignored; RDPROTECT, WRPROTECT, VRPROTECT and ORPROTECT are not in the usage
 * data because we keep no protection information, so a nonzero value is INVALID FIELD IN CDB; ANCHOR likewise
 * (ANC_SUP is 0).
 */
public enum SbcOperation implements Operation {
    /** SBC-4 5.15. */
    READ_6(0x08, "08 1f ff ff ff 00", SbcCommand.Read::decode6, ReservationClass.READ, NEEDS_MEDIUM),
    /** SBC-4 5.40. */
    WRITE_6(0x0A, "0a 1f ff ff ff 00", SbcCommand.Write::decode6, ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.27. */
    START_STOP_UNIT(0x1B, "1b 01 00 0f f7 00", SbcCommand.StartStopUnit::decode, ReservationClass.WRITE),
    /** SBC-4 5.13; only in the table of a removable logical unit. */
    PREVENT_ALLOW_MEDIUM_REMOVAL(0x1E, "1e 00 00 00 03 00", SbcCommand.PreventAllowMediumRemoval::decode,
            ReservationClass.ALLOWED_UNLESS_RESERVED),
    /**
     * SBC-4 5.22. Answered in the standby state too (SPC-4 5.16.2.4.4 lets the command standard add commands): a
     * host scanning a standby path reads the capacity once, and Linux's sd would otherwise size that path 0 and fail
     * every write dm-multipath sends it after the port becomes active ("access beyond end of device"); LIO answers it
     * there for the same reason.
     */
    READ_CAPACITY_10(0x25, "25 00 ff ff ff ff 00 00 01 00", SbcCommand.ReadCapacity::decode10,
            ReservationClass.ALLOWED, NEEDS_MEDIUM, ALLOWED_IN_STANDBY),
    /** SBC-4 5.16. */
    READ_10(0x28, "28 1e ff ff ff ff 3f ff ff 00", SbcCommand.Read::decode10, ReservationClass.READ, NEEDS_MEDIUM),
    /** SBC-4 5.41. */
    WRITE_10(0x2A, "2a 1a ff ff ff ff 3f ff ff 00", SbcCommand.Write::decode10, ReservationClass.WRITE, NEEDS_MEDIUM,
            WRITES_MEDIUM),
    /** SBC-4 5.44. */
    WRITE_AND_VERIFY_10(0x2E, "2e 16 ff ff ff ff 3f ff ff 00", SbcCommand.WriteAndVerify::decode10,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.36. */
    VERIFY_10(0x2F, "2f 16 ff ff ff ff 3f ff ff 00", SbcCommand.Verify::decode10, ReservationClass.READ,
            NEEDS_MEDIUM),
    /** SBC-4 5.11. */
    PRE_FETCH_10(0x34, "34 02 ff ff ff ff 3f ff ff 00", SbcCommand.PreFetch::decode10, ReservationClass.READ,
            NEEDS_MEDIUM),
    /** SBC-4 5.34. */
    SYNCHRONIZE_CACHE_10(0x35, "35 06 ff ff ff ff 3f ff ff 00", SbcCommand.SynchronizeCache::decode10,
            ReservationClass.WRITE, NEEDS_MEDIUM),
    /** SBC-4 5.20. */
    READ_DEFECT_DATA_10(0x37, "37 00 1f 00 00 00 00 ff ff 00", SbcCommand.ReadDefectData::decode10,
            ReservationClass.READ),
    /** SBC-4 5.49. */
    WRITE_SAME_10(0x41, "41 08 ff ff ff ff 3f ff ff 00", SbcCommand.WriteSame::decode10, ReservationClass.WRITE,
            NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.30 SANITIZE, OVERWRITE: IMMED, AUSE; the parameter list carries the pattern. */
    SANITIZE_OVERWRITE(0x48, 0x01, "48 a1 00 00 00 00 00 ff ff 00", SbcCommand.Sanitize::decode,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.30 SANITIZE, BLOCK ERASE; only in the table of a thin-provisioned logical unit (it deallocates). */
    SANITIZE_BLOCK_ERASE(0x48, 0x02, "48 a2 00 00 00 00 00 ff ff 00", SbcCommand.Sanitize::decode,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.30 SANITIZE, EXIT FAILURE MODE: IMMED. */
    SANITIZE_EXIT_FAILURE_MODE(0x48, 0x1F, "48 9f 00 00 00 00 00 ff ff 00", SbcCommand.Sanitize::decode,
            ReservationClass.WRITE),
    /** SBC-4 5.32; only in the table of a thin-provisioned logical unit. */
    UNMAP(0x42, "42 00 00 00 00 00 3f ff ff 00", SbcCommand.Unmap::decode, ReservationClass.WRITE, NEEDS_MEDIUM,
            WRITES_MEDIUM),
    /** SPC-4 6.4: EXTENDED COPY (LID1), service action 00h of operation code 83h. */
    EXTENDED_COPY(0x83, 0x00, "83 00 00 00 00 00 00 00 00 00 ff ff ff ff 00 00", SbcCommand.ExtendedCopy::decode,
            ReservationClass.WRITE),
    /** SPC-4 6.20.2. */
    RECEIVE_COPY_STATUS(0x84, 0x00, "84 00 ff 00 00 00 00 00 00 00 ff ff ff ff 00 00",
            SbcCommand.ReceiveCopyResults::decode, ReservationClass.ALLOWED_UNLESS_RESERVED),
    /** SPC-4 6.20.4. */
    RECEIVE_COPY_OPERATING_PARAMETERS(0x84, 0x03, "84 03 00 00 00 00 00 00 00 00 ff ff ff ff 00 00",
            SbcCommand.ReceiveCopyResults::decode, ReservationClass.ALLOWED_UNLESS_RESERVED),
    /** SPC-4 6.20.3. */
    RECEIVE_COPY_FAILED_SEGMENT_DETAILS(0x84, 0x04, "84 04 ff 00 00 00 00 00 00 00 ff ff ff ff 00 00",
            SbcCommand.ReceiveCopyResults::decode, ReservationClass.ALLOWED_UNLESS_RESERVED),
    /** SBC-4 5.18. */
    READ_16(0x88, "88 1e ff ff ff ff ff ff ff ff ff ff ff ff 3f 00", SbcCommand.Read::decode16, ReservationClass.READ,
            NEEDS_MEDIUM),
    /** SBC-4 5.3. */
    COMPARE_AND_WRITE(0x89, "89 1a ff ff ff ff ff ff ff ff 00 00 00 ff 3f 00", SbcCommand.CompareAndWrite::decode,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.43. */
    WRITE_16(0x8A, "8a 1a ff ff ff ff ff ff ff ff ff ff ff ff 3f 00", SbcCommand.Write::decode16,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.9. */
    ORWRITE_16(0x8B, "8b 1a ff ff ff ff ff ff ff ff ff ff ff ff 3f 00", SbcCommand.OrWrite::decode16,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.46. */
    WRITE_AND_VERIFY_16(0x8E, "8e 16 ff ff ff ff ff ff ff ff ff ff ff ff 3f 00", SbcCommand.WriteAndVerify::decode16,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.38. */
    VERIFY_16(0x8F, "8f 16 ff ff ff ff ff ff ff ff ff ff ff ff 3f 00", SbcCommand.Verify::decode16,
            ReservationClass.READ, NEEDS_MEDIUM),
    /** SBC-4 5.12. */
    PRE_FETCH_16(0x90, "90 02 ff ff ff ff ff ff ff ff ff ff ff ff 3f 00", SbcCommand.PreFetch::decode16,
            ReservationClass.READ, NEEDS_MEDIUM),
    /** SBC-4 5.35. */
    SYNCHRONIZE_CACHE_16(0x91, "91 06 ff ff ff ff ff ff ff ff ff ff ff ff 3f 00", SbcCommand.SynchronizeCache::decode16,
            ReservationClass.WRITE, NEEDS_MEDIUM),
    /** SBC-4 5.50. */
    WRITE_SAME_16(0x93, "93 09 ff ff ff ff ff ff ff ff ff ff ff ff 3f 00", SbcCommand.WriteSame::decode16,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.48. */
    WRITE_ATOMIC_16(0x9C, "9c 18 ff ff ff ff ff ff ff ff 00 00 ff ff 3f 00", SbcCommand.WriteAtomic::decode16,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.23: SERVICE ACTION IN (16), service action 10h. In the standby state too, as READ CAPACITY (10). */
    READ_CAPACITY_16(0x9E, 0x10, "9e 10 ff ff ff ff ff ff ff ff ff ff ff ff 01 00",
            SbcCommand.ReadCapacity::decode16, ReservationClass.ALLOWED, NEEDS_MEDIUM, ALLOWED_IN_STANDBY),
    /** SBC-4 5.7: SERVICE ACTION IN (16), service action 12h; REPORT TYPE 0 only. */
    GET_LBA_STATUS(0x9E, 0x12, "9e 12 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", SbcCommand.GetLbaStatus::decode,
            ReservationClass.READ, NEEDS_MEDIUM),
    /** SBC-4 5.17. */
    READ_12(0xA8, "a8 1e ff ff ff ff ff ff ff ff 3f 00", SbcCommand.Read::decode12, ReservationClass.READ,
            NEEDS_MEDIUM),
    /** SBC-4 5.42. */
    WRITE_12(0xAA, "aa 1a ff ff ff ff ff ff ff ff 3f 00", SbcCommand.Write::decode12, ReservationClass.WRITE,
            NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.45. */
    WRITE_AND_VERIFY_12(0xAE, "ae 16 ff ff ff ff ff ff ff ff 3f 00", SbcCommand.WriteAndVerify::decode12,
            ReservationClass.WRITE, NEEDS_MEDIUM, WRITES_MEDIUM),
    /** SBC-4 5.37. */
    VERIFY_12(0xAF, "af 16 ff ff ff ff ff ff ff ff 3f 00", SbcCommand.Verify::decode12, ReservationClass.READ,
            NEEDS_MEDIUM),
    /** SBC-4 5.21. */
    READ_DEFECT_DATA_12(0xB7, "b7 1f ff ff ff ff ff ff ff ff 00 00", SbcCommand.ReadDefectData::decode12,
            ReservationClass.READ);

    private final int opcode;
    private final int serviceAction;
    private final byte[] usage;
    private final Function<Cdb, ? extends Command> decoder;
    private final ReservationClass reservationClass;
    private final Set<OperationTrait> traits;

    SbcOperation(int opcode, String usage, Function<Cdb, ? extends Command> decoder,
                 ReservationClass reservationClass, OperationTrait... traits) {
        this(opcode, NO_SERVICE_ACTION, usage, decoder, reservationClass, traits);
    }

    SbcOperation(int opcode, int serviceAction, String usage, Function<Cdb, ? extends Command> decoder,
                 ReservationClass reservationClass, OperationTrait... traits) {
        this.opcode = opcode;
        this.serviceAction = serviceAction;
        this.usage = CommandTable.usage(usage);
        this.decoder = decoder;
        this.reservationClass = reservationClass;
        EnumSet<OperationTrait> set = EnumSet.noneOf(OperationTrait.class);
        set.addAll(java.util.List.of(traits));
        this.traits = Set.copyOf(set);
    }

    @Override
    public String displayName() {
        String n = name().replace('_', ' ');
        int i = n.lastIndexOf(' ');
        return i > 0 && Character.isDigit(n.charAt(i + 1)) ? n.substring(0, i) + " (" + n.substring(i + 1) + ")" : n;
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
