package org.lunforge.iscsi;

import static java.lang.System.Logger.Level.INFO;
import static org.lunforge.iscsi.IscsiConstants.*;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LunAddress;
import org.lunforge.scsi.SenseCode;

/**
 * Task management (RFC 7143 11.5, 11.6) for one session, with the ordering of 4.2.3.3 ("standard multi-task abort
 * semantics"): the target
 * <ol>
 *   <li>waits until every affected task is gone: its outstanding R2Ts answered and unsolicited data in, the device
 *       done with it, and every command numbered below the request received;</li>
 *   <li>aborts and resets in the SCSI layer ({@link LogicalUnit#reset});</li>
 *   <li>notes the last StatSN sent and waits until the initiator has acknowledged it (ExpStatSN), soliciting with a
 *       NOP-In;</li>
 *   <li>only then sends the response.</li>
 * </ol>
 * Tasks of this session end silently (the response concludes them); tasks of other sessions on the same logical
 * units end with TASK ABORTED ({@link IscsiServerOptions#taskAbortedStatus()}, SAM-5 TAS=1) or silently with a
 * COMMANDS CLEARED BY ANOTHER INITIATOR unit attention (TAS=0). CLEAR ACA is not supported (we never establish ACA)
 * and TASK REASSIGN needs ErrorRecoveryLevel 2.
 */
final class IscsiTaskManagement {
    private static final System.Logger LOG = System.getLogger(IscsiTaskManagement.class.getName());

    /** One request waiting for the conditions above. */
    private final class Pending {
        final IscsiTaskManagementRequest request;
        final Set<IscsiTask> tasks = new HashSet<>();
        /** Logical units whose not-yet-arrived commands (CmdSN below the request's) are also affected. */
        final Set<LogicalUnit> scope;
        final Set<LogicalUnit> reset;
        final boolean cold;
        int response = TMF_FUNCTION_COMPLETE;
        int othersPending;
        boolean scsiDone;
        /** Resets that other nodes serving the logical unit have not yet acknowledged. */
        int resetsPending;
        int lastSent;
        boolean pinged;

        Pending(IscsiTaskManagementRequest request, Set<LogicalUnit> scope, Set<LogicalUnit> reset, boolean cold) {
            this.request = request;
            this.scope = scope;
            this.reset = reset;
            this.cold = cold;
        }
    }

    /** Another session asked us to abort our tasks on some logical units. */
    private static final class Foreign {
        final Set<IscsiTask> tasks = new HashSet<>();
        final Promise<Void> done;

        Foreign(Promise<Void> done) {
            this.done = done;
        }
    }

    /** RFC 7143 11.5.1 function codes, for the log; the last stands for any other. */
    private static final String[] FUNCTIONS = {"?", "ABORT TASK", "ABORT TASK SET", "CLEAR ACA", "CLEAR TASK SET",
        "LOGICAL UNIT RESET", "TARGET WARM RESET", "TARGET COLD RESET", "TASK REASSIGN", "function"};

    private final IscsiSessionHandler h;
    private final List<Pending> pending = new ArrayList<>(2);
    private final List<Foreign> foreign = new ArrayList<>(1);

    IscsiTaskManagement(IscsiSessionHandler handler) {
        this.h = handler;
    }

    void request(IscsiTaskManagementRequest r) {
        int function = r.function();
        switch (function) {
            case TMF_ABORT_TASK -> abortTask(r);
            case TMF_ABORT_TASK_SET, TMF_CLEAR_TASK_SET, TMF_LOGICAL_UNIT_RESET -> {
                LogicalUnit lu = h.session().lunMap.logicalUnit(LunAddress.decode(r.lun()));
                if (lu == null) {
                    respond(r, TMF_LUN_DOES_NOT_EXIST);
                    return;
                }
                Set<LogicalUnit> scope = Set.of(lu);
                Pending p = new Pending(r, scope, function == TMF_LOGICAL_UNIT_RESET ? scope : Set.of(), false);
                start(p, function != TMF_ABORT_TASK_SET);
            }
            case TMF_TARGET_WARM_RESET, TMF_TARGET_COLD_RESET -> targetReset(r, function == TMF_TARGET_COLD_RESET);
            case TMF_TASK_REASSIGN -> respond(r, TMF_REASSIGNMENT_NOT_SUPPORTED);
            default -> respond(r, TMF_NOT_SUPPORTED); // CLEAR ACA, and codes RFC 7143 does not assign
        }
    }

