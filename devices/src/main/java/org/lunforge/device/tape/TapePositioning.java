package org.lunforge.device.tape;

import static org.lunforge.device.tape.TapeOutcomes.streamCondition;

import java.io.IOException;
import org.lunforge.backstore.tape.TapeMedium;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/**
 * The drive's positioning commands (SSC-4 7): SPACE(6/16), LOCATE(10/16) and READ POSITION, over the medium's cursor
 * and its filemark index. Conditions the position raises become sense through {@link TapeOutcomes}. Runs on the
 * drive's command thread, under the drive's monitor.
 */
final class TapePositioning {
    private final TapeDrive drive;

    TapePositioning(TapeDrive drive) {
        this.drive = drive;
    }

    /**
     * SPACE(6) and SPACE(16) (SSC-4 7.?). Over blocks: a filemark stops the motion after it (forward) or before it
     * (backward) with FILEMARK and INFORMATION the blocks not spaced; EOD stops it with BLANK CHECK, END-OF-DATA
     * DETECTED; BOP with NO SENSE, BEGINNING-OF-PARTITION/MEDIUM DETECTED and EOM. Over filemarks: EOD and BOP
     * likewise. INFORMATION is the magnitude of what was not spaced. Sequential filemarks: to after the first run of
     * COUNT consecutive filemarks (before the last such run, backward). End of data: to EOD.
     */
    long space(TapeCommand.Space s) throws IOException {
        TapeMedium m = drive.ready();
        long n = s.count();
        long pos = m.position();
        long eod = m.endOfData();
        switch (s.code()) {
            case END_OF_DATA -> m.locate(eod);
            case BLOCKS -> {
                if (n > 0) {
                    int next = m.filemarksBefore(pos);
                    long mark = next < m.filemarkCount() ? m.filemark(next) : Long.MAX_VALUE;
                    if (mark < pos + n) {
                        m.locate(mark + 1);
                        throw streamCondition(SenseCode.FILEMARK_DETECTED, true, false, false, n - (mark - pos), 0);
                    }
                    if (pos + n > eod) {
                        m.locate(eod);
                        throw streamCondition(SenseCode.END_OF_DATA_DETECTED, false, false, false,
                                n - (eod - pos), 0);
                    }
                    m.locate(pos + n);
                } else if (n < 0) {
                    long want = -n;
                    int previous = m.filemarksBefore(pos) - 1;
                    long mark = previous >= 0 ? m.filemark(previous) : -1;
                    if (previous >= 0 && mark >= pos - want) {
                        m.locate(mark);
                        throw streamCondition(SenseCode.FILEMARK_DETECTED, true, false, false,
                                want - (pos - 1 - mark), 0);
                    }
                    if (pos - want < 0) {
                        m.locate(0);
                        throw streamCondition(SenseCode.BEGINNING_OF_PARTITION_MEDIUM_DETECTED, false, true, false,
                                want - pos, 0);
                    }
                    m.locate(pos - want);
                }
            }
            case FILEMARKS -> {
                int before = m.filemarksBefore(pos);
                if (n > 0) {
                    long target = before + n - 1;
                    if (target >= m.filemarkCount()) {
                        m.locate(eod);
                        throw streamCondition(SenseCode.END_OF_DATA_DETECTED, false, false, false,
                                n - (m.filemarkCount() - before), 0);
                    }
                    m.locate(m.filemark((int) target) + 1);
                } else if (n < 0) {
                    long want = -n;
                    long target = before - want;
                    if (target < 0) {
                        m.locate(0);
                        throw streamCondition(SenseCode.BEGINNING_OF_PARTITION_MEDIUM_DETECTED, false, true, false,
                                want - before, 0);
                    }
                    m.locate(m.filemark((int) target));
                }
            }
            case SEQUENTIAL_FILEMARKS -> spaceSequentialFilemarks(m, n, pos, eod);
        }
        return 0;
    }

    private void spaceSequentialFilemarks(TapeMedium m, long n, long pos, long eod) throws IOException {
        if (n == 0) {
            return;
        }
        int count = m.filemarkCount();
        long run = Math.abs(n);
        if (n > 0) {
            for (int i = m.filemarksBefore(pos); i + run - 1 < count; i++) {
                if (m.filemark((int) (i + run - 1)) - m.filemark(i) == run - 1) {
                    m.locate(m.filemark((int) (i + run - 1)) + 1);
                    return;
                }
            }
            m.locate(eod);
            throw new CheckCondition(SenseCode.END_OF_DATA_DETECTED);
        }
        for (int last = m.filemarksBefore(pos) - 1; last - run + 1 >= 0; last--) {
            int first = (int) (last - run + 1);
            if (m.filemark(last) - m.filemark(first) == run - 1) {
                m.locate(m.filemark(first));
                return;
            }
        }
        m.locate(0);
        throw new CheckCondition(Sense.of(SenseCode.BEGINNING_OF_PARTITION_MEDIUM_DETECTED)
                .withStreamBits(false, true, false));
    }

    /**
     * LOCATE(10) and LOCATE(16) (SSC-4 7.3, 7.4): to a logical object identifier, to the start of a logical file (after
     * its preceding filemark), or to EOD. A destination beyond EOD ends at EOD with BLANK CHECK, END-OF-DATA DETECTED.
     */
    long locate(TapeCommand.Locate l) throws IOException {
        TapeMedium m = drive.ready();
        long eod = m.endOfData();
        long target = switch (l.destination()) {
            case LOGICAL_OBJECT -> l.identifier();
            case LOGICAL_FILE -> l.identifier() == 0 ? 0
                    : l.identifier() <= m.filemarkCount() ? m.filemark((int) (l.identifier() - 1)) + 1
                    : Long.MAX_VALUE;
            case END_OF_DATA -> eod;
        };
        if (target > eod) {
            m.locate(eod);
            throw new CheckCondition(SenseCode.END_OF_DATA_DETECTED);
        }
        m.locate(target);
        return 0;
    }

    /** READ POSITION (SSC-4 7.7): syncs the buffer, then reports the position in the requested form. */
    long readPosition(ScsiTask task, TapeCommand.ReadPosition r) throws IOException {
        TapeMedium m = drive.ready();
        m.sync();
        PositionData p = new PositionData(m.position(), m.filemarksBeforePosition(), m.position() == 0,
                positionBeyondEarlyWarning(m));
        return switch (r.form()) {
            case SHORT_FORM_BLOCK_ID, SHORT_FORM_VENDOR_SPECIFIC ->
                    TapeDrive.returnData(task, p.shortForm(), Long.MAX_VALUE);
            case LONG_FORM -> TapeDrive.returnData(task, p.longForm(), Long.MAX_VALUE);
            case EXTENDED_FORM -> TapeDrive.returnData(task, p.extendedForm(), r.allocationLength());
        };
    }

    static boolean positionBeyondEarlyWarning(TapeMedium m) {
        return m.usedBeforePosition() > m.capacity() - m.cartridge().spec().earlyWarningZone();
    }

}
