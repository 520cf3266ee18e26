package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiConstants.RESERVED_TAG;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import org.lunforge.scsi.SenseCode;

/**
 * The Data-Out of write commands (RFC 7143 3.2.4.2, 11.7, 11.8): immediate data and the rest of the first burst
 * (unsolicited, FirstBurstLength, InitialR2T, ImmediateData), then R2Ts for what remains (MaxBurstLength each, at
 * most MaxOutstandingR2T at a time, R2TSN counting), and every Data-Out checked against its sequence.
 *
 * <p>Reference counting: accepted data segments pass to the task ({@link IscsiTask#addData}); everything else is
 * released here.
 */
final class IscsiDataOutFlow {
    /** One outstanding R2T: the solicited sequence it opened. */
    private static final class R2t {
        final IscsiTask task;
        final int offset;
        final int length;
        int nextDataSN;
        int nextOffset;

        R2t(IscsiTask task, int offset, int length) {
            this.task = task;
            this.offset = offset;
            this.length = length;
            this.nextOffset = offset;
        }
    }

    private final IscsiSessionHandler h;
    private final IntObjectHashMap<R2t> r2ts = new IntObjectHashMap<>();

    IscsiDataOutFlow(IscsiSessionHandler handler) {
        this.h = handler;
    }

    /** Takes the command's immediate data and works out what unsolicited data is still owed (11.3, 13.10-13.14). */
    void receiveImmediateData(IscsiTask task, IscsiScsiCommand c, long maxTransferLength) {
        ByteBuf data = c.data();
        int immediate = data.readableBytes();
        long expected = task.expectedTransferLength();
        if (c.read() && c.write()) {
            task.dataError = SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT; // no bidirectional commands
        } else if (expected > maxTransferLength) {
            task.dataError = SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT;
        }
        boolean accept = immediate > 0 && c.write() && task.dataError == null && h.params().immediateData()
                && immediate <= h.params().firstBurstLength() && immediate <= expected;
        if (immediate > 0 && !accept && task.dataError == null) {
            task.dataError = immediate > expected ? SenseCode.TOO_MUCH_WRITE_DATA
                    : SenseCode.WRITE_ERROR_UNEXPECTED_UNSOLICITED_DATA;
        }
        if (accept) {
            task.addData(0, data);
        } else {
            data.release();
        }
        task.nextR2tOffset = immediate;
        if (!c.finalPdu()) {
            // Unsolicited Data-Out follows: the first burst is min(FirstBurstLength, EDTL) (13.14).
            task.unsolicitedOpen = true;
            task.unsolicitedOffset = immediate;
            task.unsolicitedEnd = (int) Math.min(h.params().firstBurstLength(), expected);
            task.nextR2tOffset = Math.max(immediate, task.unsolicitedEnd);
            if ((h.params().initialR2t() || !c.write()) && task.dataError == null) {
                task.dataError = SenseCode.WRITE_ERROR_UNEXPECTED_UNSOLICITED_DATA;
            }
        }
        if (!c.write()) {
            task.nextR2tOffset = 0;
        }
    }

    /** Sends R2Ts for the data still owed, up to MaxOutstandingR2T at a time, each at most MaxBurstLength (11.8). */
    void solicit(IscsiTask task) {
        int length = task.expectedLength();
        while (task.write && task.delivered && task.dataError == null && !task.silentlyAborted
                && !task.abortedWithStatus && task.outstandingR2ts < h.params().maxOutstandingR2t()
                && Integer.compareUnsigned(task.nextR2tOffset, length) < 0) {
            int offset = task.nextR2tOffset;
            int burst = Math.min(h.params().maxBurstLength(), length - offset);
            int ttt = h.newTag();
            r2ts.put(ttt, new R2t(task, offset, burst));
            task.outstandingR2ts++;
            task.nextR2tOffset = offset + burst;
            h.write(new IscsiR2t(task.lunField, task.itt, ttt, h.statSN(), h.expCmdSN(), h.maxCmdSN(), task.r2tCount++, offset,
                    burst));
        }
    }

    /**
     * Data-Out, or the header of one whose data digest failed ({@code digestError}; {@code length} is then its
     * DataSegmentLength). Each PDU must continue its sequence: DataSN one more than the last, the buffer offset
     * where the last ended, inside the R2T or the first burst. A PDU that does not is a sequence error, an implied
     * digest error (7.2.2): with ErrorRecoveryLevel 0 the task ends with PROTOCOL SERVICE CRC ERROR once the
     * sequence's final PDU arrives (7.8). TTT 0xffffffff is unsolicited data.
     */
    void dataOut(IscsiDataOut d, int length, boolean digestError) {
        ByteBuf data = d.data();
        if (h.session().discovery()) {
            h.rejectPdu(IscsiConstants.REJECT_PROTOCOL_ERROR, d);
            data.release();
            return;
        }
        IscsiTask task;
        boolean inSequence;
        R2t r2t = null;
        if (d.targetTransferTag() == RESERVED_TAG) {
            task = h.task(d.initiatorTaskTag());
            if (task == null) {
                data.release(); // for a command dropped outside the window, or already ended
                return;
            }
            if (!task.unsolicitedOpen) {
                if (task.dataError == null) {
                    task.dataError = SenseCode.WRITE_ERROR_UNEXPECTED_UNSOLICITED_DATA;
                }
                data.release();
                return;
            }
            inSequence = d.dataSN() == task.unsolicitedDataSN && d.bufferOffset() == task.unsolicitedOffset
                    && Integer.compareUnsigned(length, task.unsolicitedEnd - task.unsolicitedOffset) <= 0;
            task.unsolicitedDataSN++;
            task.unsolicitedOffset += length;
        } else {
            r2t = r2ts.get(d.targetTransferTag());
            if (r2t == null || r2t.task.itt != d.initiatorTaskTag()) {
                h.rejectPdu(IscsiConstants.REJECT_INVALID_PDU_FIELD, d);
                data.release();
                return;
            }
            task = r2t.task;
            inSequence = d.dataSN() == r2t.nextDataSN && d.bufferOffset() == r2t.nextOffset
                    && Integer.compareUnsigned(length, r2t.offset + r2t.length - r2t.nextOffset) <= 0;
            r2t.nextDataSN++;
            r2t.nextOffset += length;
        }
        if (!inSequence || digestError) {
            if (task.dataError == null) {
                task.dataError = SenseCode.PROTOCOL_SERVICE_CRC_ERROR;
            }
            data.release();
        } else if (task.dataError != null || task.silentlyAborted || task.abortedWithStatus || length == 0) {
            data.release();
        } else {
            task.addData(d.bufferOffset(), data);
        }
        if (!d.finalPdu()) {
            return;
        }
        if (r2t == null) {
            task.unsolicitedOpen = false;
            if (task.unsolicitedOffset != task.unsolicitedEnd && task.dataError == null) {
                task.dataError = SenseCode.WRITE_ERROR_NOT_ENOUGH_UNSOLICITED_DATA;
            }
        } else {
            r2ts.remove(d.targetTransferTag());
            task.outstandingR2ts--;
            if (r2t.nextOffset != r2t.offset + r2t.length && task.dataError == null) {
                task.dataError = SenseCode.PROTOCOL_SERVICE_CRC_ERROR;
            }
        }
        solicit(task);
        h.executeIfReady(task);
    }

    /** The connection is gone: outstanding R2Ts are forgotten (their tasks are cleaned up by the handler). */
    void clear() {
        r2ts.clear();
    }
}
