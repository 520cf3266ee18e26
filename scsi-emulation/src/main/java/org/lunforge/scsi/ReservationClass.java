package org.lunforge.scsi;

/**
 * How a command fares when a reservation is held by another I_T nexus: the rows of SPC-4 5.13.1 table 61 (and the
 * SBC-4, SSC-4 and SMC-3 tables that extend it) for persistent reservations, and SPC-2 5.5.1 for RESERVE/RELEASE.
 *
 * <p>The standard's table has, per command, an entry for a registered and for a non-registered I_T nexus under each
 * reservation type. Every row of it falls into one of these classes:
 * <pre>
 *                            persistent reservation held by another I_T nexus        SPC-2 RESERVE held
 *                            WE        EA        WERO/WEAR       EARO/EAAR              by another I_T nexus
 * ALLOWED                    allowed   allowed   allowed         allowed                allowed
 * ALLOWED_UNLESS_RESERVED    allowed   allowed   allowed         allowed                conflict
 * READ                       allowed   conflict  allowed         registrants only       conflict
 * WRITE                      conflict  conflict  registrants     registrants only       conflict
 * RESERVATION_COMMAND        the command decides (PERSISTENT RESERVE OUT, RESERVE, RELEASE)
 * </pre>
 * "Registrants only" means allowed for a registered I_T nexus, a conflict for one that is not. Under the all
 * registrants types every registrant is a reservation holder, so the class only matters to non-registrants.
 */
public enum ReservationClass {
    /**
     * Allowed under every reservation: INQUIRY, REPORT LUNS, REQUEST SENSE, LOG SENSE, REPORT SUPPORTED OPERATION
     * CODES, REPORT TARGET PORT GROUPS, READ CAPACITY.
     */
    ALLOWED,
    /**
     * Reads from the medium (READ, VERIFY, MODE SENSE, READ BUFFER): allowed under the Write Exclusive types, a
     * conflict under Exclusive Access for every non-holder, and for non-registrants under the Exclusive Access
     * registrants-only and all-registrants types; a conflict for everyone but the holder of an SPC-2 reservation.
     */
    READ,
    /**
     * Writes to the medium or changes the logical unit (WRITE, MODE SELECT, LOG SELECT, SET TARGET PORT GROUPS): a
     * conflict for every non-holder under Write Exclusive and Exclusive Access, for non-registrants under the other
     * types, and for everyone but the holder of an SPC-2 reservation.
     */
    WRITE,
    /**
     * Allowed under persistent reservations, a conflict under another nexus's SPC-2 reservation: TEST UNIT READY,
     * PERSISTENT RESERVE IN.
     */
    ALLOWED_UNLESS_RESERVED,
    /** The reservation commands themselves decide (PERSISTENT RESERVE OUT, RESERVE, RELEASE). */
    RESERVATION_COMMAND
}
