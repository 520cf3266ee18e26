package org.lunforge.scsi;

import static java.lang.System.Logger.Level.ERROR;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.lunforge.scsi.fault.LogicalUnitFaults;
import org.lunforge.scsi.spc.SpcCommand;
import org.lunforge.scsi.spc.SpcEmulation;
import org.lunforge.scsi.spc.SpcOperation;

/**
 * A logical unit: the checks every command passes in a fixed order, the SPC commands every device shares, and a
 * {@link DeviceServer} for the rest. Frontends call {@link #execute} for each task; the logical unit completes it
 * exactly once, synchronously or later from the device's thread.
 *
 * <p>The order (SAM-5 5.14 and SPC-4 5.8.7, 5.13, 5.16): the operation is looked up (an unknown one still reports a
 * pending unit attention first); a pending unit attention is reported unless the operation ignores them; every CDB
 * bit is checked against the usage data; the CDB is decoded once; reservations and the ALUA state of the target
 * port are checked; a medium access needs a ready device and a write a writable one; then the command runs.
 *
 * <p>Unit attentions (SAM-5 5.14, SPC-4 5.8.7) the logical unit establishes:
 * <ul>
 * <li>POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29/00) for an I_T nexus the first time it sends a command: to
 *     this nexus the logical unit has just powered on. Linux (sd's TEST UNIT READY retries) and libiscsi (its
 *     login sends TEST UNIT READY until no unit attention is left) both expect and clear it; it is also the one
 *     code iscsi-test-cu's RESERVE(6) helpers accept.</li>
 * <li>BUS DEVICE RESET FUNCTION OCCURRED (29/03) for every nexus on {@link #reset} (LOGICAL UNIT RESET, target
 *     reset); a reset condition replaces whatever was pending.</li>
 * <li>CAPACITY DATA HAS CHANGED ({@link #capacityChanged}), REPORTED LUNS DATA HAS CHANGED
 *     ({@link #reportedLunsChanged}), MODE PARAMETERS CHANGED (MODE SELECT, for the other nexuses), the persistent
 *     reservation ones (RESERVATIONS RELEASED / PREEMPTED, REGISTRATIONS PREEMPTED) and ASYMMETRIC ACCESS STATE
 *     CHANGED (a target port group transition).</li>
 * </ul>
 */
public final class LogicalUnit {
    private static final System.Logger LOG = System.getLogger(LogicalUnit.class.getName());

    private final String name;
    private final LogicalUnitIdentity identity;
    private final DeviceServer device;
    private final StateStore state;
    private final CommandTable commands;
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final TargetPortGroups portGroups;
    private final Consumer<Nexus> accessStateChanged = this::accessStateChanged;
    private final SpcEmulation spc;
    private final LogicalUnitFaults faults = new LogicalUnitFaults(this, this::run);
    /** What the frontends report of this unit's tasks: the daemon's metrics, or nothing. */
    private volatile TaskMeter meter = TaskMeter.NONE;

    /** A logical unit with its own ALUA model: one target port group, every port active/optimized. */
    public LogicalUnit(String name, LogicalUnitIdentity identity, DeviceServer device, StateStore state) {
        this(name, identity, device, state, TargetPortGroups.single());
    }

    /**
     * A logical unit reached through the ports of {@code portGroups}, which every logical unit behind the same ports
     * shares (multipath: each path then reports the same groups and states).
     */
    public LogicalUnit(String name, LogicalUnitIdentity identity, DeviceServer device, StateStore state,
                       TargetPortGroups portGroups) {
        this.name = Objects.requireNonNull(name, "name");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.device = Objects.requireNonNull(device, "device");
        this.state = Objects.requireNonNull(state, "state");
        this.portGroups = Objects.requireNonNull(portGroups, "portGroups");
        List<Operation> operations = new ArrayList<>(device.operations());
        for (SpcOperation op : SpcOperation.values()) {
            boolean explicitAlua = op != SpcOperation.SET_TARGET_PORT_GROUPS || portGroups.explicitTransitions();
            if (explicitAlua && device.supportsSpc(op)) {
                operations.add(op);
            }
        }
        this.commands = new CommandTable(operations);
        this.spc = new SpcEmulation(this);
        device.attach(this);
        spc.start();
        portGroups.addListener(accessStateChanged);
    }

