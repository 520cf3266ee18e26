package org.lunforge.scsi.spc;

import java.io.ByteArrayOutputStream;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.Operation;

/**
 * REPORT SUPPORTED OPERATION CODES (SPC-4 6.35) and REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (6.36). The first is
 * generated from the logical unit's command table, so the CDB usage data we report is the data every CDB is checked
 * against: what we report is what we check.
 */
final class SupportedOperations {
    /** SUPPORT field values of the one-command format (SPC-4 6.35.3). */
    static final int NOT_SUPPORTED = 0b001;
    static final int SUPPORTED = 0b011;

    private final CommandTable table;

    SupportedOperations(CommandTable table) {
        this.table = table;
    }

    byte[] report(SpcCommand.ReportSupportedOperationCodes r) {
        return switch (r.reportingOptions()) {
            case 0b000 -> all(r.returnTimeouts());
            case 0b001 -> {
                if (table.hasServiceActions(r.requestedOpcode())) {
                    throw CheckCondition.invalidFieldInCdb(2, 2); // this opcode needs a service action
                }
                yield one(table.find(r.requestedOpcode(), Operation.NO_SERVICE_ACTION), r.returnTimeouts());
            }
            case 0b010 -> {
                if (table.find(r.requestedOpcode(), Operation.NO_SERVICE_ACTION) != null
                        && !table.hasServiceActions(r.requestedOpcode())) {
                    throw CheckCondition.invalidFieldInCdb(2, 2); // this opcode has no service actions
                }
                yield one(table.find(r.requestedOpcode(), r.requestedServiceAction()), r.returnTimeouts());
            }
            default -> { // 011b: with or without a service action, as the opcode has them
                Operation op = table.find(r.requestedOpcode(), r.requestedServiceAction());
                if (op != null && op.serviceAction() == Operation.NO_SERVICE_ACTION
                        && r.requestedServiceAction() != 0) {
                    op = null;
                }
                yield one(op, r.returnTimeouts());
            }
        };
    }

    /** SPC-4 6.35.2: the command descriptors of every supported operation, ordered by opcode and service action. */
    private byte[] all(boolean timeouts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[4]);
        for (Operation op : table.all()) {
            byte[] d = new byte[8];
            d[0] = (byte) op.opcode();
            boolean sa = op.serviceAction() != Operation.NO_SERVICE_ACTION;
            if (sa) {
                BigEndian.put16(d, 2, op.serviceAction());
            }
            d[5] = (byte) ((timeouts ? 0x02 : 0) | (sa ? 0x01 : 0)); // CTDP, SERVACTV
            BigEndian.put16(d, 6, op.cdbLength());
            out.writeBytes(d);
            if (timeouts) {
                out.writeBytes(timeoutsDescriptor(op));
            }
        }
        byte[] data = out.toByteArray();
        BigEndian.put32(data, 0, data.length - 4);
        return data;
    }

    /** SPC-4 6.35.3: one command's support and CDB usage data; SUPPORT 001b with no usage data for an unknown one. */
    private static byte[] one(Operation op, boolean timeouts) {
        if (op == null) {
            byte[] d = new byte[4];
            d[1] = NOT_SUPPORTED;
            return d;
        }
        byte[] usage = op.cdbUsage();
        byte[] d = new byte[4 + usage.length + (timeouts ? 12 : 0)];
        d[1] = (byte) ((timeouts ? 0x80 : 0) | SUPPORTED);
        BigEndian.put16(d, 2, usage.length);
        System.arraycopy(usage, 0, d, 4, usage.length);
        if (timeouts) {
            System.arraycopy(timeoutsDescriptor(op), 0, d, 4 + usage.length, 12);
        }
        return d;
    }

    /** SPC-4 6.35.4 command timeouts descriptor: DESCRIPTOR LENGTH 0Ah, then the two timeouts in seconds. */
    private static byte[] timeoutsDescriptor(Operation op) {
        byte[] t = new byte[12];
        BigEndian.put16(t, 0, 0x0A);
        BigEndian.put32(t, 4, op.nominalTimeoutSeconds());
        BigEndian.put32(t, 8, op.recommendedTimeoutSeconds());
        return t;
    }

    /**
     * SPC-4 6.36: the task management functions a target reached through iSCSI performs (RFC 7143 11.5): ABORT TASK,
     * ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET and TARGET RESET (warm and cold). The extended form (REPD)
     * adds the 12 bytes of timeouts support, none of which we specify.
     */
    static byte[] taskManagementFunctions(SpcCommand.ReportSupportedTaskManagementFunctions r) {
        byte[] d = new byte[r.extended() ? 16 : 4];
        d[0] = (byte) (0x80 | 0x40 | 0x10 | 0x08 | 0x02); // ATS, ATSS, CTSS, LURS, TRS
        if (r.extended()) {
            d[3] = 0x0C; // ADDITIONAL DATA LENGTH
        }
        return d;
    }
}