    /**
     * 11.5.1 TARGET WARM/COLD RESET, within what the requester can address: the logical units of its own LUN map
     * (its portal group seen through its ACL; 11.6.1: "all LUs known to the issuing initiator") and, for a cold
     * reset, the sessions through its own target port. A unit or a session it cannot reach is never touched (SAM-5
     * 6.3: a reset must not release another initiator's reservation on a unit the requester does not see). A portal
     * group may refuse either reset (as LIO's tmr_warm_reset/tmr_cold_reset): Function authorization failed.
     */
    private void targetReset(IscsiTaskManagementRequest r, boolean cold) {
        IscsiPortalGroup port = h.session().portalGroup;
        String kind = cold ? "cold" : "warm";
        if (!(cold ? port.coldResetAllowed() : port.warmResetAllowed())) {
            LOG.log(INFO, () -> h.session() + ": " + kind + " target reset refused by " + port);
            respond(r, TMF_AUTHORIZATION_FAILED);
            return;
        }
        Set<LogicalUnit> scope = h.session().lunMap.logicalUnits();
        LOG.log(INFO, () -> h.session() + ": " + kind + " target reset of " + scope.size() + " logical units");
        start(new Pending(r, scope, scope, cold), true);
    }

    /**
     * 11.5.1 ABORT TASK; when the referenced task is not here but its RefCmdSN is still to come (below the request's
     * CmdSN), that CmdSN counts as received and the answer is Function complete; otherwise Task does not exist.
     */
    private void abortTask(IscsiTaskManagementRequest r) {
        IscsiTask task = h.task(r.referencedTaskTag());
        if (task != null && task.live()) {
            Pending p = new Pending(r, Set.of(), Set.of(), false);
            abortOwn(p, task);
            pending.add(p);
            check(p);
            return;
        }
        int ref = r.refCmdSN();
        if (h.window().awaited(ref) && IscsiSerial.lessThan(ref, r.cmdSN())) {
            h.consumeCmdSN(ref);
            Pending p = new Pending(r, Set.of(), Set.of(), false);
            pending.add(p);
            check(p);
        } else {
            respond(r, TMF_TASK_DOES_NOT_EXIST);
        }
    }

    private void start(Pending p, boolean otherSessions) {
        for (IscsiTask task : h.tasks()) {
            if (task.logicalUnit != null && p.scope.contains(task.logicalUnit)) {
                abortOwn(p, task);
            }
        }
        pending.add(p);
        if (otherSessions) {
            List<Future<Void>> futures = h.session().server.abortTasks(p.scope, h.session());
            p.othersPending = futures.size();
            for (Future<Void> f : futures) {
                f.addListener(done -> h.eventLoop().execute(() -> {
                    p.othersPending--;
                    check(p);
                }));
            }
        }
        check(p);
    }

    private void abortOwn(Pending p, IscsiTask task) {
        task.abortSilently();
        p.tasks.add(task);
        if (task.readyToEnd()) {
            h.finishUnexecuted(task, null); // nothing more is owed: it is gone at once (taskGone follows)
        }
    }

    /** A command arrived while requests wait: one numbered below a request and in its scope is affected too. */
    void commandArrived(IscsiTask task) {
        for (Pending p : pending) {
            if (!task.immediate && IscsiSerial.lessThan(task.cmdSN, p.request.cmdSN())
                    && task.logicalUnit != null && p.scope.contains(task.logicalUnit)) {
                task.abortSilently();
                p.tasks.add(task);
            }
        }
    }

