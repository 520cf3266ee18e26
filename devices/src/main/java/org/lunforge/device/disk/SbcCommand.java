package org.lunforge.device.disk;

import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Command;

/**
 * The decoded SBC-4 commands (and the SPC-4 copy commands a disk serves). Variants of one command decode to one record:
 * READ (6/10/12/16) to {@link Read}, so a handler never looks at the operation code again. A decoder checks what the
 * CDB alone can tell; limits that depend on the logical unit (capacity, maximum transfer length) are checked when the
 * command runs. LBAs are unsigned 64-bit values held in a long: compare them with {@link Long#compareUnsigned}.
 *
 * <p>{@code lengthField} is the CDB byte offset of the command's transfer length field, for the field pointer of an
 * INVALID FIELD IN CDB about it.
 */
public sealed interface SbcCommand extends Command {

    /** SBC-4 5.15 to 5.18 READ (6), (10), (12), (16). */
    record Read(long lba, long blocks, boolean dpo, boolean fua, int lengthField) implements SbcCommand {
        /** READ (6): a 21-bit LBA and a TRANSFER LENGTH of 0 meaning 256 blocks (SBC-4 5.15). */
        static Read decode6(Cdb cdb) {
            int length = cdb.u8(4);
            return new Read(cdb.u24(1) & 0x1FFFFF, length == 0 ? 256 : length, false, false, 4);
        }

        static Read decode10(Cdb cdb) {
            return new Read(cdb.u32(2), cdb.u16(7), cdb.bit(1, 4), cdb.bit(1, 3), 7);
        }

        static Read decode12(Cdb cdb) {
            return new Read(cdb.u32(2), cdb.u32(6), cdb.bit(1, 4), cdb.bit(1, 3), 6);
        }

        static Read decode16(Cdb cdb) {
            return new Read(cdb.s64(2), cdb.u32(10), cdb.bit(1, 4), cdb.bit(1, 3), 10);
        }
    }

    /** SBC-4 5.40 to 5.43 WRITE (6), (10), (12), (16). */
    record Write(long lba, long blocks, boolean dpo, boolean fua, int lengthField) implements SbcCommand {
        /** WRITE (6): as READ (6), a TRANSFER LENGTH of 0 means 256 blocks (SBC-4 5.40). */
        static Write decode6(Cdb cdb) {
            int length = cdb.u8(4);
            return new Write(cdb.u24(1) & 0x1FFFFF, length == 0 ? 256 : length, false, false, 4);
        }

        static Write decode10(Cdb cdb) {
            return new Write(cdb.u32(2), cdb.u16(7), cdb.bit(1, 4), cdb.bit(1, 3), 7);
        }

        static Write decode12(Cdb cdb) {
            return new Write(cdb.u32(2), cdb.u32(6), cdb.bit(1, 4), cdb.bit(1, 3), 6);
        }

        static Write decode16(Cdb cdb) {
            return new Write(cdb.s64(2), cdb.u32(10), cdb.bit(1, 4), cdb.bit(1, 3), 10);
        }
    }

    /**
     * SBC-4 5.44 to 5.46 WRITE AND VERIFY (10), (12), (16). BYTCHK 00b verifies the medium, 01b compares the Data-Out
     * with what was written; 10b is reserved and 11b is not defined for this command.
     */
    record WriteAndVerify(long lba, long blocks, boolean dpo, int byteCheck, int lengthField) implements SbcCommand {
        static WriteAndVerify decode10(Cdb cdb) {
            return new WriteAndVerify(cdb.u32(2), cdb.u16(7), cdb.bit(1, 4), byteCheck(cdb), 7);
        }

        static WriteAndVerify decode12(Cdb cdb) {
            return new WriteAndVerify(cdb.u32(2), cdb.u32(6), cdb.bit(1, 4), byteCheck(cdb), 6);
        }

        static WriteAndVerify decode16(Cdb cdb) {
            return new WriteAndVerify(cdb.s64(2), cdb.u32(10), cdb.bit(1, 4), byteCheck(cdb), 10);
        }

        private static int byteCheck(Cdb cdb) {
            int bytchk = cdb.bits(1, 2, 2);
            if (bytchk > 1) {
                throw Cdb.invalidField(1, 2);
            }
            return bytchk;
        }
    }

    /**
     * SBC-4 5.36 to 5.38 VERIFY (10), (12), (16). BYTCHK 00b: verify the medium only, no Data-Out; 01b: compare the
     * Data-Out with the medium; 11b: compare one logical block of Data-Out with every block of the range; 10b reserved.
     */
    record Verify(long lba, long blocks, boolean dpo, int byteCheck, int lengthField) implements SbcCommand {
        static Verify decode10(Cdb cdb) {
            return new Verify(cdb.u32(2), cdb.u16(7), cdb.bit(1, 4), byteCheck(cdb), 7);
        }

