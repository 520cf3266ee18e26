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
 * <p>Reference counting: every data segment passes to the task ({@link IscsiTask#receiveData},
 * {@link IscsiTask#receiveImmediateData}), which keeps or releases it; PDUs for no task are released here.
 */
final class IscsiDataOutFlow {
    private final IscsiSessionHandler h;
    /** The open R2Ts by Target Transfer Tag: the solicited sequence each opened. */
    private final IntObjectHashMap<IscsiTask.Sequence> r2ts = new IntObjectHashMap<>();

    IscsiDataOutFlow(IscsiSessionHandler handler) {
        this.h = handler;
    }

    /** Takes the command's immediate data and works out what unsolicited data is still owed (11.3, 13.10-13.14). */
    void receiveImmediateData(IscsiTask task, IscsiScsiCommand c, long maxTransferLength) {
        ByteBuf data = c.data();
        int immediate = data.readableBytes();
        long expected = task.expectedTransferLength();
        if (c.read() && c.write()) {
            task.fail(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT); // no bidirectional commands
        } else if (expected > maxTransferLength) {
            task.fail(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        }
        boolean accept = immediate > 0 && c.write() && task.dataError() == null && h.params().immediateData()
                && immediate <= h.params().firstBurstLength() && immediate <= expected;
        if (immediate > 0 && !accept) {
            task.fail(immediate > expected ? SenseCode.TOO_MUCH_WRITE_DATA
                    : SenseCode.WRITE_ERROR_UNEXPECTED_UNSOLICITED_DATA);
        }
        if (accept) {
            task.receiveImmediateData(data);
        } else {
            data.release();
        }
        // Unsolicited Data-Out follows a non-final command: the first burst is min(FirstBurstLength, EDTL) (13.14).
        task.expectDataOut(immediate, !c.finalPdu(), (int) Math.min(h.params().firstBurstLength(), expected));
        if (!c.finalPdu() && (h.params().initialR2t() || !c.write())) {
            task.fail(SenseCode.WRITE_ERROR_UNEXPECTED_UNSOLICITED_DATA);
        }
    }

    /** Sends R2Ts for the data still owed, up to MaxOutstandingR2T at a time, each at most MaxBurstLength (11.8). */
    void solicit(IscsiTask task) {
        for (IscsiTask.R2tRequest r; (r = task.nextR2t(h.params().maxBurstLength(), h.params().maxOutstandingR2t()))
                != null; ) {
            int ttt = h.newTag();
            r2ts.put(ttt, r.sequence());
            h.write(new IscsiR2t(task.lunField, task.itt, ttt, h.statSN(), h.expCmdSN(), h.maxCmdSN(), r.r2tSN(),
                    r.offset(), r.length()));
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
        IscsiTask.Sequence sequence;
        boolean solicited = d.targetTransferTag() != RESERVED_TAG;
        if (!solicited) {
            IscsiTask task = h.task(d.initiatorTaskTag());
            if (task == null) {
                data.release(); // for a command dropped outside the window, or already ended
                return;
            }
            sequence = task.unsolicited();
            if (sequence == null) {
                task.fail(SenseCode.WRITE_ERROR_UNEXPECTED_UNSOLICITED_DATA);
                data.release();
                return;
            }
        } else {
            sequence = r2ts.get(d.targetTransferTag());
            if (sequence == null || sequence.task.itt != d.initiatorTaskTag()) {
                h.rejectPdu(IscsiConstants.REJECT_INVALID_PDU_FIELD, d);
                data.release();
                return;
            }
        }
        IscsiTask task = sequence.task;
        boolean inSequence = sequence.take(d.dataSN(), d.bufferOffset(), length);
        task.receiveData(d.bufferOffset(), data, inSequence && !digestError);
        if (!d.finalPdu()) {
            return;
        }
        if (solicited) {
            r2ts.remove(d.targetTransferTag());
            task.r2tAnswered(sequence);
        } else {
            task.closeUnsolicited();
        }
        solicit(task);
        h.executeIfReady(task);
    }

    /** The connection is gone: outstanding R2Ts are forgotten (their tasks are cleaned up by the handler). */
    void clear() {
        r2ts.clear();
    }
}
