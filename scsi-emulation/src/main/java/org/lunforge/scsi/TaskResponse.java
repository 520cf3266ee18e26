package org.lunforge.scsi;

import java.util.Objects;

/**
 * How a task ended, ready for a frontend to encode.
 *
 * @param sense the encoded sense bytes (fixed or descriptor, as the logical unit chose), empty unless CHECK CONDITION
 * @param transferLength the bytes the device server moved or wanted to move in the command's data direction: the
 *     frontend sends {@code min(transferLength, expected transfer length)} bytes of Data-In and reports the difference
 *     to the expected transfer length as the residual (underflow when smaller, overflow when larger)
 */
public record TaskResponse(ScsiStatus status, byte[] sense, long transferLength) {
    private static final byte[] NO_SENSE = new byte[0];

    public TaskResponse {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(sense, "sense");
        if (transferLength < 0) {
            throw new IllegalArgumentException("negative transfer length");
        }
    }

    public static TaskResponse good(long transferLength) {
        return new TaskResponse(ScsiStatus.GOOD, NO_SENSE, transferLength);
    }

    public static TaskResponse status(ScsiStatus status) {
        return new TaskResponse(status, NO_SENSE, 0);
    }

    public static TaskResponse checkCondition(byte[] sense, long transferLength) {
        return new TaskResponse(ScsiStatus.CHECK_CONDITION, sense, transferLength);
    }
}
