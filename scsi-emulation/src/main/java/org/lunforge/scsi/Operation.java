package org.lunforge.scsi;

import java.util.Set;

/**
 * One row of a device server's command table: an operation code (and service action) with its CDB usage data and
 * decoder. REPORT SUPPORTED OPERATION CODES (SPC-4 6.35) is generated from these rows, and the logical unit rejects
 * any CDB bit the usage data does not allow before {@link #decode} runs, so what we report is what we check.
 *
 * <p>Command sets implement this with an enum whose constants cite their clause, e.g.
 * {@code READ_10(0x28, "28 fe ff ff ff ff 1f ff ff 00", Read::decode10)}.
 */
public interface Operation {
    /** Marks an operation without a service action field. */
    int NO_SERVICE_ACTION = -1;

    /** The standard's name, as RSOC users and logs show it: "READ (10)". */
    String displayName();

    int opcode();

    /** The value of the SERVICE ACTION field (CDB byte 1, bits 4..0), or {@link #NO_SERVICE_ACTION}. */
    int serviceAction();

    /**
     * SPC-4 6.35.3 CDB USAGE DATA: byte 0 is the operation code, the service action field holds its value, every
     * other bit is 1 where the device server evaluates that CDB bit. Its length is the CDB length. Must not be
     * modified by callers.
     */
    byte[] cdbUsage();

    /** Decodes and range-checks the fields; throws {@link CheckCondition} with a field pointer on a bad value. */
    Command decode(Cdb cdb);

    /** How the command fares under another nexus's reservation. */
    ReservationClass reservationClass();

    /**
     * The class for one decoded command, where the standard's table depends on a CDB field (SBC-4 PREVENT ALLOW MEDIUM
     * REMOVAL with PREVENT 0 is allowed, with PREVENT 1 it is not). By default the row's class.
     */
    default ReservationClass reservationClass(Command decoded) {
        return reservationClass();
    }

    /**
     * NOMINAL COMMAND PROCESSING TIMEOUT of the command timeouts descriptor (SPC-4 6.35.4), in seconds; 0 means not
     * specified. Long operations (REWIND, FORMAT UNIT, SANITIZE) say how long they take.
     */
    default long nominalTimeoutSeconds() {
        return 0;
    }

    /** RECOMMENDED COMMAND TIMEOUT of the command timeouts descriptor, in seconds; 0 means not specified. */
    default long recommendedTimeoutSeconds() {
        return 0;
    }

    /** Properties the logical unit's fixed checks consult. */
    Set<OperationTrait> traits();

    default int cdbLength() {
        return cdbUsage().length;
    }
}