        static Verify decode12(Cdb cdb) {
            return new Verify(cdb.u32(2), cdb.u32(6), cdb.bit(1, 4), byteCheck(cdb), 6);
        }

        static Verify decode16(Cdb cdb) {
            return new Verify(cdb.s64(2), cdb.u32(10), cdb.bit(1, 4), byteCheck(cdb), 10);
        }

        private static int byteCheck(Cdb cdb) {
            int bytchk = cdb.bits(1, 2, 2);
            if (bytchk == 2) {
                throw Cdb.invalidField(1, 2);
            }
            return bytchk;
        }
    }

    /** SBC-4 5.9 ORWRITE (16): each byte of the range becomes its old value OR the Data-Out byte. */
    record OrWrite(long lba, long blocks, boolean dpo, boolean fua) implements SbcCommand {
        static OrWrite decode16(Cdb cdb) {
            return new OrWrite(cdb.s64(2), cdb.u32(10), cdb.bit(1, 4), cdb.bit(1, 3));
        }
    }

    /** SBC-4 5.48 WRITE ATOMIC (16): all of the blocks are written or none; ATOMIC BOUNDARY must be zero. */
    record WriteAtomic(long lba, long blocks, boolean dpo, boolean fua) implements SbcCommand {
        static WriteAtomic decode16(Cdb cdb) {
            return new WriteAtomic(cdb.s64(2), cdb.u16(12), cdb.bit(1, 4), cdb.bit(1, 3));
        }
    }

    /** SBC-4 5.3 COMPARE AND WRITE: the Data-Out holds NUMBER OF LOGICAL BLOCKS to compare, then as many to write. */
    record CompareAndWrite(long lba, int blocks, boolean dpo, boolean fua) implements SbcCommand {
        static CompareAndWrite decode(Cdb cdb) {
            return new CompareAndWrite(cdb.s64(2), cdb.u8(13), cdb.bit(1, 4), cdb.bit(1, 3));
        }
    }

    /**
     * SBC-4 5.49 and 5.50 WRITE SAME (10), (16). NUMBER OF LOGICAL BLOCKS 0 means "to the last LBA" (WSNZ is 0). With
     * NDOB (16 only) there is no Data-Out and the block is zeros.
     */
    record WriteSame(long lba, long blocks, boolean unmap, boolean noDataOut, int lengthField) implements SbcCommand {
        static WriteSame decode10(Cdb cdb) {
            return new WriteSame(cdb.u32(2), cdb.u16(7), cdb.bit(1, 3), false, 7);
        }

        static WriteSame decode16(Cdb cdb) {
            return new WriteSame(cdb.s64(2), cdb.u32(10), cdb.bit(1, 3), cdb.bit(1, 0), 10);
        }
    }

    /** SBC-4 5.32 UNMAP: a parameter list of block descriptors. */
    record Unmap(int parameterListLength) implements SbcCommand {
        static Unmap decode(Cdb cdb) {
            return new Unmap(cdb.u16(7));
        }
    }

    /** SBC-4 5.7 GET LBA STATUS (16). */
    record GetLbaStatus(long lba, long allocationLength) implements SbcCommand {
        static GetLbaStatus decode(Cdb cdb) {
            return new GetLbaStatus(cdb.s64(2), cdb.u32(10));
        }
    }

    /** SBC-4 5.22 and 5.23 READ CAPACITY (10), (16). */
    record ReadCapacity(boolean sixteen, long allocationLength) implements SbcCommand {
        /** The LOGICAL BLOCK ADDRESS and PMI fields are obsolete; an LBA without PMI is refused as SBC-3 did. */
        static ReadCapacity decode10(Cdb cdb) {
            if (!cdb.bit(8, 0) && cdb.u32(2) != 0) {
                throw Cdb.invalidField(2, 7);
            }
            return new ReadCapacity(false, 8);
        }

        static ReadCapacity decode16(Cdb cdb) {
            return new ReadCapacity(true, cdb.u32(10));
        }
    }

    /** SBC-4 5.34 and 5.35 SYNCHRONIZE CACHE (10), (16); NUMBER OF LOGICAL BLOCKS 0 means to the last LBA. */
    record SynchronizeCache(long lba, long blocks, boolean immediate) implements SbcCommand {
        static SynchronizeCache decode10(Cdb cdb) {
            return new SynchronizeCache(cdb.u32(2), cdb.u16(7), cdb.bit(1, 1));
        }

