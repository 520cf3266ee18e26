package org.lunforge.scsi.spc;

/** SPC-4 6.14.2: the TYPE of a persistent reservation. */
public enum ReservationType {
    WRITE_EXCLUSIVE(0x1, false, false),
    EXCLUSIVE_ACCESS(0x3, true, false),
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5, false, true),
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6, true, true),
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7, false, true),
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8, true, true);

    private final int code;
    private final boolean exclusiveAccess;
    private final boolean registrants;

    ReservationType(int code, boolean exclusiveAccess, boolean registrants) {
        this.code = code;
        this.exclusiveAccess = exclusiveAccess;
        this.registrants = registrants;
    }

    public int code() {
        return code;
    }

    /** Reads are restricted too (the Exclusive Access types); otherwise only writes. */
    public boolean exclusiveAccess() {
        return exclusiveAccess;
    }

    /** A registrants-only or all-registrants type: every registered I_T nexus has access. */
    public boolean registrantsHaveAccess() {
        return registrants;
    }

    /** An all-registrants type: every registered I_T nexus is a reservation holder (SPC-4 5.13.9). */
    public boolean allRegistrants() {
        return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** A registrants-only type: releasing it tells the other registrants (RESERVATIONS RELEASED). */
    public boolean registrantsOnly() {
        return this == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
    }

    /** The type for a TYPE field value, or null if reserved. */
    public static ReservationType of(int code) {
        for (ReservationType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
