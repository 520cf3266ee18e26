package org.lunforge.iscsi;

/**
 * Numbers of RFC 7143 that more than one class needs: PDU geometry (11.2), reserved tag values, Reject reasons
 * (11.17.1), login status classes and details (11.13.5), task management functions and responses (11.5.1, 11.6.1),
 * logout reasons (11.14.1) and asynchronous events (11.9.1).
 */
public final class IscsiConstants {
    /** The Basic Header Segment is always 48 bytes (11.2.1). */
    public static final int BHS_LENGTH = 48;
    /** A header or data digest is one CRC32C, 4 bytes (11.2.3). */
    public static final int DIGEST_LENGTH = 4;
    /** DataSegmentLength is a 24-bit field. */
    public static final int MAX_DATA_SEGMENT_LENGTH = 0xFF_FFFF;
    /** TotalAHSLength is in 4-byte words, an 8-bit field. */
    public static final int MAX_AHS_LENGTH = 255 * 4;
    /** The CDB field of the SCSI Command BHS; longer CDBs continue in an Extended CDB AHS (11.3.5). */
    public static final int BHS_CDB_LENGTH = 16;

    /** The "no tag" value of the Initiator Task Tag and the Target Transfer Tag (11.18.1, 11.19.1). */
    public static final int RESERVED_TAG = 0xFFFF_FFFF;

    /** AHS types (11.2.2.1). */
    public static final int AHS_EXTENDED_CDB = 1;
    public static final int AHS_BIDIRECTIONAL_READ_LENGTH = 2;

    /** The only protocol version there is (11.12.4): Version-max, Version-min and Version-active are 0. */
    public static final int VERSION = 0x00;

    /** Login stages, CSG and NSG (11.12.3). */
    public static final int STAGE_SECURITY = 0;
    public static final int STAGE_OPERATIONAL = 1;
    public static final int STAGE_FULL_FEATURE = 3;

    /** Reject reasons (11.17.1). */
    public static final int REJECT_DATA_DIGEST_ERROR = 0x02;
    public static final int REJECT_SNACK_REJECT = 0x03;
    public static final int REJECT_PROTOCOL_ERROR = 0x04;
    public static final int REJECT_COMMAND_NOT_SUPPORTED = 0x05;
    public static final int REJECT_IMMEDIATE_COMMAND_REJECT = 0x06;
    public static final int REJECT_TASK_IN_PROGRESS = 0x07;
    public static final int REJECT_INVALID_DATA_ACK = 0x08;
    public static final int REJECT_INVALID_PDU_FIELD = 0x09;
    public static final int REJECT_OUT_OF_RESOURCES = 0x0A;
    public static final int REJECT_WAITING_FOR_LOGOUT = 0x0C;

    /** SCSI Response: the iSCSI service response (11.4.3). */
    public static final int RESPONSE_COMMAND_COMPLETED = 0x00;
    public static final int RESPONSE_TARGET_FAILURE = 0x01;

    /** Task management functions (11.5.1). */
    public static final int TMF_ABORT_TASK = 1;
    public static final int TMF_ABORT_TASK_SET = 2;
    public static final int TMF_CLEAR_ACA = 3;
    public static final int TMF_CLEAR_TASK_SET = 4;
    public static final int TMF_LOGICAL_UNIT_RESET = 5;
    public static final int TMF_TARGET_WARM_RESET = 6;
    public static final int TMF_TARGET_COLD_RESET = 7;
    public static final int TMF_TASK_REASSIGN = 8;

    /** Task management responses (11.6.1). */
    public static final int TMF_FUNCTION_COMPLETE = 0;
    public static final int TMF_TASK_DOES_NOT_EXIST = 1;
    public static final int TMF_LUN_DOES_NOT_EXIST = 2;
    public static final int TMF_TASK_STILL_ALLEGIANT = 3;
    public static final int TMF_REASSIGNMENT_NOT_SUPPORTED = 4;
    public static final int TMF_NOT_SUPPORTED = 5;
    public static final int TMF_AUTHORIZATION_FAILED = 6;
    public static final int TMF_FUNCTION_REJECTED = 255;

    /** Logout reasons (11.14.1) and responses (11.15.1). */
    public static final int LOGOUT_CLOSE_SESSION = 0;
    public static final int LOGOUT_CLOSE_CONNECTION = 1;
    public static final int LOGOUT_REMOVE_CONNECTION_FOR_RECOVERY = 2;
    public static final int LOGOUT_CLOSED = 0;
    public static final int LOGOUT_CID_NOT_FOUND = 1;
    public static final int LOGOUT_RECOVERY_NOT_SUPPORTED = 2;
    public static final int LOGOUT_CLEANUP_FAILED = 3;

    /** Asynchronous events (11.9.1). */
    public static final int ASYNC_SCSI_EVENT = 0;
    public static final int ASYNC_LOGOUT_REQUEST = 1;
    public static final int ASYNC_DROP_CONNECTION = 2;
    public static final int ASYNC_DROP_ALL_CONNECTIONS = 3;
    public static final int ASYNC_NEGOTIATION_REQUEST = 4;

    private IscsiConstants() {
    }
}
