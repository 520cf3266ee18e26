package org.lunforge.scsi;

/**
 * SPC-4 5.16.2.4 (and REPORT TARGET PORT GROUPS, 6.37): the asymmetric access state of a target port group as
 * the logical units behind it report it. The logical-block-dependent and offline states are not modelled.
 */
public enum AsymmetricAccessState {
    /** 5.16.2.4.2: every command is processed, the preferred path. */
    ACTIVE_OPTIMIZED(0x0),
    /** 5.16.2.4.3: every command is processed, perhaps slower. */
    ACTIVE_NON_OPTIMIZED(0x1),
    /** 5.16.2.4.4: a few management commands only (ALLOWED_IN_STANDBY); NOT READY 04/0B otherwise. */
    STANDBY(0x2),
    /** 5.16.2.4.5: fewer still (ALLOWED_IN_UNAVAILABLE); NOT READY 04/0C otherwise. */
    UNAVAILABLE(0x3),
    /** 5.16.2.5: between two states; the unavailable set is allowed, NOT READY 04/0A otherwise. */
    TRANSITIONING(0xF);

    private final int code;

    AsymmetricAccessState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True if every command may be processed through a port in this state. */
    public boolean active() {
        return this == ACTIVE_OPTIMIZED || this == ACTIVE_NON_OPTIMIZED;
    }

    /** The state for an ASYMMETRIC ACCESS STATE field value, or null if we do not model it. */
    public static AsymmetricAccessState of(int code) {
        for (AsymmetricAccessState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
