package org.lunforge.device.changer;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.DeviceServer;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.ModePageDefinition;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.PeripheralDeviceType;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SenseKey;
import org.lunforge.scsi.spc.SpcOperation;

/**
 * The SMC-3 device server of a medium changer logical unit (peripheral device type 08h, removable medium): the
 * commands of {@link SmcOperation} over a {@link MediumChanger}, plus the changer mode pages. INQUIRY, TEST UNIT
 * READY, REQUEST SENSE, MODE SENSE/SELECT, LOG SENSE and the rest of SPC come from the logical unit.
 *
 * <p>Threads: READ ELEMENT STATUS, POSITION TO ELEMENT and PREVENT ALLOW MEDIUM REMOVAL complete on the caller's
 * thread. MOVE MEDIUM, EXCHANGE MEDIUM and INITIALIZE ELEMENT STATUS load and unload drives and save the inventory, so
 * they run on the {@code robot} executor and complete from there; the library serializes them.
 *
 * <p>Unit attentions (SPC-4 5.8.7): the operator accessing an import/export element gives every I_T nexus IMPORT OR
 * EXPORT ELEMENT ACCESSED; a change of inventory made outside the medium transport gives every I_T nexus NOT READY TO
 * READY CHANGE, MEDIUM MAY HAVE CHANGED, and so does an INITIALIZE ELEMENT STATUS that corrected the inventory, for
 * every I_T nexus but the one that asked for it.
 *
 * <p>PREVENT ALLOW MEDIUM REMOVAL is held per I_T nexus: the import/export elements are locked while at least one I_T
 * nexus prevents removal, until it allows it again, its I_T nexus is lost, or the logical unit is reset.
 */
public final class MediumChangerDevice implements DeviceServer {
    /** One virtual thread per movement; the library's lock orders them. */
    private static final Executor VIRTUAL_THREADS = task -> Thread.ofVirtual().name("changer-robot").start(task);

    private final MediumChanger changer;
    private final Executor robot;
    private final Consumer<ChangerEvent> events = this::changerEvent;
    /** The I_T nexuses that prevent medium removal. Guarded by itself. */
    private final Set<Nexus> preventing = new HashSet<>();
    private volatile LogicalUnit lu;

    public MediumChangerDevice(MediumChanger changer) {
        this(changer, VIRTUAL_THREADS);
    }

    /** A device server whose movements run on {@code robot}; {@code Runnable::run} runs them on the caller's thread. */
    public MediumChangerDevice(MediumChanger changer, Executor robot) {
        this.changer = changer;
        this.robot = robot;
    }

    @Override
    public PeripheralDeviceType deviceType() {
        return PeripheralDeviceType.MEDIUM_CHANGER;
    }

    @Override
    public boolean removableMedium() {
        return true;
    }

    @Override
    public Collection<? extends Operation> operations() {
        return List.of(SmcOperation.values());
    }

    /** Every SPC row but MODE SENSE(6), which {@link SmcOperation#MODE_SENSE_6} replaces. */
    @Override
    public boolean supportsSpc(Operation spcOperation) {
        return spcOperation != SpcOperation.MODE_SENSE_6;
    }

    @Override
    public void attach(LogicalUnit logicalUnit) {
        this.lu = logicalUnit;
        changer.addListener(events);
    }

    @Override
    public List<ModePageDefinition> modePages() {
        return ChangerModePages.of(changer.layout());
    }

    /** NOT READY, LOGICAL UNIT NOT READY, OFFLINE while the operator has taken the library offline. */
    @Override
    public void checkReady() {
        if (!changer.online()) {
            throw new CheckCondition(SenseCode.LOGICAL_UNIT_NOT_READY_OFFLINE);
        }
    }

