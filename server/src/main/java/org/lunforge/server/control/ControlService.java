package org.lunforge.server.control;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.lunforge.device.changer.ElementException;
import org.lunforge.device.changer.ElementRange;
import org.lunforge.device.changer.ElementStatus;
import org.lunforge.device.vtl.LibraryException;
import org.lunforge.device.vtl.MediaType;
import org.lunforge.device.vtl.OperatorPanel;
import org.lunforge.device.vtl.VirtualTapeLibrary;
import org.lunforge.iscsi.IscsiSessionInfo;
import org.lunforge.server.Daemon;
import org.lunforge.server.config.Cartridge;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigException;
import org.lunforge.server.config.ConfigFiles;
import org.lunforge.server.config.ConfigJson;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.TapeLibrary;

/**
 * What the control socket does: each {@link Request} answered by one {@link Response}, never by an exception. Every
 * change of the running configuration goes through {@link #apply(Config, long, String)}: the new configuration is
 * completed (state folder, identities), validated, then handed to {@link Daemon#apply}, which restores the previous
 * one if anything fails; the generation counts the changes that took effect. Changes are serialized on this object.
 */
public final class ControlService {
    private static final System.Logger LOG = System.getLogger(ControlService.class.getName());
    /** Where the kernel's target keeps its configuration, when the host has one. */
    static final Path KERNEL_TARGET = Path.of("/sys/kernel/config/target");
    public static final String VERSION = "lunforge 0.1.0";

    private final Daemon daemon;
    private final SavedConfigs saved;
    private final Instant started = Instant.now();
    private volatile Path socket;
    private long generation = 1;

    public ControlService(Daemon daemon, Path configFile) {
        this.daemon = daemon;
        this.saved = new SavedConfigs(configFile);
    }

    /** The socket this service answers on, for status reports. */
    void socket(Path path) {
        this.socket = path;
    }

    public Path configFile() {
        return saved.file();
    }

    public Response handle(Request request) {
        try {
            return switch (request.getKindCase()) {
                case GET_CONFIG -> Response.newBuilder().setConfig(state(request.getGetConfig().getKnownGeneration()))
                        .build();
                case APPLY_CONFIG -> apply(request.getApplyConfig().getConfig(),
                        request.getApplyConfig().getBaseGeneration(), "configuration");
                case SAVE_CONFIG -> save(request.getSaveConfig().getFile());
                case RESTORE_CONFIG -> restore(request.getRestoreConfig());
                case CLEAR_CONFIG -> clear(request.getClearConfig().getConfirm());
                case LIST_BACKUPS -> backups();
                case LIST_SESSIONS -> sessions(request.getListSessions().getTarget());
                case GET_INVENTORY -> inventory(request.getGetInventory().getLibrary());
                case LIBRARY_ACTION -> libraryAction(request.getLibraryAction());
                case GET_STATUS -> Response.newBuilder().setStatus(status()).build();
                case ARM_FAULT -> armFault(request.getArmFault());
                case DISARM_FAULT -> disarmFault(request.getDisarmFault());
                case LIST_FAULTS -> Response.newBuilder().setFaults(FaultMessages.faults(daemon.faults())).build();
                case SET_PORT_STATE -> portState(request.getSetPortState());
                case CLOSE_SESSION -> closeSession(request.getCloseSession().getTsih());
                case CHANGE_CONFIG -> change(request.getChangeConfig().getChangesList(),
                        request.getChangeConfig().getBaseGeneration(), "change");
                case KIND_NOT_SET -> error(Error.Kind.BAD_REQUEST, "the request names nothing to do");
            };
        } catch (IOException | RuntimeException e) {
            LOG.log(WARNING, "control request " + request.getKindCase() + " failed", e);
            return error(Error.Kind.FAILED, message(e));
        }
    }

    public synchronized ConfigState state() {
        return state(0);
    }

