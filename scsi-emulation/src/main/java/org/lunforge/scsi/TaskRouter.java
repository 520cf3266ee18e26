package org.lunforge.scsi;

import java.util.List;
import org.lunforge.scsi.spc.SpcCommand;
import org.lunforge.scsi.spc.SpcOperation;

/**
 * The target device's part of a command's way (SAM-5 5.9, SPC-4 6.29): REPORT LUNS is answered from the nexus's
 * LUN map, a task for a LUN the nexus cannot reach gets the answers SPC-4 prescribes for an incorrect logical unit,
 * and every other task goes to its logical unit.
 */
public final class TaskRouter {
    private static final CommandTable REPORT_LUNS_ONLY = new CommandTable(List.of(SpcOperation.REPORT_LUNS));
    private static final int INQUIRY = 0x12;
    private static final int REQUEST_SENSE = 0x03;

    private TaskRouter() {
    }

    /** Routes one task; never throws. {@code lunField} is the 8-byte SAM LUN as the transport delivered it. */
    public static void route(ScsiTask task, long lunField, LunMap luns) {
        int lun = LunAddress.decode(lunField);
        LogicalUnit lu = lun < 0 ? null : luns.logicalUnit(lun);
        Cdb cdb = task.cdb();
        try {
            if (cdb.opcode() == SpcOperation.REPORT_LUNS.opcode()) {
                // SPC-4 6.29 and the LUICLR bit we report (VPD 86h): a successful REPORT LUNS clears REPORTED LUNS
                // DATA HAS CHANGED on every logical unit this nexus reaches, before the data goes back.
                Operation op = REPORT_LUNS_ONLY.lookup(cdb);
                SpcCommand.ReportLuns request = (SpcCommand.ReportLuns) op.decode(cdb);
                for (int each : luns.luns()) {
                    LogicalUnit reachable = luns.logicalUnit(each);
                    if (reachable != null) {
                        reachable.unitAttentions().clear(task.nexus(), SenseCode.REPORTED_LUNS_DATA_HAS_CHANGED);
                    }
                }
                reportLuns(task, luns, request);
                return;
            }
            if (lu != null) {
                lu.execute(task);
                return;
            }
            // SPC-4 6.6.2: PERIPHERAL QUALIFIER 011b, type 1Fh for a LUN that has no logical unit behind it.
            if (cdb.opcode() == INQUIRY && cdb.length() >= 6 && (cdb.u8(1) & 0x01) == 0) {
                byte[] data = new byte[36];
                data[0] = 0x7F;
                data[2] = 0x06;
                data[3] = 0x12;
                data[4] = 31;
                int length = Math.min(data.length, cdb.u16(3));
                task.dataIn(length).put(0, java.util.Arrays.copyOf(data, length));
                task.complete(TaskResponse.good(length));
                return;
            }
            Sense notSupported = Sense.of(SenseCode.LOGICAL_UNIT_NOT_SUPPORTED);
            if (cdb.opcode() == REQUEST_SENSE && cdb.length() >= 6) { // SPC-4 6.39: sense data, GOOD status
                byte[] sense = notSupported.encode((cdb.u8(1) & 0x01) != 0);
                int length = Math.min(sense.length, cdb.u8(4));
                task.dataIn(length).put(0, java.util.Arrays.copyOf(sense, length));
                task.complete(TaskResponse.good(length));
                return;
            }
            throw new CheckCondition(notSupported);
        } catch (CheckCondition e) {
            task.complete(TaskResponse.checkCondition(e.sense().encode(false), 0));
        }
    }

    private static void reportLuns(ScsiTask task, LunMap luns, SpcCommand.ReportLuns request) {
        // SELECT REPORT 01h lists well-known LUNs only, of which we have none; 11h/12h: administrative/subsidiary.
        int[] list = switch (request.selectReport()) {
            case 0x00, 0x02, 0x11 -> luns.luns();
            default -> new int[0];
        };
        byte[] data = new byte[8 + 8 * list.length];
        BigEndian.put32(data, 0, 8L * list.length);
        for (int i = 0; i < list.length; i++) {
            BigEndian.put64(data, 8 + 8 * i, LunAddress.encode(list[i]));
        }
        int length = (int) Math.min(data.length, request.allocationLength());
        task.dataIn(length).put(0, java.util.Arrays.copyOf(data, length));
        task.complete(TaskResponse.good(length));
    }
}
