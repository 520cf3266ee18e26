package org.lunforge.scsi.fault;

import java.time.Duration;
import java.util.Objects;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SenseKey;

/** What an armed fault does to a command it matches, instead of (or before) running it. */
public sealed interface FaultEffect {
    /** The longest latency a fault may add: a held command is what {@link Hold} is for. */
    Duration MAX_LATENCY = Duration.ofMinutes(10);

    /**
     * CHECK CONDITION, MEDIUM ERROR (SBC-4 4.18): UNRECOVERED READ ERROR (11/00) for a read, WRITE ERROR (0C/00) for
     * a write, the INFORMATION field holding the first logical block of the command inside the fault's range, so
     * that the initiator completes the blocks before it (Linux: sd_completed_bytes) and fails exactly the rest.
     */
    record MediumError() implements FaultEffect {
    }

    /** CHECK CONDITION with this sense code (UNIT ATTENTION, NOT READY, or any other chosen one). */
    record Answer(SenseCode code) implements FaultEffect {
        public Answer {
            Objects.requireNonNull(code, "code");
            if (code.key() == SenseKey.NO_SENSE) {
                throw new IllegalArgumentException(code + " is not an error: choose a sense code with a sense key");
            }
        }
    }

    /** A status without sense (SAM-5 5.3): BUSY or TASK SET FULL; the initiator retries later. */
    record Status(ScsiStatus status) implements FaultEffect {
        public Status {
            if (status != ScsiStatus.BUSY && status != ScsiStatus.TASK_SET_FULL) {
                throw new IllegalArgumentException("a fault answers BUSY or TASK SET FULL, not " + status);
            }
        }
    }

    /** The command runs as always, {@code delay} later. */
    record Latency(Duration delay) implements FaultEffect {
        public Latency {
            if (delay.isNegative() || delay.isZero() || delay.compareTo(MAX_LATENCY) > 0) {
                throw new IllegalArgumentException("latency " + delay.toMillis() + " ms: 1 ms to "
                        + MAX_LATENCY.toMinutes() + " min");
            }
        }
    }

    /**
     * The command is held without an answer until the fault is disarmed (it then runs) or task management aborts it
     * (ABORT TASK, LOGICAL UNIT RESET, a dropped connection: it then ends as aborted tasks end).
     */
    record Hold() implements FaultEffect {
    }
}