    /** The running configuration, or only its generation when that is {@code known} (the client's copy is current). */
    private synchronized ConfigState state(long known) {
        ConfigState.Builder b = ConfigState.newBuilder().setGeneration(generation)
                .setConfigFile(saved.file().toString());
        if (known != generation) {
            b.setConfig(daemon.running());
        }
        return b.build();
    }

    /**
     * Applies a change of a few objects ({@link ConfigChanges}): checked against the running configuration by the
     * whole configuration's rules, then reconciled object by object ({@link Daemon#applyChange}); refused, or failed
     * and rolled back, it changes nothing. The answer carries the generation and the changes as applied, never the
     * whole configuration.
     */
    public synchronized Response change(List<ObjectChange> changes, long baseGeneration, String source) {
        if (baseGeneration != 0 && baseGeneration != generation) {
            return error(Error.Kind.CONFLICT, "the configuration changed since it was read (generation "
                    + baseGeneration + ", now " + generation + "); read it again and redo the change");
        }
        if (changes.isEmpty()) {
            return error(Error.Kind.BAD_REQUEST, "a change names at least one object");
        }
        ConfigChanges.Applied applied;
        try {
            applied = ConfigChanges.apply(daemon.running(), changes, source);
        } catch (ConfigException e) {
            return invalid(e);
        }
        ConfigChanged.Builder answer = ConfigChanged.newBuilder().addAllApplied(applied.changes());
        if (applied.config().equals(daemon.running())) {
            return Response.newBuilder().setChanged(answer.setGeneration(generation).setUnchanged(true)).build();
        }
        try {
            daemon.applyChange(applied.config(), applied.changes());
        } catch (IOException | RuntimeException e) {
            return error(Error.Kind.FAILED, "not changed: " + message(e));
        }
        generation++;
        LOG.log(System.Logger.Level.DEBUG, () -> "configuration generation " + generation + ": "
                + applied.changes().size() + " object(s) changed (from " + source + ")");
        return Response.newBuilder().setChanged(answer.setGeneration(generation)).build();
    }

    /**
     * Makes {@code next} the running configuration, unless the configuration changed since {@code baseGeneration}
     * (0: whatever runs). {@code source} names where it came from in error messages.
     */
    public synchronized Response apply(Config next, long baseGeneration, String source) {
        if (baseGeneration != 0 && baseGeneration != generation) {
            return error(Error.Kind.CONFLICT, "the configuration changed since it was read (generation "
                    + baseGeneration + ", now " + generation + "); read it again and redo the change");
        }
        Config complete;
        try {
            complete = completed(next, source);
        } catch (ConfigException e) {
            return invalid(e);
        }
        if (complete.equals(daemon.running())) {
            return Response.newBuilder().setConfig(state()).build();
        }
        try {
            daemon.apply(complete);
        } catch (IOException | RuntimeException e) {
            return error(Error.Kind.FAILED, "not changed: " + message(e));
        }
        generation++;
        LOG.log(INFO, () -> "configuration generation " + generation + " applied (from " + source + ")");
        return Response.newBuilder().setConfig(state()).build();
    }

    /**
     * {@code next} with the running state folder and control socket where it names none, and its identities filled
     * in, validated. A configuration naming another state folder is refused: the daemon keeps its state in one place.
     */
    private Config completed(Config next, String source) throws ConfigException {
        Config running = daemon.running();
        Config.Builder b = next.toBuilder();
        if (b.getStateDir().isEmpty()) {
            b.setStateDir(running.getStateDir());
        } else if (!b.getStateDir().equals(running.getStateDir())) {
            throw new ConfigException(source, 0, "state_dir", "is " + b.getStateDir() + " but the daemon keeps its"
                    + " state in " + running.getStateDir() + "; another state folder needs a restart of lunforged");
        }
        if (b.getControlSocket().isEmpty()) {
            b.setControlSocket(running.getControlSocket());
        }
        Config complete = ConfigIdentities.assigned(b.build());
        ConfigValidator.validate(new ConfigJson.Parsed(complete, Map.of()), source);
        return complete;
    }

