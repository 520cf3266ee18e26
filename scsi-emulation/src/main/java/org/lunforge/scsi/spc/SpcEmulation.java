package org.lunforge.scsi.spc;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.OperationTrait;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SenseKey;
import org.lunforge.scsi.TargetPortGroups;
import org.lunforge.scsi.TaskResponse;

/**
 * The SPC-4 commands every device type shares, and the shared state behind the logical unit's checks: reservations,
 * the ALUA access state, the control mode page's D_SENSE and SWP.
 *
 * <p>Life cycle: built by the logical unit before its device server is attached; {@link #start} (after the attach)
 * builds the mode and log pages from the device, restores saved mode pages and persistent reservations.
 */
public final class SpcEmulation {
    private final LogicalUnit lu;
    private final InquiryEmulation inquiry;
    private final PersistentReservations reservations;
    private final TargetPortGroupCommands portGroupCommands;
    private volatile ModePages modePages;
    private volatile ModeParameterList modeParameters;
    private volatile LogPages logPages;
    private volatile SupportedOperations supportedOperations;
    /**
     * Where the commands that save state run when the state store may block (fsync): PERSISTENT RESERVE OUT (APTPL),
     * RESERVE, RELEASE (they share the reservation lock a save holds) and MODE SELECT with SP. One at a time, in
     * arrival order, so each sees the state the one before it left; null when saving never blocks.
     */
    private final ExecutorService stateLane;
    /** Commands waiting in or running on {@link #stateLane}; beyond {@link #MAX_SAVING} new ones get TASK SET FULL. */
    private final AtomicInteger saving = new AtomicInteger();
    static final int MAX_SAVING = 64;

