package org.lunforge.scsi.spc;

import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Command;

/** The decoded SPC-4 commands every device type shares. */
public sealed interface SpcCommand extends Command {

    /** SPC-4 6.33 TEST UNIT READY. */
    record TestUnitReady() implements SpcCommand {
        static TestUnitReady decode(Cdb cdb) {
            return new TestUnitReady();
        }
    }

    /** SPC-4 6.6 INQUIRY: standard data, or the VPD page {@code pageCode} when EVPD is set. */
    record Inquiry(boolean evpd, int pageCode, int allocationLength) implements SpcCommand {
        static Inquiry decode(Cdb cdb) {
            boolean evpd = cdb.bit(1, 0);
            int page = cdb.u8(2);
            if (!evpd && page != 0) {
                throw Cdb.invalidField(2, 7); // a page code without EVPD (SPC-4 6.6.1)
            }
            return new Inquiry(evpd, page, cdb.u16(3));
        }
    }

    /** SPC-4 6.39 REQUEST SENSE; DESC selects descriptor format sense data. */
    record RequestSense(boolean descriptorFormat, int allocationLength) implements SpcCommand {
        static RequestSense decode(Cdb cdb) {
            return new RequestSense(cdb.bit(1, 0), cdb.u8(4));
        }
    }

    /** SPC-4 6.29 REPORT LUNS. Answered by the target ({@code LunMap}), which knows every LUN of the nexus. */
    record ReportLuns(int selectReport, long allocationLength) implements SpcCommand {
        static ReportLuns decode(Cdb cdb) {
            int select = cdb.u8(2);
            if (select > 0x02 && (select < 0x10 || select > 0x12)) {
                throw Cdb.invalidField(2, 7);
            }
            long alloc = cdb.u32(6);
            if (alloc != 0 && alloc < 16) {
                throw Cdb.invalidField(6, 7); // SPC-4 6.29: at least 16 bytes
            }
            return new ReportLuns(select, alloc);
        }
    }
}