    private synchronized Response save(String file) throws IOException {
        SavedConfigs.Result r = saved.save(file.isEmpty() ? null : Path.of(file), ConfigJson.write(daemon.running()));
        LOG.log(INFO, () -> r.unchanged() ? "saveconfig: " + r.file() + " unchanged"
                : "saveconfig: wrote " + r.file() + (r.backup() == null ? "" : ", previous one in " + r.backup()));
        return Response.newBuilder().setSaved(Saved.newBuilder().setFile(r.file().toString())
                .setBackup(r.backup() == null ? "" : r.backup().toString()).setUnchanged(r.unchanged())).build();
    }

    /** Applies the configuration in a file (or a backup); a file with an error changes nothing. */
    public synchronized Response restore(RestoreConfig from) throws IOException {
        Path file;
        if (from.getFromCase() == RestoreConfig.FromCase.BACKUP) {
            file = saved.backup(from.getBackup());
            if (file == null) {
                return error(Error.Kind.NOT_FOUND, "no backup " + from.getBackup() + " in " + saved.backupFolder()
                        + " (see: restoreconfig backup=<TAB>, or the list from 'backups')");
            }
        } else {
            file = from.getFile().isEmpty() ? saved.file() : Path.of(from.getFile()).toAbsolutePath();
        }
        Config loaded;
        try {
            loaded = ConfigFiles.load(file, daemon.running().getStateDir());
        } catch (NoSuchFileException e) {
            return error(Error.Kind.NOT_FOUND, "no file " + file);
        } catch (ConfigException e) {
            return invalid(e);
        }
        return apply(loaded, 0, file.toString());
    }

    private synchronized Response clear(boolean confirm) {
        if (!confirm) {
            return error(Error.Kind.BAD_REQUEST, "clearconfig removes every target, LUN, backstore and library:"
                    + " say clearconfig confirm=true");
        }
        return apply(Config.getDefaultInstance(), 0, "clearconfig");
    }

    private Response backups() throws IOException {
        Backups.Builder b = Backups.newBuilder().setFolder(saved.backupFolder().toString());
        for (Path p : saved.backups()) {
            b.addBackups(Backup.newBuilder().setName(p.getFileName().toString()).setSize(Files.size(p))
                    .setModified(Files.getLastModifiedTime(p).toInstant().getEpochSecond()));
        }
        return Response.newBuilder().setBackups(b).build();
    }

    private Response sessions(String target) {
        Sessions.Builder b = Sessions.newBuilder();
        for (IscsiSessionInfo s : daemon.sessions()) {
            if (!target.isEmpty() && (s.targetName() == null
                    || !s.targetName().equalsIgnoreCase(target))) {
                continue;
            }
            b.addSessions(session(s));
        }
        return Response.newBuilder().setSessions(b).build();
    }

    /** One session as the control protocol shows it: who, where, how (keys, authentication) and what it sees. */
    static Session session(IscsiSessionInfo s) {
        Session.Builder b = Session.newBuilder().setInitiator(s.initiatorName())
                .setIsid("%012x".formatted(s.isid())).setTsih(s.tsih())
                .setTarget(s.targetName() == null ? "" : s.targetName())
                .setPortalGroupTag(s.portalGroupTag())
                .setRemoteAddress(s.remoteAddress() == null ? "" : address(s.remoteAddress()))
                .setPortal(s.localAddress() == null ? "" : address(s.localAddress()))
                .setAuthMethod(s.authMethod()).setMutualChap(s.mutualChap());
        for (IscsiSessionInfo.Connection c : s.connections()) {
            b.addConnections(Connection.newBuilder().setCid(c.cid())
                    .setLocalAddress(c.local() == null ? "" : address(c.local()))
                    .setPeerAddress(c.peer() == null ? "" : address(c.peer())));
        }
        var p = s.parameters();
        if (p != null) {
            b.setInitiatorAlias(p.initiatorAlias() == null ? "" : p.initiatorAlias());
            b.setNegotiated(NegotiatedKeys.newBuilder()
                    .setHeaderDigest(p.headerDigest() ? "CRC32C" : "None")
                    .setDataDigest(p.dataDigest() ? "CRC32C" : "None")
                    .setInitiatorMaxRecvDataSegmentLength(p.initiatorMaxRecvDataSegmentLength())
                    .setTargetMaxRecvDataSegmentLength(p.targetMaxRecvDataSegmentLength())
                    .setMaxBurstLength(p.maxBurstLength()).setFirstBurstLength(p.firstBurstLength())
                    .setImmediateData(p.immediateData()).setInitialR2T(p.initialR2t())
                    .setMaxOutstandingR2T(p.maxOutstandingR2t()).setDefaultTime2Wait(p.defaultTime2Wait())
                    .setDefaultTime2Retain(p.defaultTime2Retain()).setErrorRecoveryLevel(p.errorRecoveryLevel())
                    .setMaxConnections(1));
        }
        s.luns().forEach((lun, object) -> b.addLuns(SessionLun.newBuilder().setLun(lun).setObject(object)));
        return b.build();
    }