    /** Every SMC command but PREVENT ALLOW MEDIUM REMOVAL needs the library online. */
    @Override
    public void execute(ScsiTask task, Command command) {
        if (!(command instanceof SmcCommand.PreventAllowMediumRemoval)) {
            checkReady();
        }
        switch ((SmcCommand) command) {
            case SmcCommand.ReadElementStatus r -> readElementStatus(task, r);
            case SmcCommand.MoveMedium m -> {
                checkTransport(m.transport(), SmcCommand.MoveMedium.TRANSPORT_FIELD);
                onRobot(task, () -> changer.move(m.source(), m.destination()),
                        SmcCommand.MoveMedium.SOURCE_FIELD, SmcCommand.MoveMedium.DESTINATION_FIELD, -1);
            }
            case SmcCommand.ExchangeMedium x -> {
                checkTransport(x.transport(), SmcCommand.ExchangeMedium.TRANSPORT_FIELD);
                onRobot(task, () -> changer.exchange(x.source(), x.firstDestination(), x.secondDestination()),
                        SmcCommand.ExchangeMedium.SOURCE_FIELD, SmcCommand.ExchangeMedium.FIRST_DESTINATION_FIELD,
                        SmcCommand.ExchangeMedium.SECOND_DESTINATION_FIELD);
            }
            case SmcCommand.InitializeElementStatus i -> initializeElementStatus(task, i);
            case SmcCommand.PositionToElement p -> {
                checkTransport(p.transport(), SmcCommand.PositionToElement.TRANSPORT_FIELD);
                ElementType type = changer.layout().typeOf(p.destination());
                if (type == null || type == ElementType.MEDIUM_TRANSPORT) {
                    throw invalidElementAddress(SmcCommand.PositionToElement.DESTINATION_FIELD);
                }
                lu.good(task, 0);
            }
            case SmcCommand.PreventAllowMediumRemoval p -> {
                synchronized (preventing) {
                    if (p.prevent()) {
                        preventing.add(task.nexus());
                    } else {
                        preventing.remove(task.nexus());
                    }
                    changer.setImportExportLocked(!preventing.isEmpty());
                }
                lu.good(task, 0);
            }
        }
    }

    /**
     * READ ELEMENT STATUS: the elements of the selected type at or above the starting address, at most NUMBER OF
     * ELEMENTS of them. A starting address above every element of the selected type is INVALID ELEMENT ADDRESS (mtx
     * takes that as the end when it walks the library), unless the library has no element of that type at all.
     */
    private void readElementStatus(ScsiTask task, SmcCommand.ReadElementStatus r) {
        List<ElementStatus> all = changer.elementStatus();
        List<ElementStatus> ofType = r.type() == null ? all
                : all.stream().filter(e -> e.type() == r.type()).toList();
        if (!ofType.isEmpty() && r.startingAddress() > ofType.getLast().address()) {
            throw invalidElementAddress(2);
        }
        List<ElementStatus> selected = ofType.stream()
                .filter(e -> e.address() >= r.startingAddress())
                .limit(r.numberOfElements())
                .toList();
        int serialWidth = all.stream()
                .filter(e -> e.identification() != null)
                .mapToInt(e -> e.identification().serialNumber().length())
                .max().orElse(0);
        ElementStatusData data = ElementStatusData.encode(selected, r.volumeTags(), r.deviceIdentifiers(),
                serialWidth);
        byte[] bytes = data.truncated(r.allocationLength());
        task.dataIn(bytes.length).put(0, bytes);
        lu.good(task, bytes.length);
    }

    private void initializeElementStatus(ScsiTask task, SmcCommand.InitializeElementStatus i) {
        int first = 0;
        int count = ElementRange.MAX_ADDRESS + 1;
        if (i.range()) {
            if (changer.layout().typeOf(i.startingAddress()) == null) {
                throw invalidElementAddress(SmcCommand.InitializeElementStatus.STARTING_ADDRESS_FIELD);
            }
            first = i.startingAddress();
            count = i.numberOfElements();
        }
        int from = first;
        int n = count;
        Nexus requester = task.nexus();
        robot.execute(() -> {
            try {
                if (changer.initializeElementStatus(from, n)) {
                    lu.unitAttentions().establishForAllExcept(requester,
                            SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED);
                }
                lu.good(task, 0);
            } catch (RuntimeException e) {
                lu.fail(task, senseFor(e, -1, -1, -1));
            }
        });
    }