        static SynchronizeCache decode16(Cdb cdb) {
            return new SynchronizeCache(cdb.s64(2), cdb.u32(10), cdb.bit(1, 1));
        }
    }

    /** SBC-4 5.11 and 5.12 PRE-FETCH (10), (16); PREFETCH LENGTH 0 means to the last LBA. */
    record PreFetch(long lba, long blocks, boolean immediate) implements SbcCommand {
        static PreFetch decode10(Cdb cdb) {
            return new PreFetch(cdb.u32(2), cdb.u16(7), cdb.bit(1, 1));
        }

        static PreFetch decode16(Cdb cdb) {
            return new PreFetch(cdb.s64(2), cdb.u32(10), cdb.bit(1, 1));
        }
    }

    /**
     * SBC-4 5.20 and 5.21 READ DEFECT DATA (10), (12). Formats 000b, 011b, 100b, 101b and 110b are defined; the others
     * are reserved.
     */
    record ReadDefectData(boolean twelve, boolean primary, boolean grown, int format, long allocationLength)
            implements SbcCommand {
        static ReadDefectData decode10(Cdb cdb) {
            return new ReadDefectData(false, cdb.bit(2, 4), cdb.bit(2, 3), format(cdb, 2), cdb.u16(7));
        }

        static ReadDefectData decode12(Cdb cdb) {
            return new ReadDefectData(true, cdb.bit(1, 4), cdb.bit(1, 3), format(cdb, 1), cdb.u32(6));
        }

        private static int format(Cdb cdb, int offset) {
            int format = cdb.bits(offset, 2, 3);
            if (format == 1 || format == 2 || format == 7) {
                throw Cdb.invalidField(offset, 2);
            }
            return format;
        }
    }

    /**
     * SBC-4 5.27 START STOP UNIT. A POWER CONDITION other than 0h (START_VALID) changes a power condition only, and
     * START and LOEJ are then ignored.
     */
    record StartStopUnit(boolean immediate, int powerCondition, boolean noFlush, boolean loadEject, boolean start)
            implements SbcCommand {
        static StartStopUnit decode(Cdb cdb) {
            return new StartStopUnit(cdb.bit(1, 0), cdb.bits(4, 7, 4), cdb.bit(4, 2), cdb.bit(4, 1), cdb.bit(4, 0));
        }
    }

    /** SBC-4 5.13 PREVENT ALLOW MEDIUM REMOVAL: PREVENT 00b allows, 01b prevents; 10b and 11b are obsolete. */
    record PreventAllowMediumRemoval(boolean prevent) implements SbcCommand {
        static PreventAllowMediumRemoval decode(Cdb cdb) {
            int prevent = cdb.bits(4, 1, 2);
            if (prevent > 1) {
                throw Cdb.invalidField(4, 1);
            }
            return new PreventAllowMediumRemoval(prevent == 1);
        }
    }

    /** SPC-4 6.4 EXTENDED COPY (LID1). */
    record ExtendedCopy(long parameterListLength) implements SbcCommand {
        static ExtendedCopy decode(Cdb cdb) {
            return new ExtendedCopy(cdb.u32(10));
        }
    }

    /** SPC-4 6.20 RECEIVE COPY RESULTS: COPY STATUS (00h), OPERATING PARAMETERS (03h), FAILED SEGMENT DETAILS (04h). */
    record ReceiveCopyResults(int serviceAction, int listId, long allocationLength) implements SbcCommand {
        static ReceiveCopyResults decode(Cdb cdb) {
            return new ReceiveCopyResults(cdb.u8(1) & 0x1F, cdb.u8(2), cdb.u32(10));
        }
    }

    /**
     * SBC-4 5.30 SANITIZE: OVERWRITE (01h) with its parameter list, BLOCK ERASE (02h) and EXIT FAILURE MODE (1Fh)
     * without one. PARAMETER LIST LENGTH (OVERWRITE: 5 to the logical block length + 4; others: 0) is checked when
     * the command runs.
     */
    record Sanitize(int serviceAction, boolean immediate, boolean ause, int parameterListLength) implements SbcCommand {
        static final int OVERWRITE = 0x01;
        static final int BLOCK_ERASE = 0x02;
        static final int CRYPTO_ERASE = 0x03;
        static final int EXIT_FAILURE_MODE = 0x1F;

        static Sanitize decode(Cdb cdb) {
            return new Sanitize(cdb.u8(1) & 0x1F, cdb.bit(1, 7), cdb.bit(1, 5), cdb.u16(7));
        }
    }
}