    private Response closeSession(int tsih) {
        if (!daemon.closeSession(tsih)) {
            return error(Error.Kind.NOT_FOUND, "no session with TSIH " + tsih + " (see: sessions)");
        }
        LOG.log(INFO, () -> "session TSIH " + tsih + " closed by the operator");
        return Response.newBuilder().setActionDone(ActionDone.newBuilder().addLines("session TSIH " + tsih
                + " asked to log out; its connection drops if it has not logged out within the logout timeout"))
                .build();
    }

    private Response armFault(ArmFault arm) {
        org.lunforge.scsi.fault.Fault fault;
        try {
            fault = FaultMessages.fault(arm.getFault());
        } catch (IllegalArgumentException e) {
            return error(Error.Kind.BAD_REQUEST, e.getMessage());
        }
        try {
            int id = daemon.faults().arm(arm.getObject(), fault);
            return Response.newBuilder().setActionDone(ActionDone.newBuilder().addLines(arm.getObject() + ": fault "
                    + id + " armed: " + fault)).build();
        } catch (IllegalArgumentException e) {
            return error(Error.Kind.NOT_FOUND, e.getMessage());
        } catch (IllegalStateException e) {
            return error(Error.Kind.FAILED, e.getMessage());
        }
    }

    private Response disarmFault(DisarmFault disarm) {
        String object = disarm.getObject().isEmpty() ? null : disarm.getObject();
        try {
            if (disarm.getAll()) {
                int n = daemon.faults().disarmAll(object);
                return Response.newBuilder().setActionDone(ActionDone.newBuilder().addLines(n + " fault(s) disarmed"
                        + (object == null ? "" : " on " + object))).build();
            }
            if (object == null || disarm.getId() == 0) {
                return error(Error.Kind.BAD_REQUEST, "disarm names an object and a fault id, or all");
            }
            if (!daemon.faults().disarm(object, disarm.getId())) {
                return error(Error.Kind.NOT_FOUND, object + " has no fault " + disarm.getId());
            }
            return Response.newBuilder().setActionDone(ActionDone.newBuilder().addLines(object + ": fault "
                    + disarm.getId() + " disarmed")).build();
        } catch (IllegalArgumentException e) {
            return error(Error.Kind.NOT_FOUND, e.getMessage());
        }
    }

    private Response portState(SetPortState state) {
        try {
            daemon.faults().portDown(state.getTarget(), state.getTag(), state.getDown());
        } catch (IllegalArgumentException e) {
            return error(Error.Kind.NOT_FOUND, e.getMessage());
        } catch (IOException e) {
            return error(Error.Kind.FAILED, state.getTarget() + " tpg " + state.getTag() + ": " + e.getMessage());
        }
        return Response.newBuilder().setActionDone(ActionDone.newBuilder().addLines(state.getTarget() + " tpg "
                + state.getTag() + (state.getDown() ? " is down: it takes no login, its sessions dropped"
                : " is up"))).build();
    }