    /** Runs a movement on the robot executor and completes the task from there. */
    private void onRobot(ScsiTask task, Runnable movement, int sourceField, int destinationField,
                         int secondDestinationField) {
        robot.execute(() -> {
            try {
                movement.run();
                lu.good(task, 0);
            } catch (RuntimeException e) {
                lu.fail(task, senseFor(e, sourceField, destinationField, secondDestinationField));
            }
        });
    }

    /** MEDIUM TRANSPORT ADDRESS: zero (the default medium transport element) or the address of ours. */
    private void checkTransport(int transport, int field) {
        if (transport != 0 && !changer.layout().mediumTransport().contains(transport)) {
            throw invalidElementAddress(field);
        }
    }

    /** The one place where a library outcome becomes sense data. */
    static RuntimeException senseFor(RuntimeException failure, int sourceField, int destinationField,
                                     int secondDestinationField) {
        if (!(failure instanceof ElementException e)) {
            return failure;
        }
        int field = switch (e.role()) {
            case SOURCE -> sourceField;
            case DESTINATION -> destinationField;
            case SECOND_DESTINATION -> secondDestinationField;
            case ELEMENT -> -1;
        };
        SenseCode code = switch (e.reason()) {
            case INVALID_ELEMENT_ADDRESS -> SenseCode.INVALID_ELEMENT_ADDRESS;
            case SOURCE_EMPTY -> SenseCode.MEDIUM_SOURCE_ELEMENT_EMPTY;
            case DESTINATION_FULL -> SenseCode.MEDIUM_DESTINATION_ELEMENT_FULL;
            case MEDIUM_REMOVAL_PREVENTED -> SenseCode.MEDIUM_REMOVAL_PREVENTED;
            case ELEMENT_NOT_ACCESSIBLE -> SenseCode.MEDIUM_MAGAZINE_NOT_ACCESSIBLE;
            case LOAD_OR_UNLOAD_FAILED -> SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED;
            case INVENTORY_NOT_SAVED -> SenseCode.INTERNAL_TARGET_FAILURE;
        };
        Sense sense = Sense.of(code);
        if (code.key() == SenseKey.ILLEGAL_REQUEST && field >= 0) {
            sense = sense.withFieldPointer(Sense.FieldPointer.cdb(field, 7));
        }
        return new CheckCondition(sense);
    }

    private static CheckCondition invalidElementAddress(int field) {
        return new CheckCondition(Sense.of(SenseCode.INVALID_ELEMENT_ADDRESS)
                .withFieldPointer(Sense.FieldPointer.cdb(field, 7)));
    }

    private void changerEvent(ChangerEvent event) {
        LogicalUnit unit = lu;
        if (unit == null) {
            return;
        }
        SenseCode code = switch (event) {
            case IMPORT_EXPORT_ELEMENT_ACCESSED -> SenseCode.IMPORT_OR_EXPORT_ELEMENT_ACCESSED;
            case INVENTORY_CHANGED -> SenseCode.NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED;
        };
        unit.unitAttentions().establishForAllExcept(null, code);
    }

    /** Logical unit reset (SAM-5 6.3.3): every prevention of medium removal ends. */
    @Override
    public void reset() {
        synchronized (preventing) {
            preventing.clear();
            changer.setImportExportLocked(false);
        }
    }

    /** I_T nexus loss ends the prevention of medium removal that nexus held. */
    @Override
    public void nexusLost(Nexus nexus) {
        synchronized (preventing) {
            if (preventing.remove(nexus)) {
                changer.setImportExportLocked(!preventing.isEmpty());
            }
        }
    }

    @Override
    public void close() {
        changer.removeListener(events);
    }
}
