package org.lunforge.scsi;

import static java.lang.System.Logger.Level.ERROR;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 */
public final class LogicalUnit {
    private static final System.Logger LOG = System.getLogger(LogicalUnit.class.getName());

    private final String name;
    private final LogicalUnitIdentity identity;
    private final DeviceServer device;
    private final StateStore state;
    private final CommandTable commands;
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final SpcEmulation spc;

    public LogicalUnit(String name, LogicalUnitIdentity identity, DeviceServer device, StateStore state) {
        this.name = Objects.requireNonNull(name, "name");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.device = Objects.requireNonNull(device, "device");
        this.state = Objects.requireNonNull(state, "state");
        List<Operation> operations = new ArrayList<>(device.operations());
        for (SpcOperation op : SpcOperation.values()) {
            if (device.supportsSpc(op)) {
                operations.add(op);
            }
        }
        this.commands = new CommandTable(operations);
        this.spc = new SpcEmulation(this);
        device.attach(this);
    }

    /** Runs one task through the fixed checks and the command; never throws. */
    public void execute(ScsiTask task) {
        Nexus nexus = task.nexus();
        unitAttentions.register(nexus);
        try {
            Cdb cdb = task.cdb();
            Operation known = commands.find(cdb.opcode(), cdb.length() > 1 ? cdb.u8(1) & 0x1F : -1);
            if (known == null || !known.traits().contains(OperationTrait.IGNORES_UNIT_ATTENTION)) {
                SenseCode attention = unitAttentions.take(nexus);
                if (attention != null) {
                    throw new CheckCondition(attention);
                }
            }
            Operation op = commands.lookup(cdb);
            Command command = op.decode(cdb);
            spc.checkAccess(nexus, op);
            if (op.traits().contains(OperationTrait.NEEDS_MEDIUM)) {
                device.checkReady();
            }
            if (op.traits().contains(OperationTrait.WRITES_MEDIUM) && device.writeProtected()) {
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
    public void reset(Nexus requestedBy) {
        spc.reset(requestedBy);
        device.reset();
    }

    /** The I_T nexus is gone (the iSCSI session ended): SPC-2 reservations it held are released (SPC-2 5.5.1). */
    public void nexusLost(Nexus nexus) {
        spc.nexusLost(nexus);
        device.nexusLost(nexus);
        unitAttentions.forget(nexus);
    }

    /** Flushes and releases the device; the logical unit takes no more tasks. */
    public void close() {
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

    public SpcEmulation spc() {
        return spc;
    }

    @Override
    public String toString() {
        return "LogicalUnit[" + name + ", " + device.deviceType() + "]";
    }
}
