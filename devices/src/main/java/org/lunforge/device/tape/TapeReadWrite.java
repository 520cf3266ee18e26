package org.lunforge.device.tape;

import static org.lunforge.device.tape.TapeOutcomes.streamCondition;

import java.io.IOException;
import org.lunforge.backstore.StoreLoan;
import org.lunforge.backstore.tape.BlockCipher;
import org.lunforge.backstore.tape.TapeMedium;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;

/**
 * The drive's data commands (SSC-4 7): READ(6), WRITE(6), WRITE FILEMARKS(6) and ERASE(6), at the medium's cursor.
 * Conditions the position raises become sense through {@link TapeOutcomes}; store failures propagate to the drive,
 * which hands them to the same mapper. Runs on the drive's command thread, under the drive's monitor.
 */
final class TapeReadWrite {
    /** Blocks from this size up are lent rather than copied, as a disk's reads are (below it a copy costs less). */
    static final int LEND_MIN_BYTES = 32 << 10;
    /** {@code -Dlunforge.copyDataIn=true} turns lending off: every read copies (for before/after benchmarks). */
    private static final boolean LEND = !Boolean.getBoolean("lunforge.copyDataIn");

    private final TapeDrive drive;

    TapeReadWrite(TapeDrive drive) {
        this.drive = drive;
    }

    /**
     * READ(6). Variable mode reads one block: a shorter block is an incorrect length (NO SENSE, ILI, INFORMATION the
     * residue) unless SILI; a longer one always is (INFORMATION negative: requested minus actual, two's complement in
     * the 4-byte field). Fixed mode reads TRANSFER LENGTH blocks of the block length and stops after a block of
     * another length (ILI). A filemark stops the read after it (FILEMARK, INFORMATION the residue); EOD stops it where
     * it is (BLANK CHECK, END-OF-DATA DETECTED). The data read so far is returned with the sense. Blocks pass
     * through the drive's data decryption ({@link TapeDataEncryption#read}); a block it refuses ends the read in
     * front of it with DATA PROTECT (and the data read before it).
     */
    long read(ScsiTask task, TapeCommand.Read r) throws IOException {
        TapeMedium m = drive.ready();
        if (r.transferLength() == 0) {
            return 0;
        }
        if (!r.fixed()) {
            long want = r.transferLength();
            TapeMedium.TapeObject o = m.peek();
            if (o == null) {
                throw streamCondition(SenseCode.END_OF_DATA_DETECTED, false, false, false, want, 0);
            }
            if (o.kind() == TapeMedium.Kind.FILEMARK) {
                m.skip();
                throw streamCondition(SenseCode.FILEMARK_DETECTED, true, false, false, want, 0);
            }
            if (lends(task, r, o, want)) {
                StoreLoan loan = m.lend(want);
                if (loan != null) {
                    task.lendDataIn(loan.data(), loan.giveBack());
                    countRead(o.length(), o.storedLength());
                    return o.length();
                }
            }
            SgList in = task.dataIn(want);
            int length = drive.encryption().read(m, o, in, want, task.nexus());
            countRead(length, o.storedLength());
            if (length == want || (length < want && r.suppressIncorrectLength())) {
                return length;
            }
            throw streamCondition(SenseCode.NO_ADDITIONAL_SENSE, false, false, true, want - length,
                    Math.min(length, want));
        }
        int size = drive.blockLength();
        if (size == 0) {
            throw CheckCondition.invalidFieldInCdb(1, 0); // FIXED in variable block mode
        }
        SgList in = task.dataIn(r.transferLength() * size);
        long count = r.transferLength();
        for (long i = 0; i < count; i++) {
            long done = i * size;
            TapeMedium.TapeObject o = m.peek();
            if (o == null) {
                throw streamCondition(SenseCode.END_OF_DATA_DETECTED, false, false, false, count - i, done);
            }
            if (o.kind() == TapeMedium.Kind.FILEMARK) {
                m.skip();
                throw streamCondition(SenseCode.FILEMARK_DETECTED, true, false, false, count - i, done);
            }
            SgList slot = done >= in.length() ? SgList.EMPTY : in.slice(done, Math.min(size, in.length() - done));
            int length = drive.encryption().read(m, o, slot, size, task.nexus());
            countRead(length, o.storedLength());
            if (length != size) {
                throw streamCondition(SenseCode.NO_ADDITIONAL_SENSE, false, false, true, count - i, done);
            }
        }
        return count * size;
    }

    /**
     * Whether a variable-mode READ of {@code want} bytes sends the block {@code o} from the cartridge's own pages
     * rather than a copy: when the frontend can send lent memory (iSCSI; TCMU copies into its ring anyway), the block
     * is large enough for that to pay, is stored as the host gets it, and is exactly what was asked for (or shorter,
     * with SILI), so the answer is GOOD with nothing but the block.
     */
    private boolean lends(ScsiTask task, TapeCommand.Read r, TapeMedium.TapeObject o, long want) {
        return LEND && o.length() >= LEND_MIN_BYTES && !o.compressed()
                && (o.length() == want || (o.length() < want && r.suppressIncorrectLength()))
                && task.takesLentDataIn() && drive.encryption().readsAsStored(o, task.nexus());
    }