    /**
     * Runs one task through the fixed checks and the command; never throws. An armed fault ({@link #faults()}) comes
     * before every check: it may answer, delay or hold the task instead.
     */
    public void execute(ScsiTask task) {
        if (!faults.intercept(task)) {
            run(task);
        }
    }

    private void run(ScsiTask task) {
        Nexus nexus = task.nexus();
        if (unitAttentions.register(nexus, SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED)) {
            portGroups.portSeen(nexus.target());
        }
        try {
            Cdb cdb = task.cdb();
            Operation known = commands.find(cdb.opcode(), cdb.length() > 1 ? cdb.u8(1) & 0x1F : -1);
            if (known != SpcOperation.INQUIRY && known != SpcOperation.REPORT_LUNS
                    && known != SpcOperation.REQUEST_SENSE) {
                device.checkMediumOperation(known);
            }
            if (known == null || !known.traits().contains(OperationTrait.IGNORES_UNIT_ATTENTION)) {
                SenseCode attention = unitAttentions.take(nexus);
                if (attention != null) {
                    throw new CheckCondition(attention);
                }
            }
            Operation op = commands.lookup(cdb);
            Command command = op.decode(cdb);
            spc.checkAccess(nexus, op, command);
            if (op.traits().contains(OperationTrait.NEEDS_MEDIUM)) {
                device.checkReady();
            }
            if (op.traits().contains(OperationTrait.WRITES_MEDIUM) && writeProtected(task.lunMap())) {
                throw new CheckCondition(SenseCode.WRITE_PROTECTED);
            }
            if (command instanceof SpcCommand spcCommand) {
                spc.execute(task, spcCommand);
            } else {
                device.execute(task, command);
            }
        } catch (RuntimeException e) {
            fail(task, e);
        }
    }

    /** True if writes to the medium are refused: the device says so, or the control mode page's SWP is set. */
    public boolean writeProtected() {
        return device.writeProtected() || spc.softwareWriteProtect();
    }

    /**
     * True if writes to the medium from a nexus with this LUN map are refused: the logical unit is write protected
     * for everyone ({@link #writeProtected()}), or the map reaches it through a write-protected mapping.
     */
    public boolean writeProtected(LunMap lunMap) {
        return writeProtected() || lunMap.writeProtected(this);
    }

    /**
     * The checks {@link #execute} makes before a medium access reaches the device, for an access that another
     * command makes on this logical unit on behalf of {@code nexus} (EXTENDED COPY reading or writing a copy target):
     * an operation on the whole medium in progress, reservations and the ALUA access state of the nexus's target
     * port (SPC-4 5.13, 5.16), readiness, and for a write, write protection ({@code mappedWriteProtected}: the
     * nexus reaches this unit through a write-protected mapping). Unit attentions stay pending: they are reported to
     * the nexus when it addresses this unit itself. Throws what the command would have ended with had the nexus sent
     * {@code op} here: {@link ReservationConflict} or {@link CheckCondition}.
     */
    public void checkMediumAccess(Nexus nexus, Operation op, boolean mappedWriteProtected) {
        device.checkMediumOperation(op);
        spc.checkAccess(nexus, op);
        if (op.traits().contains(OperationTrait.NEEDS_MEDIUM)) {
            device.checkReady();
        }
        if (op.traits().contains(OperationTrait.WRITES_MEDIUM) && (writeProtected() || mappedWriteProtected)) {
            throw new CheckCondition(SenseCode.WRITE_PROTECTED);
        }
    }

    /** The device's capacity changed (a disk was resized): CAPACITY DATA HAS CHANGED for every I_T nexus. */
    public void capacityChanged() {
        unitAttentions.establishForAllExcept(null, SenseCode.CAPACITY_DATA_HAS_CHANGED);
    }

