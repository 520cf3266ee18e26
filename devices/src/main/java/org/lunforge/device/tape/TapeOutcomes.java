package org.lunforge.device.tape;

import java.io.IOException;
import org.lunforge.backstore.tape.CartridgeInUseException;
import org.lunforge.backstore.tape.MediumException;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/**
 * The one place where what the cartridge store and the medium report becomes sense data (SSC-4 4.2, SPC-4 annex D),
 * as {@code StoreOutcomes} is for the disk: the store throws, the drive's command families throw stream conditions,
 * and only this class picks sense codes for them. The store never builds sense.
 *
 * <p>A failed store call is a MEDIUM ERROR whose additional sense says which way the data was going: a damaged record
 * ({@link MediumException}) is always UNRECOVERED READ ERROR, since it was found by reading; any other I/O failure is
 * UNRECOVERED READ ERROR for a command that reads or moves over recorded objects (READ, SPACE, LOCATE, READ ATTRIBUTE,
 * REPORT DENSITY SUPPORT) and WRITE ERROR for one that records or flushes buffered objects (WRITE, WRITE FILEMARKS,
 * ERASE, REWIND, READ POSITION, LOAD UNLOAD, WRITE ATTRIBUTE: each syncs the write buffer first). A cartridge that
 * another drive holds cannot be loaded: MEDIUM LOAD OR EJECT FAILED. A block the data decryption refuses
 * ({@link EncryptedBlockException}) is DATA PROTECT with the SSC-4 additional sense of its reason (74h family).
 */
final class TapeOutcomes {
    private TapeOutcomes() {
    }

    /** Which way a command moves data through the store. */
    enum Direction {
        READING, RECORDING, NONE;

        static Direction of(TapeCommand command) {
            return switch (command) {
                case TapeCommand.Read r -> READING;
                case TapeCommand.Space s -> READING;
                case TapeCommand.Locate l -> READING;
                case TapeCommand.ReadAttribute r -> READING;
                case TapeCommand.ReportDensitySupport r -> READING;
                case TapeCommand.Write w -> RECORDING;
                case TapeCommand.WriteFilemarks w -> RECORDING;
                case TapeCommand.Erase e -> RECORDING;
                case TapeCommand.Rewind r -> RECORDING;
                case TapeCommand.ReadPosition r -> RECORDING;
                case TapeCommand.LoadUnload l -> RECORDING;
                case TapeCommand.WriteAttribute w -> RECORDING;
                case TapeCommand.RequestSense r -> NONE;
                case TapeCommand.ReadBlockLimits r -> NONE;
                case TapeCommand.PreventAllowMediumRemoval p -> NONE;
                case TapeCommand.SecurityProtocolIn s -> READING;
                case TapeCommand.SecurityProtocolOut s -> NONE;
            };
        }
    }

    /** The sense code for a store call that failed while the drive served {@code command}. */
    static SenseCode senseCode(IOException failure, TapeCommand command) {
        if (failure instanceof EncryptedBlockException e) {
            return switch (e.reason()) {
                case NOT_DECRYPTING -> SenseCode.UNABLE_TO_DECRYPT_DATA;
                case NOT_ENCRYPTED -> SenseCode.UNENCRYPTED_DATA_ENCOUNTERED_WHILE_DECRYPTING;
                case WRONG_KEY -> SenseCode.INCORRECT_DATA_ENCRYPTION_KEY;
                case INTEGRITY -> SenseCode.CRYPTOGRAPHIC_INTEGRITY_VALIDATION_FAILED;
                case RAW_READ_DISABLED -> SenseCode.ENCRYPTED_BLOCK_NOT_RAW_READ_ENABLED;
            };
        }
        if (failure instanceof MediumException) {
            return SenseCode.UNRECOVERED_READ_ERROR;
        }
        if (failure instanceof CartridgeInUseException) {
            return SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED;
        }
        return switch (Direction.of(command)) {
            case READING -> SenseCode.UNRECOVERED_READ_ERROR;
            case RECORDING, NONE -> SenseCode.WRITE_ERROR;
        };
    }

    static CheckCondition checkCondition(IOException failure, TapeCommand command) {
        return new CheckCondition(senseCode(failure, command));
    }

    /**
     * A condition the medium's position raised (filemark, EOD, early warning, physical end, incorrect length): its
     * stream bits (FILEMARK, EOM, ILI), INFORMATION (the residue), and the data moved before it.
     */
    static CheckCondition streamCondition(SenseCode code, boolean filemark, boolean endOfMedium,
                                          boolean incorrectLength, long information, long transferred) {
        // The 4-byte INFORMATION field of fixed sense is two's complement for a negative residue (SSC-4 4.2.?).
        Sense sense = Sense.of(code).withStreamBits(filemark, endOfMedium, incorrectLength)
                .withInformation(information & 0xFFFF_FFFFL);
        return new CheckCondition(sense, transferred);
    }
}