    private static String address(java.net.InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private Response inventory(String name) {
        VirtualTapeLibrary library = daemon.library(name);
        if (library == null) {
            return noLibrary(name);
        }
        return Response.newBuilder().setInventory(inventoryOf(name, library)).build();
    }

    private Inventory inventoryOf(String name, VirtualTapeLibrary library) {
        OperatorPanel panel = new OperatorPanel(library);
        OperatorPanel.Status status = panel.status();
        Inventory.Builder b = Inventory.newBuilder().setLibrary(name)
                .setImportExportLocked(status.importExportLocked()).setOffline(!status.online())
                .setMailSlotOpen(status.mailSlotOpen()).setCleaningSlot(library.cleaningSlot())
                .setAutoCleanings(library.autoCleanings());
        List<org.lunforge.device.vtl.LibraryConfig.DriveConfig> drives = library.config().drives();
        for (ElementStatus e : library.elementStatus()) {
            ElementRange range = library.layout().range(e.type());
            int number = e.address() - range.first() + 1;
            Element.Builder el = Element.newBuilder().setAddress(e.address()).setNumber(number)
                    .setBarcode(e.volumeTag() == null ? "" : e.volumeTag())
                    .setSourceAddress(Math.max(0, e.sourceAddress()));
            switch (e.type()) {
                case MEDIUM_TRANSPORT -> el.setType(Element.Type.TRANSPORT);
                case STORAGE -> el.setType(Element.Type.STORAGE);
                case IMPORT_EXPORT -> el.setType(Element.Type.IMPORT_EXPORT);
                case DATA_TRANSFER -> {
                    String drive = drives.get(number - 1).name();
                    el.setType(Element.Type.DRIVE).setDrive(drive);
                    try {
                        OperatorPanel.DriveStatus d = panel.driveStatus(drive);
                        el.setTapeAlerts(d.tapeAlerts()).setMediumErrorInjected(d.mediumErrorInjected())
                                .setCleaningRequired(d.cleaningRequired()).setCleanings(d.cleanings());
                    } catch (LibraryException notTape) {
                        LOG.log(WARNING, name + ": " + notTape.getMessage());
                    }
                }
            }
            if (e.volumeTag() != null) {
                try {
                    el.setCapacity(library.capacity(e.volumeTag()));
                } catch (LibraryException unreadable) {
                    LOG.log(WARNING, name + ": " + unreadable.getMessage());
                }
            }
            b.addElements(el);
        }
        try {
            for (var c : library.shelf()) {
                b.addShelf(ShelfCartridge.newBuilder().setBarcode(c.barcode()).setMediaType(c.mediaType().name())
                        .setCapacity(library.capacity(c.barcode())));
            }
        } catch (LibraryException e) {
            LOG.log(WARNING, name + ": " + e.getMessage());
        }
        return b.build();
    }

    private Response libraryAction(LibraryAction action) {
        VirtualTapeLibrary library = daemon.library(action.getLibrary());
        if (library == null) {
            return noLibrary(action.getLibrary());
        }
        List<String> lines = new ArrayList<>();
        try {
            switch (action.getActionCase()) {
                case CREATE -> {
                    return create(action.getLibrary(), library, action.getCreate());
                }
                case IMPORT_CARTRIDGE -> {
                    ImportCartridge ic = action.getImportCartridge();
                    int element;
                    if (ic.getImportExportSlot() == 0) {
                        element = library.importCartridge(ic.getBarcode());
                    } else {
                        element = importExportAddress(library, ic.getImportExportSlot());
                        library.importCartridge(ic.getBarcode(), element);
                    }
                    lines.add(ic.getBarcode() + " is in import/export slot "
                            + (element - library.layout().importExport().first() + 1));
                }
                case EXPORT_CARTRIDGE -> {
                    ExportCartridge ec = action.getExportCartridge();
                    var taken = ec.getWhichCase() == ExportCartridge.WhichCase.BARCODE
                            ? library.exportCartridge(ec.getBarcode())
                            : library.exportCartridge(importExportAddress(library, ec.getImportExportSlot()));
                    lines.add(taken.barcode() + " is on the shelf");
                }
                case REINVENTORY -> lines.add(library.reinitialize() ? "inventory changed: initiators are told"
                        : "inventory unchanged");
                case OPERATOR_CONTROL -> {
                    return operatorControl(action.getLibrary(), new OperatorPanel(library),
                            action.getOperatorControl());
                }
                case ACTION_NOT_SET -> {
                    return error(Error.Kind.BAD_REQUEST, "no library action named");
                }
            }
        } catch (LibraryException | ElementException e) {
            return error(Error.Kind.FAILED, action.getLibrary() + ": " + e.getMessage());
        }
        return Response.newBuilder().setActionDone(ActionDone.newBuilder().addAllLines(lines)).build();
    }

    /** The operator panel's controls: one implementation, {@link OperatorPanel}, for the shell and this socket. */
    private static Response operatorControl(String name, OperatorPanel panel, OperatorControl control)
            throws LibraryException {
        boolean onDrive = control.getControl() == OperatorControl.Control.INJECT_TAPE_ALERT
                || control.getControl() == OperatorControl.Control.INJECT_MEDIUM_ERROR;
        if (onDrive && control.getDrive().isEmpty()) {
            return error(Error.Kind.BAD_REQUEST, "name the drive to inject into");
        }
        String line = switch (control.getControl()) {
            case OPEN_MAIL_SLOT -> {
                panel.openMailSlot();
                yield name + ": the mail slot is open; the robot cannot reach the import/export slots";
            }
            case CLOSE_MAIL_SLOT -> {
                panel.closeMailSlot();
                yield name + ": the mail slot is closed; initiators are told IMPORT OR EXPORT ELEMENT ACCESSED";
            }
            case OFFLINE -> panel.setOnline(false) ? name + " is offline: its changer answers NOT READY"
                    : name + " was offline already";
            case ONLINE -> panel.setOnline(true) ? name + " is online: initiators are told NOT READY TO READY CHANGE"
                    : name + " was online already";
            case INJECT_TAPE_ALERT -> {
                int flag = panel.injectTapeAlert(control.getDrive(), control.getTapeAlert());
                yield control.getDrive() + ": TapeAlert flag " + flag + " set; the next LOG SENSE of page 2Eh reads"
                        + " and clears it";
            }
            case INJECT_MEDIUM_ERROR -> {
                panel.injectMediumError(control.getDrive());
                yield control.getDrive() + ": its next READ or WRITE fails with MEDIUM ERROR";
            }
            case CONTROL_UNSPECIFIED, UNRECOGNIZED -> null;
        };
        if (line == null) {
            return error(Error.Kind.BAD_REQUEST, "no operator control named");
        }
        return Response.newBuilder().setActionDone(ActionDone.newBuilder().addLines(line)).build();
    }

    private static int importExportAddress(VirtualTapeLibrary library, int slot) throws LibraryException {
        ElementRange ie = library.layout().importExport();
        if (slot < 1 || slot > ie.count()) {
            throw new LibraryException("no import/export slot " + slot + " (the library has " + ie.count() + ")");
        }
        return ie.address(slot - 1);
    }

    /**
     * New cartridges in the pool; with into_slots, each entered through the library's operator panel into a free
     * storage slot not promised to a configured cartridge, and recorded in the configuration.
     */
    private synchronized Response create(String name, VirtualTapeLibrary library, CreateCartridges create)
            throws LibraryException {
        if (create.getBarcodesCount() == 0) {
            return error(Error.Kind.BAD_REQUEST, "no barcodes to create");
        }
        OperatorPanel panel = new OperatorPanel(library);
        List<String> barcodes = create.getBarcodesList();
        long capacity = create.getCapacity();
        if (!create.getIntoSlots()) {
            try {
                panel.checkNew(barcodes, capacity);
            } catch (LibraryException e) {
                return error(Error.Kind.INVALID, e.getMessage());
            }
            panel.createOnShelf(barcodes, capacity);
            return Response.newBuilder().setActionDone(ActionDone.newBuilder().addLines(barcodes.size()
                    + " cartridge(s) created on the shelf: import them with 'import <barcode>'")).build();
        }
        Config running = daemon.running();
        TapeLibrary config = running.getLibrariesList().stream().filter(l -> l.getName().equals(name)).findFirst()
                .orElseThrow();
        Set<Integer> promised = new HashSet<>();
        config.getCartridgesList().forEach(c -> promised.add(c.getSlot()));
        OperatorPanel.Plan plan;
        try {
            plan = panel.planEntry(barcodes, promised, capacity);
        } catch (LibraryException e) {
            return error(Error.Kind.INVALID, e.getMessage());
        }
        TapeLibrary.Builder edited = config.toBuilder();
        for (OperatorPanel.Entry e : plan.entries()) {
            edited.addCartridges(Cartridge.newBuilder().setBarcode(e.barcode()).setSlot(e.slotNumber())
                    .setCapacity(capacity));
        }
        Config.Builder next = running.toBuilder();
        next.setLibraries(running.getLibrariesList().indexOf(config), edited);
        try {
            completed(next.build(), "configuration");
        } catch (ConfigException e) {
            return invalid(e);
        }
        panel.enter(plan);
        List<String> lines = new ArrayList<>();
        plan.entries().forEach(e -> lines.add(e.barcode() + " is in slot " + e.slotNumber()));
        Response applied = apply(next.build(), 0, "configuration");
        if (applied.hasError()) {
            return applied;
        }
        return Response.newBuilder().setActionDone(ActionDone.newBuilder().addAllLines(lines)).build();
    }

    /** The media type a barcode names: LTO data (L5..L9, M8), WORM (LV..LZ) or cleaning (CLN...); null if none. */
    static MediaType mediaType(String barcode) {
        return MediaType.fromBarcode(barcode);
    }

    private Status status() {
        Status.Builder b = Status.newBuilder().setVersion(VERSION).setPid(ProcessHandle.current().pid())
                .setConfigFile(saved.file().toString()).setStateDir(daemon.stateDir().toString())
                .setControlSocket(socket == null ? "" : socket.toString())
                .setKernelTargetPresent(Files.isDirectory(KERNEL_TARGET))
                .setUptimeSeconds(Duration.between(started, Instant.now()).toSeconds());
        synchronized (this) {
            b.setGeneration(generation);
        }
        daemon.listening().stream().map(ControlService::address).sorted().forEach(b::addListening);
        return b.build();
    }

    private Response noLibrary(String name) {
        List<String> names = daemon.running().getLibrariesList().stream().map(TapeLibrary::getName).toList();
        return error(Error.Kind.NOT_FOUND, "no library " + name + (names.isEmpty() ? " (there are none)"
                : " (libraries: " + String.join(", ", names) + ")"));
    }

    static Response invalid(ConfigException e) {
        return Response.newBuilder().setError(Error.newBuilder().setKind(Error.Kind.INVALID)
                .setMessage(e.getMessage()).setSource(e.source()).setLine(Math.max(0, e.line()))
                .setPath(e.path())).build();
    }

    static Response error(Error.Kind kind, String message) {
        return Response.newBuilder().setError(Error.newBuilder().setKind(kind).setMessage(message)).build();
    }

    /** The message of a failure and of what was suppressed in it (a rollback that failed too). */
    static String message(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
        for (Throwable s : e.getSuppressed()) {
            sb.append("; and then: ").append(s.getMessage() == null ? s.toString() : s.getMessage());
        }
        return sb.toString().toLowerCase(Locale.ROOT).equals("null") ? e.getClass().getSimpleName() : sb.toString();
    }
}
