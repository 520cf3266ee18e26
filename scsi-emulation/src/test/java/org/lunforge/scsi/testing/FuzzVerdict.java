package org.lunforge.scsi.testing;

import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.TaskResponse;

/**
 * What every SCSI fuzz target asserts (Jazzer @FuzzTest methods in each module's test tree): a decoder returns a
 * record or throws {@link CheckCondition}; a logical unit answers every task, and never with INTERNAL TARGET FAILURE,
 * which is how {@code LogicalUnit.fail} reports an exception other than a ScsiException (a bug, not an answer).
 */
public final class FuzzVerdict {
    private FuzzVerdict() {
    }

    /** Looks the CDB up in the table (usage data check) and decodes it; CHECK CONDITION is the one rejection. */
    public static void decode(CommandTable commands, byte[] bytes) {
        if (bytes.length == 0) {
            return; // no CDB: the frontends never build one (iSCSI's is 16 bytes or more, TCMU's at least 6)
        }
        Cdb cdb = new Cdb(bytes);
        try {
            Operation op = commands.lookup(cdb);
            if (op.decode(cdb) == null) {
                throw new AssertionError(op.displayName() + " decoded " + cdb + " to null");
            }
        } catch (CheckCondition rejected) {
            // the documented rejection: INVALID COMMAND OPERATION CODE or INVALID FIELD IN CDB
        }
    }

    /** The task was completed, and not for an unexpected exception. */
    public static void requireAnswered(RecordingTask task) {
        TaskResponse r = task.response();
        if (r.status() == ScsiStatus.CHECK_CONDITION && r.sense().length > 0
                && Sense.decode(r.sense()).code() == SenseCode.INTERNAL_TARGET_FAILURE) {
            throw new AssertionError("INTERNAL TARGET FAILURE for " + task.cdb() + " (the exception is logged above)");
        }
    }
}
