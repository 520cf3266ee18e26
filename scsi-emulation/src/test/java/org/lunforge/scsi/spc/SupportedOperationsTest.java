package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Operation;

class SupportedOperationsTest {
    private final Harness h = new Harness();
    private final Nexus a = h.login(nexus("iqn.1994-05.com.redhat:a"));

    private RecordingTask rsoc(boolean rctd, int options, int opcode, int sa, int alloc) {
        return h.in(a, alloc, 0xA3, 0x0C, (rctd ? 0x80 : 0) | options, opcode, sa >> 8, sa & 0xFF, alloc >>> 24,
                (alloc >> 16) & 0xFF, (alloc >> 8) & 0xFF, alloc & 0xFF, 0, 0);
    }

    @Test
    void allCommandsMatchTheCommandTableRowForRow() {
        byte[] d = rsoc(false, 0, 0, 0, 65535).data();
        assertEquals(d.length - 4, BigEndian.u32(d, 0));
        List<Operation> rows = h.lu.commands().all();
        assertEquals(rows.size() * 8, d.length - 4);
        for (int i = 0; i < rows.size(); i++) {
            Operation op = rows.get(i);
            int at = 4 + 8 * i;
            assertEquals(op.opcode(), d[at] & 0xFF);
            boolean servactv = (d[at + 5] & 0x01) != 0;
            assertEquals(op.serviceAction() != Operation.NO_SERVICE_ACTION, servactv, op.displayName());
            assertEquals(servactv ? op.serviceAction() : 0, BigEndian.u16(d, at + 2)); // SERVACTV clear: SA zero
            assertEquals(0, d[at + 5] & 0x02); // no CTDP without RCTD
            assertEquals(op.cdbLength(), BigEndian.u16(d, at + 6));
        }
    }

    @Test
    void timeoutDescriptorsWithRctd() {
        byte[] d = rsoc(true, 0, 0, 0, 65535).data();
        List<Operation> rows = h.lu.commands().all();
        assertEquals(rows.size() * 20, d.length - 4);
        for (int i = 0; i < rows.size(); i++) {
            int at = 4 + 20 * i;
            assertEquals(0x02, d[at + 5] & 0x02);
            assertEquals(0x0A, BigEndian.u16(d, at + 8));
            assertEquals(rows.get(i).nominalTimeoutSeconds(), BigEndian.u32(d, at + 12));
        }
    }

    @Test
    void oneCommandReportsItsCdbUsageDataFromTheTable() {
        for (Operation op : h.lu.commands().all()) {
            boolean sa = op.serviceAction() != Operation.NO_SERVICE_ACTION;
            int options = sa ? 2 : 1;
            byte[] d = rsoc(false, options, op.opcode(), sa ? op.serviceAction() : 0, 65535).data();
            assertEquals(0b011, d[1] & 0x07, op.displayName());
            assertArrayEquals(op.cdbUsage(), Arrays.copyOfRange(d, 4, 4 + BigEndian.u16(d, 2)), op.displayName());
            // The other single-command option is refused (iscsi-test-cu OneCommand).
            assertInvalidCdbField(rsoc(false, sa ? 1 : 2, op.opcode(), sa ? op.serviceAction() : 0, 65535), 2, 2);
            byte[] either = rsoc(true, 3, op.opcode(), sa ? op.serviceAction() : 0, 65535).data();
            assertEquals(0x83, either[1] & 0xFF); // CTDP, supported
            assertEquals(4 + op.cdbLength() + 12, either.length);
        }
    }

    @Test
    void anUnsupportedOpcodeOrServiceActionIsReportedNotSupported() {
        assertEquals(0b001, rsoc(false, 1, 0xEE, 0, 255).data()[1] & 0x07);
        assertEquals(0b001, rsoc(false, 2, 0xA3, 0x1F, 255).data()[1] & 0x07);
        assertEquals(0b001, rsoc(false, 3, 0x12, 5, 255).data()[1] & 0x07);
    }

    @Test
    void reservedReportingOptionsAreRefused() {
        assertInvalidCdbField(rsoc(false, 4, 0, 0, 255), 2, 2);
    }

    @Test
    void supportedTaskManagementFunctions() {
        byte[] d = h.in(a, 4, 0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0).data();
        assertEquals(4, d.length);
        assertEquals(0xDA, d[0] & 0xFF); // ATS ATSS CTSS LURS TRS
        byte[] extended = h.in(a, 16, 0xA3, 0x0D, 0x80, 0, 0, 0, 0, 0, 0, 16, 0, 0).data();
        assertEquals(16, extended.length);
        assertEquals(0x0C, extended[3]);
        assertInvalidCdbField(h.in(a, 3, 0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0), 6, 7);
    }
}