    public SpcEmulation(LogicalUnit lu) {
        this.lu = lu;
        this.stateLane = lu.stateStore().mayBlock() ? Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("lu-" + lu.name() + "-state").factory()) : null;
        this.inquiry = new InquiryEmulation(lu);
        this.reservations = new PersistentReservations(lu);
        this.portGroupCommands = new TargetPortGroupCommands(lu.portGroups());
    }

    /** Builds what needs the attached device server: mode pages (restoring saved ones), log pages, RSOC. */
    public void start() {
        ModePages pages = new ModePages(lu);
        this.modeParameters = new ModeParameterList(pages, lu.device());
        this.logPages = new LogPages(lu.device().logPages());
        this.supportedOperations = new SupportedOperations(lu.commands());
        this.modePages = pages;
    }

    public void execute(ScsiTask task, SpcCommand command) {
        boolean saves = switch (command) {
            case SpcCommand.PersistentReserveOut p -> true;
            case SpcCommand.Reserve r -> true;
            case SpcCommand.Release r -> true;
            case SpcCommand.ModeSelect m -> m.savePages();
            case SpcCommand.SetTargetPortGroups s -> true; // may wait for the other nodes of a cluster
            default -> false;
        };
        if (saves && stateLane != null) {
            if (saving.incrementAndGet() > MAX_SAVING) { // SAM-5 5.3.1: no room in the task set, try later
                saving.decrementAndGet();
                task.complete(TaskResponse.status(ScsiStatus.TASK_SET_FULL));
                return;
            }
            try {
                stateLane.execute(() -> {
                    try {
                        serve(task, command);
                    } catch (RuntimeException e) {
                        lu.fail(task, e);
                    } finally {
                        saving.decrementAndGet();
                    }
                });
            } catch (RejectedExecutionException closed) { // the logical unit is closing
                saving.decrementAndGet();
                lu.fail(task, new CheckCondition(SenseCode.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE));
            }
            return;
        }
        serve(task, command);
    }

    private void serve(ScsiTask task, SpcCommand command) {
        Nexus nexus = task.nexus();
        switch (command) {
            case SpcCommand.TestUnitReady t -> {
                lu.device().checkReady();
                lu.good(task, 0);
            }
            case SpcCommand.Inquiry q -> returnData(task, inquiry.inquiry(nexus, q), q.allocationLength());
            case SpcCommand.RequestSense r -> requestSense(task, r);
            case SpcCommand.ReportLuns r -> reportLunZeroOnly(task, r);
            case SpcCommand.ModeSense m -> returnData(task,
                    modeParameters.sense(m, task.lunMap().writeProtected(lu)), m.allocationLength());
            case SpcCommand.ModeSelect m -> {
                long before = modePages.changes();
                try {
                    modeParameters.select(m, parameterList(task, m.parameterListLength()));
                } finally {
                    // Pages the device accepted before it refused one stay changed: the others hear of them too.
                    if (modePages.changes() != before) {
                        lu.unitAttentions().establishForAllExcept(nexus, SenseCode.MODE_PARAMETERS_CHANGED);
                    }
                }
                lu.good(task, 0);
            }
            case SpcCommand.LogSense l -> returnData(task, logPages.sense(l), l.allocationLength());
            case SpcCommand.LogSelect l -> {
                logPages.select(l, parameterList(task, l.parameterListLength()));
                lu.good(task, 0);
            }
            case SpcCommand.Reserve r -> {
                reservations.reserve(nexus);
                lu.good(task, 0);
            }
            case SpcCommand.Release r -> {
                reservations.release(nexus);
                lu.good(task, 0);
            }
            case SpcCommand.PersistentReserveIn p -> returnData(task,
                    PersistentReserveInData.of(p.serviceAction(), reservations.state()), p.allocationLength());
            case SpcCommand.PersistentReserveOut p -> {
                reservations.out(nexus, p, parameterList(task, p.parameterListLength()));
                lu.good(task, 0);
            }
            case SpcCommand.ReportSupportedOperationCodes r ->
                    returnData(task, supportedOperations.report(r), r.allocationLength());
            case SpcCommand.ReportSupportedTaskManagementFunctions r ->
                    returnData(task, SupportedOperations.taskManagementFunctions(r), r.allocationLength());
            case SpcCommand.ReportTargetPortGroups r -> returnData(task, portGroupCommands.report(r),
                    r.allocationLength());
            case SpcCommand.SetTargetPortGroups s -> {
                portGroupCommands.set(nexus, parameterList(task, s.parameterListLength()));
                lu.good(task, 0);
            }
        }
    }

    /**
     * The reservation and ALUA checks for the operation arriving on this nexus (SPC-4 5.13.1, 5.16.2.4). With no
     * reservation of either kind and every target port group active, two volatile reads and no lock.
     */
    public void checkAccess(Nexus nexus, Operation op, Command decoded) {
        reservations.checkAccess(nexus, op.reservationClass(decoded));
        TargetPortGroups groups = lu.portGroups();
        if (!groups.allActive()) {
            AsymmetricAccessState state = groups.accessState(nexus.target());
            TargetPortGroupCommands.check(state, op.traits().contains(OperationTrait.ALLOWED_IN_STANDBY),
                    op.traits().contains(OperationTrait.ALLOWED_IN_UNAVAILABLE));
        }
    }

    /** Reservation and ALUA checks for the operation arriving on this nexus, with the row's reservation class. */
    public void checkAccess(Nexus nexus, Operation op) {
        checkAccess(nexus, op, null);
    }

    /** The control mode page's D_SENSE bit as this nexus sees it (one set of mode pages for all nexuses). */
    public boolean descriptorSense(Nexus nexus) {
        ModePages pages = modePages;
        return pages != null && pages.descriptorSense();
    }

    /** The control mode page's SWP bit: the logical unit refuses writes to the medium while it is set. */
    public boolean softwareWriteProtect() {
        ModePages pages = modePages;
        return pages != null && pages.softwareWriteProtect();
    }

    /** The logical unit's mode pages (for devices that read current values); null before {@link #start}. */
    public ModePages modePages() {
        return modePages;
    }

    /**
     * Logical unit reset (SAM-5 6.3.3): the SPC-2 reservation is released, the mode pages return to their saved
     * values, and every I_T nexus, the requester's included, gets BUS DEVICE RESET FUNCTION OCCURRED (iscsi-test-cu
     * MultipathIO.Reset expects a unit attention on every path). When other nodes serve the logical unit, the
     * returned stage completes once they have heard of the reset too (their nexuses have the unit attention).
     */
    public CompletableFuture<Void> reset(Nexus requestedBy) {
        CompletableFuture<Void> cluster = CompletableFuture.completedFuture(null);
        if (stateLane != null && reservations.shared()) { // in order with the commands queued; waits for the store
            try {
                cluster = CompletableFuture.runAsync(reservations::reset, stateLane);
            } catch (RejectedExecutionException closed) {
                reservations.reset();
            }
        } else {
            reservations.reset();
        }
        ModePages pages = modePages;
        if (pages != null) {
            pages.reset();
        }
        lu.unitAttentions().establishForAllExcept(null, SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        return cluster;
    }

    /** Lets the commands already queued to save state finish (bounded), then takes no more. */
    public void close() {
        if (stateLane == null) {
            return;
        }
        stateLane.shutdown();
        try {
            stateLane.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * I_T nexus loss: its SPC-2 reservation is released, in order with the reservation commands queued before.
     * Persistent reservations are not affected.
     */
    public void nexusLost(Nexus nexus) {
        if (stateLane != null) { // after the RESERVE it may have queued, or that would outlive the nexus
            try {
                stateLane.execute(() -> reservations.nexusLost(nexus));
                return;
            } catch (RejectedExecutionException closed) {
                // the logical unit is closing: nothing is queued any more
            }
        }
        reservations.nexusLost(nexus);
    }

    /**
     * SPC-4 6.39: a pending unit attention first (and it is cleared); else a NOT READY condition the device reports
     * (pollable sense: no medium, becoming ready); else NO SENSE. GOOD status in every case; DESC picks the format.
     */
    private void requestSense(ScsiTask task, SpcCommand.RequestSense r) {
        SenseCode pending = lu.unitAttentions().take(task.nexus());
        Sense sense = Sense.of(pending != null ? pending : SenseCode.NO_ADDITIONAL_SENSE);
        if (pending == null) {
            try {
                lu.device().checkReady();
            } catch (CheckCondition notReady) {
                if (notReady.sense().key() == SenseKey.NOT_READY) {
                    sense = notReady.sense();
                }
            }
        }
        returnData(task, sense.encode(r.descriptorFormat()), r.allocationLength());
    }

    private void reportLunZeroOnly(ScsiTask task, SpcCommand.ReportLuns r) {
        byte[] data = new byte[16];
        BigEndian.put32(data, 0, 8);
        returnData(task, data, r.allocationLength());
    }

    /** The parameter list of a data-out command: PARAMETER LIST LENGTH bytes, or what arrived if that is less. */
    private static byte[] parameterList(ScsiTask task, long parameterListLength) {
        long available = Math.min(parameterListLength, task.dataOut().length());
        return task.dataOut().toByteArray(0, (int) Math.min(available, Integer.MAX_VALUE - 8));
    }

    /** Returns parameter data truncated to the allocation length (SPC-4 4.2.5.6). */
    static void returnData(ScsiTask task, byte[] data, long allocationLength, LogicalUnit lu) {
        int length = (int) Math.min(data.length, allocationLength);
        task.dataIn(length).put(0, length == data.length ? data : Arrays.copyOf(data, length));
        lu.good(task, length);
    }

    private void returnData(ScsiTask task, byte[] data, long allocationLength) {
        returnData(task, data, allocationLength, lu);
    }
}
