package org.lunforge.iscsi;

import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TaskMeter;

/**
 * What the iSCSI target reports for the daemon's metrics: logins as they end, and a {@link TaskMeter} per target
 * port, asked for once per session (never per command). {@link #NONE} counts nothing.
 */
public interface IscsiMeters {
    IscsiMeters NONE = new IscsiMeters() {
    };

    /** The meter of the tasks that pass {@code port}; the same one for every session through that port. */
    default TaskMeter targetPort(TargetPort port) {
        return TaskMeter.NONE;
    }

    /** A login reached full feature phase (normal or discovery session). */
    default void loginSucceeded() {
    }

    /**
     * A login was refused with this Login Response status (RFC 7143 11.13.5): class 02h initiator error, 03h target
     * error, and the detail. Called once per refused login.
     */
    default void loginFailed(int statusClass, int statusDetail) {
    }

    /** The initiator's CHAP response did not match the secret (RFC 7143 12.1.3), or mutual CHAP was refused. */
    default void chapFailed() {
    }
}
