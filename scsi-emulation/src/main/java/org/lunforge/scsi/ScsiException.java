package org.lunforge.scsi;

/**
 * A task ends with a status other than GOOD. Decoders and command handlers throw these; the logical unit turns them
 * into the task's response. They carry no stack trace: they are answers, not bugs.
 */
public abstract sealed class ScsiException extends RuntimeException permits CheckCondition, ReservationConflict {
    protected ScsiException(String message) {
        super(message, null, false, false);
    }

    public abstract ScsiStatus status();
}
