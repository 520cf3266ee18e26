package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiConstants.RESERVED_TAG;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.TaskResponse;

/**
 * How a finished task is answered (RFC 7143 11.4, 11.7): Data-In PDUs that are slices of the task's Data-In
 * buffer (no copy), the status in the last one when there is no sense data, else a SCSI Response; residual flags
 * and counts in whichever PDU carries the status.
 */
final class IscsiResponses {
    private IscsiResponses() {
    }

    /**
     * Data-In PDUs for the data, each at most the initiator's MaxRecvDataSegmentLength, sequences of at most
     * MaxBurstLength (F at the end of each), then the status: in the last Data-In (S bit) when it is GOOD or
     * CONDITION MET, else in a SCSI Response with the sense data. Residuals compare what the device wanted to move
     * with the Expected Data Transfer Length (11.4.5).
     */
    static void write(IscsiSessionHandler h, IscsiTask task, TaskResponse response) {
        long expected = task.expectedTransferLength();
        long transfer = response.transferLength();
        boolean overflow = transfer > expected;
        boolean underflow = transfer < expected;
        int residual = (int) Math.min(Math.abs(transfer - expected), 0xFFFF_FFFFL);
        ScsiStatus status = response.status();
        boolean statusInData = response.sense().length == 0
                && (status == ScsiStatus.GOOD || status == ScsiStatus.CONDITION_MET);
        ByteBuf buffer = task.dataInBuffer();
        int length = buffer == null || !task.read ? 0 : (int) Math.min(transfer, buffer.capacity());
        int pduLimit = h.params().initiatorMaxRecvDataSegmentLength();
        int burst = h.params().maxBurstLength();
        int offset = 0;
        int inBurst = 0;
        while (offset < length) {
            int n = Math.min(Math.min(pduLimit, length - offset), burst - inBurst);
            boolean last = offset + n == length;
            inBurst += n;
            boolean endOfSequence = last || inBurst == burst;
            boolean withStatus = last && statusInData;
            h.write(new IscsiDataIn(endOfSequence, false, withStatus && overflow, withStatus && underflow, withStatus,
                    status.code(), 0, task.itt, RESERVED_TAG, withStatus ? h.advanceStatSN() : 0, h.expCmdSN(),
                    h.maxCmdSN(), task.nextDataInSN(), offset, withStatus ? residual : 0,
                    buffer.retainedSlice(offset, n)));
            offset += n;
            if (endOfSequence) {
                inBurst = 0;
            }
        }
        if (length > 0 && statusInData) {
            return;
        }
        byte[] sense = response.sense();
        ByteBuf data = Unpooled.EMPTY_BUFFER;
        if (sense.length > 0) {
            data = h.ctx.alloc().heapBuffer(2 + sense.length).writeShort(sense.length).writeBytes(sense);
        }
        h.write(new IscsiScsiResponse(false, false, overflow, underflow, IscsiConstants.RESPONSE_COMMAND_COMPLETED,
                status.code(), task.itt, 0, h.advanceStatSN(), h.expCmdSN(), h.maxCmdSN(),
                task.expDataSN(), 0, residual, data));
    }
}
