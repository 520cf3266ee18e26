package org.lunforge.iscsi;

import java.util.HashMap;
import java.util.Map;

/**
 * The text keys of RFC 7143 12 and 13 (plus RFC 7144's TaskReporting and RFC 7145's RDMAExtensions, which an
 * initiator may offer on TCP), each with its result function, where it may be used, its range and default.
 */
public enum IscsiKey {
    /** 12.1: the security keys, only in the security stage. */
    AUTH_METHOD("AuthMethod", Result.LIST, Use.SECURITY, 0, 0, "None"),
    CHAP_A("CHAP_A", Result.SPECIAL, Use.SECURITY, 0, 0, null),
    CHAP_I("CHAP_I", Result.SPECIAL, Use.SECURITY, 0, 0, null),
    CHAP_C("CHAP_C", Result.SPECIAL, Use.SECURITY, 0, 0, null),
    CHAP_N("CHAP_N", Result.SPECIAL, Use.SECURITY, 0, 0, null),
    CHAP_R("CHAP_R", Result.SPECIAL, Use.SECURITY, 0, 0, null),
    /** 13.1. */
    HEADER_DIGEST("HeaderDigest", Result.LIST, Use.LOGIN, 0, 0, "None"),
    DATA_DIGEST("DataDigest", Result.LIST, Use.LOGIN, 0, 0, "None"),
    /** 13.2. */
    MAX_CONNECTIONS("MaxConnections", Result.MIN, Use.LEADING, 1, 65535, "1"),
    /** 13.3: in full feature phase only. */
    SEND_TARGETS("SendTargets", Result.SPECIAL, Use.FULL_FEATURE, 0, 0, null),
    /** 13.4-13.7: declarations of names and aliases. */
    TARGET_NAME("TargetName", Result.DECLARATIVE, Use.LOGIN, 0, 0, null),
    INITIATOR_NAME("InitiatorName", Result.DECLARATIVE, Use.LOGIN, 0, 0, null),
    TARGET_ALIAS("TargetAlias", Result.TARGET_DECLARES, Use.ALL, 0, 0, null),
    INITIATOR_ALIAS("InitiatorAlias", Result.DECLARATIVE, Use.ALL, 0, 0, null),
    /** 13.8, 13.9: only targets send these. */
    TARGET_ADDRESS("TargetAddress", Result.TARGET_DECLARES, Use.ALL, 0, 0, null),
    TARGET_PORTAL_GROUP_TAG("TargetPortalGroupTag", Result.TARGET_DECLARES, Use.LOGIN, 0, 65535, null),
    /** 13.10, 13.11. */
    INITIAL_R2T("InitialR2T", Result.OR, Use.LEADING, 0, 0, "Yes"),
    IMMEDIATE_DATA("ImmediateData", Result.AND, Use.LEADING, 0, 0, "Yes"),
    /** 13.12: declared by each side for what it receives. */
    MAX_RECV_DATA_SEGMENT_LENGTH("MaxRecvDataSegmentLength", Result.DECLARATIVE, Use.ALL, 512, 16777215, "8192"),
    /** 13.13-13.17. */
    MAX_BURST_LENGTH("MaxBurstLength", Result.MIN, Use.LEADING, 512, 16777215, "262144"),
    FIRST_BURST_LENGTH("FirstBurstLength", Result.MIN, Use.LEADING, 512, 16777215, "65536"),
    DEFAULT_TIME_2_WAIT("DefaultTime2Wait", Result.MAX, Use.LEADING, 0, 3600, "2"),
    DEFAULT_TIME_2_RETAIN("DefaultTime2Retain", Result.MIN, Use.LEADING, 0, 3600, "20"),
    MAX_OUTSTANDING_R2T("MaxOutstandingR2T", Result.MIN, Use.LEADING, 1, 65535, "1"),
    /** 13.18-13.20. */
    DATA_PDU_IN_ORDER("DataPDUInOrder", Result.OR, Use.LEADING, 0, 0, "Yes"),
    DATA_SEQUENCE_IN_ORDER("DataSequenceInOrder", Result.OR, Use.LEADING, 0, 0, "Yes"),
    ERROR_RECOVERY_LEVEL("ErrorRecoveryLevel", Result.MIN, Use.LEADING, 0, 2, "0"),
    /** 13.21. */
    SESSION_TYPE("SessionType", Result.DECLARATIVE, Use.LEADING, 0, 0, "Normal"),
    /** 13.26: obsoleted keys. Markers are answered No (the alternative 13.26 allows), the intervals Reject. */
    OF_MARKER("OFMarker", Result.OBSOLETE, Use.LOGIN, 0, 0, "No"),
    IF_MARKER("IFMarker", Result.OBSOLETE, Use.LOGIN, 0, 0, "No"),
    OF_MARK_INT("OFMarkInt", Result.OBSOLETE, Use.LOGIN, 0, 0, "Reject"),
    IF_MARK_INT("IFMarkInt", Result.OBSOLETE, Use.LOGIN, 0, 0, "Reject"),
    /** RFC 7145 6.3: iSER's key; on a TCP connection the answer is No. */
    RDMA_EXTENSIONS("RDMAExtensions", Result.AND, Use.LEADING, 0, 0, "No"),
    /** RFC 7144 13.2: we implement the semantics of RFC 3720/7143 task reporting. */
    TASK_REPORTING("TaskReporting", Result.LIST, Use.LEADING, 0, 0, "RFC3720");

