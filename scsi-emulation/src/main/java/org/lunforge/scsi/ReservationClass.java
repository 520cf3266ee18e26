package org.lunforge.scsi;

/**
 * How a command fares when a reservation is held by another I_T nexus: SPC-4 5.13.1 table 61 (persistent
 * reservations) and SPC-2 5.5.1 (RESERVE/RELEASE), with the rows command sets add for their own commands.
 */
public enum ReservationClass {
    /** Allowed under every reservation (INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT TARGET PORT GROUPS, ...). */
    ALLOWED,
    /**
     * Reads: allowed for every nexus under the Write Exclusive types, a conflict for non-registrants under the
     * Exclusive Access types and for everyone but the holder of an SPC-2 reservation.
     */
    READ,
    /** Writes: a conflict for non-registrants under every persistent type and for others under SPC-2 RESERVE. */
    WRITE,
    /** Allowed under persistent reservations, a conflict under another nexus's SPC-2 reservation. */
    ALLOWED_UNLESS_RESERVED,
    /** The reservation commands themselves decide (PERSISTENT RESERVE IN/OUT, RESERVE, RELEASE). */
    RESERVATION_COMMAND
}