    void taskGone(IscsiTask task) {
        if (!foreign.isEmpty()) {
            for (int i = foreign.size() - 1; i >= 0; i--) {
                Foreign f = foreign.get(i);
                if (f.tasks.remove(task) && f.tasks.isEmpty()) {
                    foreign.remove(i);
                    f.done.trySuccess(null);
                }
            }
        }
        for (Pending p : List.copyOf(pending)) {
            if (p.tasks.remove(task)) {
                check(p);
            }
        }
    }

    void cmdSNAdvanced() {
        recheck();
    }

    void statSNAcknowledged() {
        recheck();
    }

    private void recheck() {
        if (!pending.isEmpty()) {
            for (Pending p : List.copyOf(pending)) {
                check(p);
            }
        }
    }

    private void check(Pending p) {
        if (!pending.contains(p) || !p.tasks.isEmpty() || p.othersPending > 0
                || p.request.immediate() && IscsiSerial.lessThan(h.expCmdSN(), p.request.cmdSN())) {
            return;
        }
        if (!p.scsiDone) {
            p.scsiDone = true;
            for (LogicalUnit lu : p.reset) {
                CompletableFuture<Void> everywhere = lu.reset(h.nexus());
                if (!everywhere.isDone()) {
                    p.resetsPending++;
                    everywhere.whenComplete((v, e) -> h.eventLoop().execute(() -> {
                        p.resetsPending--;
                        check(p);
                    }));
                }
            }
            p.lastSent = h.statSN() - 1;
        }
        if (p.resetsPending > 0) {
            return; // FUNCTION COMPLETE once every path of the logical unit has its unit attention
        }
        if (IscsiSerial.atMost(h.expStatSN(), p.lastSent)) {
            if (!p.pinged) {
                p.pinged = true;
                h.ping();
            }
            return;
        }
        pending.remove(p);
        respond(p.request, p.response);
        if (p.cold) {
            // 11.5.1: after a TARGET COLD RESET the target drops its connections: those of this target port.
            h.session().server.closeSessions(h.session().portalGroup);
        }
    }

    private void respond(IscsiTaskManagementRequest r, int response) {
        // Rate-limited: an initiator can send task management as fast as commands.
        h.session().server.initiatorLog().log(LOG, INFO, "task management answered", () -> h.session() + ": "
                + FUNCTIONS[Math.min(r.function(), FUNCTIONS.length - 1)] + " (ITT 0x%08x, referenced 0x%08x)"
                .formatted(r.initiatorTaskTag(), r.referencedTaskTag()) + " answered " + (response == 0
                ? "Function complete" : "response " + response));
        h.write(new IscsiTaskManagementResponse(response, r.initiatorTaskTag(), h.advanceStatSN(), h.expCmdSN(),
                h.maxCmdSN()));
    }

    /** Aborts this session's tasks on {@code scope} for another session; {@code done} completes when they are gone. */
    void abortForeign(Set<LogicalUnit> scope, boolean withStatus, Promise<Void> done) {
        Foreign f = new Foreign(done);
        for (IscsiTask task : h.tasks()) {
            if (task.logicalUnit == null || !scope.contains(task.logicalUnit)) {
                continue;
            }
            if (withStatus) {
                task.abortWithStatus();
            } else {
                task.abortSilently();
                task.logicalUnit.unitAttentions().establish(h.nexus(), SenseCode.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
            }
            f.tasks.add(task);
        }
        if (f.tasks.isEmpty()) {
            done.trySuccess(null);
            return;
        }
        foreign.add(f);
        for (IscsiTask task : List.copyOf(f.tasks)) {
            if (task.readyToEnd()) {
                h.finishUnexecuted(task, null);
            }
        }
    }

    void sessionClosed() {
        for (Foreign f : foreign) {
            f.done.trySuccess(null);
        }
        foreign.clear();
        pending.clear();
    }
}