    /** How the responder computes the outcome (RFC 7143 6.2). */
    public enum Result {
        /** The first value of the originator's list the responder supports (6.2.2). */
        LIST,
        AND,
        OR,
        MIN,
        MAX,
        /** A declaration by the initiator; no answer. */
        DECLARATIVE,
        /** Only the target declares it; an initiator offering it is answered Reject. */
        TARGET_DECLARES,
        /** 13.26. */
        OBSOLETE,
        /** Handled by its own code: authentication, discovery. */
        SPECIAL
    }

    /** Where a key may be used: the "Use" line of each key in RFC 7143 13. */
    public enum Use {
        SECURITY,
        /** Leading login only (LO). */
        LEADING,
        /** Login only (IO). */
        LOGIN,
        /** Login and full feature phase. */
        ALL,
        FULL_FEATURE
    }

    private static final Map<String, IscsiKey> BY_NAME = new HashMap<>();

    static {
        for (IscsiKey k : values()) {
            BY_NAME.put(k.wireName, k);
        }
    }

    private final String wireName;
    private final Result result;
    private final Use use;
    private final int min;
    private final int max;
    private final String defaultValue;

    IscsiKey(String wireName, Result result, Use use, int min, int max, String defaultValue) {
        this.wireName = wireName;
        this.result = result;
        this.use = use;
        this.min = min;
        this.max = max;
        this.defaultValue = defaultValue;
    }

    public String wireName() {
        return wireName;
    }

    public Result result() {
        return result;
    }

    public Use use() {
        return use;
    }

    public int min() {
        return min;
    }

    public int max() {
        return max;
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** The key of this name, or null for an unknown or extension (X-, X#) key: those are NotUnderstood. */
    public static IscsiKey of(String name) {
        return BY_NAME.get(name);
    }

    /**
     * A numerical value (RFC 7143 6.1): decimal, or hex with 0x. Returns -1 for anything else or a value above
     * 2^32-1.
     */
    static long parseNumber(String value) {
        try {
            if (value.startsWith("0x") || value.startsWith("0X")) {
                return value.length() > 2 && value.length() <= 10 ? Long.parseLong(value.substring(2), 16) : -1;
            }
            if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            long v = Long.parseLong(value);
            return v > 0xFFFF_FFFFL ? -1 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
