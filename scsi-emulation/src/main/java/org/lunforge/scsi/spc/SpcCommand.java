package org.lunforge.scsi.spc;

import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Command;

/**
 * The decoded SPC-4 commands every device type shares. Decoders check values; the CDB usage data of the row has
 * already refused every bit we do not evaluate.
 */
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

    /**
     * SPC-4 6.11 MODE SENSE(6) and 6.12 MODE SENSE(10). {@code longLba} (LLBAA) exists in the 10-byte form only.
     *
     * @param pageControl PC: 0 current, 1 changeable, 2 default, 3 saved values
     */
    record ModeSense(boolean tenByte, boolean disableBlockDescriptors, boolean longLba, int pageControl, int pageCode,
                     int subpageCode, int allocationLength) implements SpcCommand {
        static ModeSense decode6(Cdb cdb) {
            return new ModeSense(false, cdb.bit(1, 3), false, cdb.bits(2, 7, 2), cdb.bits(2, 5, 6), cdb.u8(3),
                    cdb.u8(4));
        }

        static ModeSense decode10(Cdb cdb) {
            return new ModeSense(true, cdb.bit(1, 3), cdb.bit(1, 4), cdb.bits(2, 7, 2), cdb.bits(2, 5, 6), cdb.u8(3),
                    cdb.u16(7));
        }
    }

    /** SPC-4 6.9 MODE SELECT(6) and 6.10 MODE SELECT(10): PF (page format) and SP (save pages). */
    record ModeSelect(boolean tenByte, boolean pageFormat, boolean savePages, int parameterListLength)
            implements SpcCommand {
        static ModeSelect decode6(Cdb cdb) {
            return new ModeSelect(false, cdb.bit(1, 4), cdb.bit(1, 0), cdb.u8(4));
        }

        static ModeSelect decode10(Cdb cdb) {
            return new ModeSelect(true, cdb.bit(1, 4), cdb.bit(1, 0), cdb.u16(7));
        }
    }

    /**
     * SPC-4 6.8 LOG SENSE. We keep no saved log parameters and report every parameter, so SP and PPC set to one are
     * refused.
     */
    record LogSense(int pageControl, int pageCode, int subpageCode, int parameterPointer, int allocationLength)
            implements SpcCommand {
        static LogSense decode(Cdb cdb) {
            if (cdb.bit(1, 1)) {
                throw Cdb.invalidField(1, 1); // PPC: only changed parameters; we do not track changes
            }
            if (cdb.bit(1, 0)) {
                throw Cdb.invalidField(1, 0); // SP: saving log parameters is not supported
            }
            return new LogSense(cdb.bits(2, 7, 2), cdb.bits(2, 5, 6), cdb.u8(3), cdb.u16(5), cdb.u16(7));
        }
    }

    /** SPC-4 6.7 LOG SELECT: PCR (parameter code reset) or parameter values for the pages of page control PC. */
    record LogSelect(boolean parameterCodeReset, int pageControl, int pageCode, int subpageCode,
                     int parameterListLength) implements SpcCommand {
        static LogSelect decode(Cdb cdb) {
            if (cdb.bit(1, 0)) {
                throw Cdb.invalidField(1, 0); // SP: saving log parameters is not supported
            }
            boolean pcr = cdb.bit(1, 1);
            int length = cdb.u16(7);
            if (pcr && length != 0) {
                throw Cdb.invalidField(1, 1); // SPC-4 6.7: PCR with a parameter list is an error
            }
            return new LogSelect(pcr, cdb.bits(2, 7, 2), cdb.bits(2, 5, 6), cdb.u8(3), length);
        }
    }

    /** SPC-2 7.21/7.22 RESERVE(6)/(10): a logical unit reservation for this I_T nexus; no third-party forms. */
    record Reserve() implements SpcCommand {
        static Reserve decode(Cdb cdb) {
            return new Reserve();
        }
    }

    /** SPC-2 7.19/7.20 RELEASE(6)/(10). */
    record Release() implements SpcCommand {
        static Release decode(Cdb cdb) {
            return new Release();
        }
    }

    /** SPC-4 6.13 PERSISTENT RESERVE IN: READ KEYS (0), READ RESERVATION (1), REPORT CAPABILITIES (2), READ FULL
     * STATUS (3). */
    record PersistentReserveIn(int serviceAction, int allocationLength) implements SpcCommand {
        static PersistentReserveIn decode(Cdb cdb) {
            return new PersistentReserveIn(cdb.bits(1, 4, 5), cdb.u16(7));
        }
    }

    /**
     * SPC-4 6.14 PERSISTENT RESERVE OUT. SCOPE and TYPE are checked for the service actions that use them (RESERVE,
     * RELEASE, PREEMPT, PREEMPT AND ABORT): scope must be LU_SCOPE (0), type one of the six reservation types.
     */
    record PersistentReserveOut(int serviceAction, int scope, int type, long parameterListLength)
            implements SpcCommand {
        public static final int REGISTER = 0;
        public static final int RESERVE = 1;
        public static final int RELEASE = 2;
        public static final int CLEAR = 3;
        public static final int PREEMPT = 4;
        public static final int PREEMPT_AND_ABORT = 5;
        public static final int REGISTER_AND_IGNORE_EXISTING_KEY = 6;
        public static final int REGISTER_AND_MOVE = 7;

        static PersistentReserveOut decode(Cdb cdb) {
            int sa = cdb.bits(1, 4, 5);
            int scope = cdb.bits(2, 7, 4);
            int type = cdb.bits(2, 3, 4);
            if (sa == RESERVE || sa == RELEASE || sa == PREEMPT || sa == PREEMPT_AND_ABORT) {
                if (scope != 0) {
                    throw Cdb.invalidField(2, 7);
                }
                if (ReservationType.of(type) == null) {
                    throw Cdb.invalidField(2, 3);
                }
            }
            return new PersistentReserveOut(sa, scope, type, cdb.u32(5));
        }
    }

    /**
     * SPC-4 6.35 REPORT SUPPORTED OPERATION CODES (MAINTENANCE IN 0Ch).
     *
     * @param reportingOptions 000b all, 001b one opcode, 010b one opcode and service action, 011b either
     */
    record ReportSupportedOperationCodes(boolean returnTimeouts, int reportingOptions, int requestedOpcode,
                                         int requestedServiceAction, long allocationLength) implements SpcCommand {
        static ReportSupportedOperationCodes decode(Cdb cdb) {
            int options = cdb.bits(2, 2, 3);
            if (options > 3) {
                throw Cdb.invalidField(2, 2);
            }
            return new ReportSupportedOperationCodes(cdb.bit(2, 7), options, cdb.u8(3), cdb.u16(4), cdb.u32(6));
        }
    }

    /** SPC-4 6.36 REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (MAINTENANCE IN 0Dh); REPD selects the 16-byte form. */
    record ReportSupportedTaskManagementFunctions(boolean extended, long allocationLength) implements SpcCommand {
        static ReportSupportedTaskManagementFunctions decode(Cdb cdb) {
            long alloc = cdb.u32(6);
            if (alloc < 4) {
                throw Cdb.invalidField(6, 7); // SPC-4 6.36: the allocation length shall be at least four
            }
            return new ReportSupportedTaskManagementFunctions(cdb.bit(2, 7), alloc);
        }
    }

    /** SPC-4 6.37 REPORT TARGET PORT GROUPS (MAINTENANCE IN 0Ah): length-only (000b) or extended header (001b). */
    record ReportTargetPortGroups(boolean extendedHeader, long allocationLength) implements SpcCommand {
        static ReportTargetPortGroups decode(Cdb cdb) {
            int format = cdb.bits(1, 7, 3);
            if (format > 1) {
                throw Cdb.invalidField(1, 7);
            }
            return new ReportTargetPortGroups(format == 1, cdb.u32(6));
        }
    }

    /** SPC-4 6.45 SET TARGET PORT GROUPS (MAINTENANCE OUT 0Ah). */
    record SetTargetPortGroups(long parameterListLength) implements SpcCommand {
        static SetTargetPortGroups decode(Cdb cdb) {
            return new SetTargetPortGroups(cdb.u32(6));
        }
    }
}