    private void countRead(long length, long stored) {
        drive.logCounters().hostBytesRead += length;
        drive.logCounters().mediumBytesRead += stored;
        TapeDriveStatistics totals = drive.statistics();
        totals.hostBytesRead.add(length);
        totals.mediumBytesRead.add(stored);
        totals.blocksRead.increment();
    }

    /**
     * WRITE(6) at the position (which truncates the partition there; refused on WORM unless at EOD). A block that does
     * not fit before the physical end is not written: VOLUME OVERFLOW with EOM and INFORMATION the blocks (fixed) or
     * bytes (variable) not written. A write that ends past early warning succeeds and reports NO SENSE, END-OF-
     * PARTITION/MEDIUM DETECTED with EOM and INFORMATION 0: Linux st then returns ENOSPC on the next write, which is
     * how tar -M learns to ask for the next volume.
     */
    long write(ScsiTask task, TapeCommand.Write w) throws IOException {
        TapeMedium m = drive.ready();
        if (w.transferLength() == 0) {
            return 0;
        }
        checkWormAppend(m);
        SgList out = task.dataOut();
        boolean compress = drive.compressing();
        BlockCipher cipher = drive.encryption().sealer(task.nexus());
        if (!w.fixed()) {
            int length = w.transferLength();
            if (length > TapeCommand.MAX_BLOCK_LENGTH) {
                throw CheckCondition.invalidFieldInCdb(2, 7);
            }
            if (out.length() < length) {
                throw CheckCondition.invalidFieldInCdb(2, 7); // less data than the transfer length
            }
            long before = m.storedBytesAppended();
            if (m.writeBlock(out.slice(0, length), compress, cipher) < 0) {
                throw streamCondition(SenseCode.VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM, false, true, false,
                        length, 0);
            }
            countWrite(length, m.storedBytesAppended() - before);
        } else {
            int size = drive.blockLength();
            if (size == 0) {
                throw CheckCondition.invalidFieldInCdb(1, 0); // FIXED in variable block mode
            }
            long count = w.transferLength();
            if (out.length() < count * size) {
                throw CheckCondition.invalidFieldInCdb(2, 7);
            }
            for (long i = 0; i < count; i++) {
                long before = m.storedBytesAppended();
                if (m.writeBlock(out.slice(i * size, size), compress, cipher) < 0) {
                    afterWrite(m);
                    throw streamCondition(SenseCode.VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM, false, true, false,
                            count - i, i * size);
                }
                countWrite(size, m.storedBytesAppended() - before);
            }
        }
        afterWrite(m);
        if (m.beyondEarlyWarning()) {
            throw streamCondition(SenseCode.END_OF_PARTITION_MEDIUM_DETECTED, false, true, false, 0,
                    w.fixed() ? (long) w.transferLength() * drive.blockLength() : w.transferLength());
        }
        return w.fixed() ? (long) w.transferLength() * drive.blockLength() : w.transferLength();
    }

    private void countWrite(long length, long stored) {
        drive.logCounters().hostBytesWritten += length;
        drive.logCounters().mediumBytesWritten += stored;
        TapeDriveStatistics totals = drive.statistics();
        totals.hostBytesWritten.add(length);
        totals.mediumBytesWritten.add(stored);
        totals.blocksWritten.increment();
    }

    /** Unbuffered mode: the block is on the medium before the command completes. */
    private void afterWrite(TapeMedium m) throws IOException {
        if (drive.bufferedMode() == 0) {
            m.sync();
        }
    }

    /** WORM (SSC-4 4.2.?): objects are appended at EOD only; anything else would overwrite. */
    private void checkWormAppend(TapeMedium m) {
        if (m.cartridge().worm() && !m.atEndOfData()) {
            throw new CheckCondition(SenseCode.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
        }
    }

    /**
     * WRITE FILEMARKS(6): COUNT filemarks at the position, then (IMMED 0) a sync: every object written before it is
     * durable when it completes, which is what a backup application's "end of file" relies on. COUNT 0 only syncs.
     * Early warning and the physical end are reported as for WRITE.
     */
    long writeFilemarks(TapeCommand.WriteFilemarks w) throws IOException {
        TapeMedium m = drive.ready();
        if (w.count() > 0) {
            checkWormAppend(m);
        }
        for (int i = 0; i < w.count(); i++) {
            if (!m.writeFilemark()) {
                m.sync();
                throw streamCondition(SenseCode.VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM, false, true, false,
                        w.count() - i, 0);
            }
            drive.statistics().filemarksWritten.increment();
        }
        if (!w.immediate() || drive.bufferedMode() == 0) {
            m.sync();
        }
        if (w.count() > 0 && m.beyondEarlyWarning()) {
            throw streamCondition(SenseCode.END_OF_PARTITION_MEDIUM_DETECTED, false, true, false, 0, 0);
        }
        return 0;
    }

    /** ERASE(6): EOD at the position (LONG or not: the rest of the partition is gone either way). */
    long erase() throws IOException {
        TapeMedium m = drive.ready();
        if (m.cartridge().worm()) {
            throw new CheckCondition(SenseCode.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
        }
        m.eraseFromPosition();
        m.sync();
        return 0;
    }
}
