package org.lunforge.scsi;

import java.util.Objects;

/**
 * One target port group as REPORT TARGET PORT GROUPS describes it (SPC-4 6.37): an identifier, an asymmetric access
 * state, the PREF bit and the STATUS CODE of the last transition. The ports in the group are kept by
 * {@link TargetPortGroups}, which also knows ports that appear later.
 *
 * @param id the TARGET PORT GROUP field, 0..65535
 * @param statusCode 0: no status; 1: altered by SET TARGET PORT GROUPS; 2: altered by an implicit transition
 */
public record TargetPortGroup(int id, AsymmetricAccessState state, boolean preferred, int statusCode) {
    public static final int NO_STATUS = 0;
    public static final int ALTERED_BY_SET_TARGET_PORT_GROUPS = 1;
    public static final int ALTERED_BY_IMPLICIT_TRANSITION = 2;

    public TargetPortGroup {
        Objects.requireNonNull(state, "state");
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("target port group id out of range: " + id);
        }
        if (statusCode < 0 || statusCode > 2) {
            throw new IllegalArgumentException("status code " + statusCode);
        }
    }

    TargetPortGroup withState(AsymmetricAccessState newState, int newStatusCode) {
        return new TargetPortGroup(id, newState, preferred, newStatusCode);
    }
}