    /**
     * The target changed the logical unit inventory some initiators see (a LUN mapped or unmapped, an ACL changed):
     * REPORTED LUNS DATA HAS CHANGED for the I_T nexuses the predicate selects. The target calls this on every logical
     * unit those initiators still reach; REPORT LUNS clears it on all of them (TaskRouter).
     */
    public void reportedLunsChanged(Predicate<Nexus> affected) {
        unitAttentions.establishFor(affected, SenseCode.REPORTED_LUNS_DATA_HAS_CHANGED);
    }

    /** {@link #reportedLunsChanged(Predicate)} for every I_T nexus. */
    public void reportedLunsChanged() {
        reportedLunsChanged(n -> true);
    }

    /** A target port group changed state: every nexus but the one that asked for it (SET TARGET PORT GROUPS) learns. */
    private void accessStateChanged(Nexus requestedBy) {
        unitAttentions.establishForAllExcept(requestedBy, SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED);
    }

    /** Completes the task with GOOD status. */
    public void good(ScsiTask task, long transferLength) {
        task.complete(TaskResponse.good(transferLength));
    }

    /**
     * Completes the task for a failure: a {@link ScsiException} with its status and sense (in the format the nexus
     * chose), anything else as HARDWARE ERROR / INTERNAL TARGET FAILURE after logging it: a bug, not an answer.
     */
    public void fail(ScsiTask task, Throwable failure) {
        switch (failure) {
            case CheckCondition cc -> task.complete(
                    TaskResponse.checkCondition(encodeSense(task.nexus(), cc.sense()), cc.transferLength()));
            case ScsiException e -> task.complete(TaskResponse.status(e.status()));
            default -> {
                LOG.log(ERROR, () -> name + ": " + task.cdb() + " failed", failure);
                task.complete(TaskResponse.checkCondition(
                        encodeSense(task.nexus(), Sense.of(SenseCode.INTERNAL_TARGET_FAILURE)), 0));
            }
        }
    }

    /** Sense bytes in the format the control mode page's D_SENSE bit selects for this nexus. */
    public byte[] encodeSense(Nexus nexus, Sense sense) {
        return sense.encode(spc.descriptorSense(nexus));
    }

    /** LOGICAL UNIT RESET (SAM-5 7.7) or a target reset reached this logical unit. */
    public CompletableFuture<Void> reset(Nexus requestedBy) {
        CompletableFuture<Void> everywhere = spc.reset(requestedBy);
        device.reset();
        return everywhere;
    }

    /** The I_T nexus is gone (the iSCSI session ended): SPC-2 reservations it held are released (SPC-2 5.5.1). */
    public void nexusLost(Nexus nexus) {
        spc.nexusLost(nexus);
        device.nexusLost(nexus);
        unitAttentions.forget(nexus);
    }

    /** Flushes and releases the device; the logical unit takes no more tasks. */
    public void close() {
        faults.disarmAll();
        portGroups.removeListener(accessStateChanged);
        spc.close();
        device.close();
    }

    public String name() {
        return name;
    }

    public LogicalUnitIdentity identity() {
        return identity;
    }

    public DeviceServer device() {
        return device;
    }

    public StateStore stateStore() {
        return state;
    }

    public CommandTable commands() {
        return commands;
    }

    public UnitAttentions unitAttentions() {
        return unitAttentions;
    }

    /** The ALUA model of the ports this logical unit is reached through. */
    public TargetPortGroups portGroups() {
        return portGroups;
    }

    /** The faults armed on this logical unit (never saved: a new logical unit starts with none). */
    public LogicalUnitFaults faults() {
        return faults;
    }

    /** The meter frontends report this unit's tasks to ({@link TaskMeter#NONE} until the daemon sets one). */
    public TaskMeter meter() {
        return meter;
    }

    public void meter(TaskMeter meter) {
        this.meter = Objects.requireNonNull(meter, "meter");
    }

    public SpcEmulation spc() {
        return spc;
    }

    @Override
    public String toString() {
        return "LogicalUnit[" + name + ", " + device.deviceType() + "]";
    }
}
