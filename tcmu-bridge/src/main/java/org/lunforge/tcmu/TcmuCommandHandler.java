package org.lunforge.tcmu;

import java.util.List;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;

/**
 * The consumer of a device's ring (Disruptor's event handler): gets each command on the ring thread, in ring order.
 * It must not block; it completes the command now or later from any thread.
 */
public interface TcmuCommandHandler {
    /**
     * @param endOfBatch true for the last command read up to the head seen in this pass: a handler that batches work
     *     (plugs a backstore queue) flushes here
     */
    void onCommand(TcmuCommand command, boolean endOfBatch);

    /**
     * The kernel reported task management (attrib/tmr_notification=1). The listed commands were already marked
     * aborted; the kernel still waits for each of them to be completed through the ring (target_put_cmd_and_wait),
     * so their completion is not skipped, only its answer ignored.
     *
     * @param type a TCMU_TMR_* code: 1 ABORT TASK ... 5 LUN RESET, 6/7 TARGET WARM/COLD RESET, 128 PR preempt
     */
    default void onTaskManagement(int type, List<TcmuCommand> aborted) {
    }

    /** The handler that runs every command through a logical unit: the bridge's normal consumer. */
    static TcmuCommandHandler of(LogicalUnit logicalUnit, Nexus nexus) {
        return new TcmuCommandHandler() {
            @Override
            public void onCommand(TcmuCommand command, boolean endOfBatch) {
                command.meter(logicalUnit.meter());
                logicalUnit.execute(command);
            }

            @Override
            public void onTaskManagement(int type, List<TcmuCommand> aborted) {
                switch (type) {
                    case TcmuAbi.TMR_LUN_RESET, TcmuAbi.TMR_TARGET_WARM_RESET, TcmuAbi.TMR_TARGET_COLD_RESET ->
                            logicalUnit.reset(nexus);
                    default -> {
                    }
                }
            }
        };
    }
}
