package org.lunforge.scsi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The operations one logical unit supports, indexed by operation code and service action. Lookup and the CDB usage
 * check are the first of the logical unit's fixed checks; REPORT SUPPORTED OPERATION CODES lists {@link #all()}.
 */
public final class CommandTable {
    private final Operation[] byOpcode = new Operation[256];
    private final Operation[][] byServiceAction = new Operation[256][];
    private final List<Operation> all;

    public CommandTable(Collection<? extends Operation> operations) {
        List<Operation> sorted = new ArrayList<>(operations);
        sorted.sort(Comparator.comparingInt(Operation::opcode).thenComparingInt(Operation::serviceAction));
        for (Operation op : sorted) {
            int code = op.opcode();
            byte[] usage = op.cdbUsage();
            if ((usage[0] & 0xFF) != code) {
                throw new IllegalArgumentException(op.displayName() + ": usage data byte 0 is not the opcode");
            }
            if (op.serviceAction() == Operation.NO_SERVICE_ACTION) {
                if (byOpcode[code] != null || byServiceAction[code] != null) {
                    throw new IllegalArgumentException("opcode 0x%02x listed twice".formatted(code));
                }
                byOpcode[code] = op;
            } else {
                if (byOpcode[code] != null) {
                    throw new IllegalArgumentException("opcode 0x%02x has rows with and without service action"
                            .formatted(code));
                }
                if (byServiceAction[code] == null) {
                    byServiceAction[code] = new Operation[32];
                }
                int sa = op.serviceAction();
                if ((usage[1] & 0x1F) != sa || byServiceAction[code][sa] != null) {
                    throw new IllegalArgumentException(op.displayName() + ": bad or duplicate service action");
                }
                byServiceAction[code][sa] = op;
            }
        }
        this.all = List.copyOf(sorted);
    }

    /** Every supported operation, ordered by opcode then service action. */
    public List<Operation> all() {
        return all;
    }

    /** True if the opcode is supported with some service action. */
    public boolean hasServiceActions(int opcode) {
        return byServiceAction[opcode & 0xFF] != null;
    }

    /** The operation, or null. {@code serviceAction} is ignored for opcodes without service actions. */
    public Operation find(int opcode, int serviceAction) {
        Operation op = byOpcode[opcode & 0xFF];
        if (op != null) {
            return op;
        }
        Operation[] sas = byServiceAction[opcode & 0xFF];
        return sas == null || serviceAction < 0 || serviceAction > 31 ? null : sas[serviceAction];
    }

    /**
     * Finds the CDB's operation and checks every bit against its usage data (SPC-4 6.35.3).
     *
     * @throws CheckCondition INVALID COMMAND OPERATION CODE for an unknown opcode; INVALID FIELD IN CDB pointing at
     *     the service action for an unknown one, or at the most significant stray bit for any bit the usage data
     *     does not allow (reserved bits, NACA, LINK)
     */
    public Operation lookup(Cdb cdb) {
        int opcode = cdb.opcode();
        Operation op = byOpcode[opcode];
        if (op == null) {
            Operation[] sas = byServiceAction[opcode];
            if (sas == null) {
                throw new CheckCondition(Sense.of(SenseCode.INVALID_COMMAND_OPERATION_CODE)
                        .withFieldPointer(Sense.FieldPointer.cdb(0, 7)));
            }
            if (cdb.length() < 2 || (op = sas[cdb.u8(1) & 0x1F]) == null) {
                throw Cdb.invalidField(1, 4);
            }
        }
        checkUsage(cdb, op);
        return op;
    }

    private static void checkUsage(Cdb cdb, Operation op) {
        byte[] usage = op.cdbUsage();
        if (cdb.length() < usage.length) {
            throw Cdb.invalidField(0, 7);
        }
        for (int i = 1; i < usage.length; i++) {
            int allowed = usage[i] & 0xFF;
            if (i == 1 && op.serviceAction() != Operation.NO_SERVICE_ACTION) {
                allowed |= 0x1F;
            }
            int stray = cdb.u8(i) & ~allowed;
            if (stray != 0) {
                throw Cdb.invalidField(i, 31 - Integer.numberOfLeadingZeros(stray));
            }
        }
    }

    /** Parses the usage data notation of the operation enums: hex bytes separated by spaces. */
    public static byte[] usage(String hexBytes) {
        String[] parts = hexBytes.trim().split("\\s+");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }
}
