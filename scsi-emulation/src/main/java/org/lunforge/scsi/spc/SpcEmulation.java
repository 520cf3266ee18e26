package org.lunforge.scsi.spc;

import java.nio.charset.StandardCharsets;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/**
 * The SPC-4 commands every device type shares, and the shared state behind the logical unit's checks.
 */
public final class SpcEmulation {
    private final LogicalUnit lu;

    public SpcEmulation(LogicalUnit lu) {
        this.lu = lu;
    }

    public void execute(ScsiTask task, SpcCommand command) {
        switch (command) {
            case SpcCommand.TestUnitReady t -> {
                lu.device().checkReady();
                lu.good(task, 0);
            }
            case SpcCommand.Inquiry q -> inquiry(task, q);
            case SpcCommand.RequestSense r -> requestSense(task, r);
            case SpcCommand.ReportLuns r -> reportLunZeroOnly(task, r);
        }
    }

    /** Reservation and ALUA checks for the operation arriving on this nexus. */
    public void checkAccess(Nexus nexus, Operation op) {
    }

    /** The control mode page's D_SENSE bit as this nexus sees it. */
    public boolean descriptorSense(Nexus nexus) {
        return false;
    }

    public void reset(Nexus requestedBy) {
        lu.unitAttentions().establishForAllExcept(null, SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
    }

    public void nexusLost(Nexus nexus) {
    }

    private void inquiry(ScsiTask task, SpcCommand.Inquiry q) {
        if (q.evpd()) {
            throw CheckCondition.invalidFieldInCdb(2, 7);
        }
        byte[] data = new byte[36];
        data[0] = (byte) lu.device().deviceType().code();
        data[1] = (byte) (lu.device().removableMedium() ? 0x80 : 0);
        data[2] = 0x06; // SPC-4
        data[3] = 0x12; // HISUP, RESPONSE DATA FORMAT 2
        data[4] = (byte) (data.length - 5);
        data[7] = 0x02; // CMDQUE
        putAscii(data, 8, 8, lu.identity().vendor());
        putAscii(data, 16, 16, lu.identity().product());
        putAscii(data, 32, 4, lu.identity().revision());
        returnData(task, data, q.allocationLength());
    }

    private void requestSense(ScsiTask task, SpcCommand.RequestSense r) {
        SenseCode pending = lu.unitAttentions().take(task.nexus());
        Sense sense = Sense.of(pending != null ? pending : SenseCode.NO_ADDITIONAL_SENSE);
        returnData(task, sense.encode(r.descriptorFormat()), r.allocationLength());
    }

    private void reportLunZeroOnly(ScsiTask task, SpcCommand.ReportLuns r) {
        byte[] data = new byte[16];
        BigEndian.put32(data, 0, 8);
        returnData(task, data, r.allocationLength());
    }

    /** Returns parameter data truncated to the allocation length (SPC-4 4.2.5.6). */
    static void returnData(ScsiTask task, byte[] data, long allocationLength, LogicalUnit lu) {
        int length = (int) Math.min(data.length, allocationLength);
        task.dataIn().put(0, length == data.length ? data : java.util.Arrays.copyOf(data, length));
        lu.good(task, length);
    }

    private void returnData(ScsiTask task, byte[] data, long allocationLength) {
        returnData(task, data, allocationLength, lu);
    }

    /** Space-padded ASCII, left-aligned (SPC-4 4.3.1). */
    static void putAscii(byte[] b, int offset, int width, String s) {
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            b[offset + i] = i < ascii.length ? ascii[i] : (byte) ' ';
        }
    }
}
