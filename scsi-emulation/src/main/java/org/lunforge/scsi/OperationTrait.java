package org.lunforge.scsi;

/** Properties of an operation that the logical unit's checks (run before the command itself) consult. */
public enum OperationTrait {
    /** Runs with a unit attention pending and does not report it (SAM-5 5.14: INQUIRY, REPORT LUNS, REQUEST SENSE). */
    IGNORES_UNIT_ATTENTION,
    /** Allowed through a target port in the ALUA standby state (SPC-4 5.16.2.4.4). */
    ALLOWED_IN_STANDBY,
    /** Allowed through a target port in the ALUA unavailable state (SPC-4 5.16.2.4.5). */
    ALLOWED_IN_UNAVAILABLE,
    /** Needs the medium: NOT READY / MEDIUM NOT PRESENT when the device has none, or is stopped. */
    NEEDS_MEDIUM,
    /** Changes the medium: DATA PROTECT / WRITE PROTECTED on a write-protected logical unit. */
    WRITES_MEDIUM
}
