package org.lunforge.device.vtl;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.lunforge.device.changer.ChangerEvent;
import org.lunforge.device.changer.ElementException;
import org.lunforge.device.changer.ElementException.Reason;
import org.lunforge.device.changer.ElementException.Role;
import org.lunforge.device.changer.ElementLayout;
import org.lunforge.device.changer.ElementStatus;
import org.lunforge.device.changer.ElementType;
import org.lunforge.device.changer.MediumChanger;
import org.lunforge.device.changer.MediumChangerDevice;
import org.lunforge.backstore.tape.VolumeTag;
import org.lunforge.device.vtl.Inventory.Occupant;
import org.lunforge.scsi.SenseCode;

/**
 * A virtual tape library: a medium changer, its drives and a pool of barcoded cartridges, with an inventory that
 * survives restarts and crashes.
 *
 * <p>The library is the authority on where cartridges are. Every movement is done in this order, under one lock: check
 * (addresses, full/empty, removal prevention), take cartridges out of drives, put cartridges into drives, save the new
 * inventory, publish it. A failure at any step undoes the drive steps already done and leaves the inventory as it was,
 * so a command that did not return GOOD moved nothing. A crash between a drive step and the save leaves the drive and
 * the inventory disagreeing; {@link #open} (and INITIALIZE ELEMENT STATUS) reconciles them in favour of the saved
 * inventory, which is what the initiator was told (see reconcile).
 *
 * <p>Operator operations (the daemon's shell) are {@link #createCartridge}, {@link #createCartridges},
 * {@link #importCartridge}, {@link #exportCartridge}, {@link #reinitialize}, {@link #elementStatus} and {@link #shelf}.
 * Cartridges in the pool but not in the library are "on the shelf": the operator imports them through an import/export
 * element and exports them back to the shelf.
 */
public final class VirtualTapeLibrary implements MediumChanger {
    private static final System.Logger LOG = System.getLogger(VirtualTapeLibrary.class.getName());

    private final LibraryConfig config;
    private final ElementLayout layout;
    private final List<DataTransferDevice> drives;
    private final CartridgePool pool;
    private final InventoryFile file;
    private final LongAdder moves = new LongAdder();
    private final List<Consumer<ChangerEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    /** What the inventory file holds. Guarded by {@code lock}. */
    private Inventory inventory = Inventory.EMPTY;
    /** Drive elements whose last load or unload failed, reported with EXCEPT and this code. Guarded by {@code lock}. */
    private final Map<Integer, SenseCode> driveFaults = new HashMap<>();
    private volatile boolean importExportLocked;
    /** The operator took the library offline: the changer reports NOT READY. */
    private volatile boolean offline;
    /** The operator opened the import/export (mail) slot door: the medium transport cannot reach those elements. */
    private volatile boolean mailSlotOpen;
    /** The storage slot (from 1) of the library's own cleaning cartridge, 0: the library does not clean drives. */
    private volatile int cleaningSlot;
    private volatile int autoCleanings;
    private MediumChangerDevice changerDevice;

    private VirtualTapeLibrary(LibraryConfig config, List<DataTransferDevice> drives, CartridgePool pool,
                               InventoryFile file) {
        this.config = config;
        this.layout = config.layout();
        this.drives = List.copyOf(drives);
        this.pool = pool;
        this.file = file;
        if (this.drives.size() != config.drives().size()) {
            throw new IllegalArgumentException(config.name() + ": " + config.drives().size() + " drives configured, "
                    + drives.size() + " given");
        }
    }

    /**
     * Opens the library: restores the saved inventory (or, on the first start, places the configured cartridges,
     * creating those the pool lacks), reconciles it with what the drives hold and saves it.
     *
     * @param drives the drives of {@code config.drives()}, in the same order
     * @throws IOException if the inventory cannot be read or saved, or is damaged
     */
    public static VirtualTapeLibrary open(LibraryConfig config, List<DataTransferDevice> drives, CartridgePool pool)
            throws IOException {
        return open(config, drives, pool, new InventoryFile(config.stateFolder()));
    }

    static VirtualTapeLibrary open(LibraryConfig config, List<DataTransferDevice> drives, CartridgePool pool,
                                   InventoryFile file) throws IOException {
        VirtualTapeLibrary library = new VirtualTapeLibrary(config, drives, pool, file);
        library.restore();
        return library;
    }

    private void restore() throws IOException {
        byte[] saved = file.load();
        Inventory restored;
        if (saved == null) {
            restored = firstInventory();
            int count = restored.elements().size();
            LOG.log(INFO, () -> config.name() + ": first start, " + count + " cartridges placed");
        } else {
            try {
                restored = fitToLayout(Inventory.decode(saved));
            } catch (IOException e) {
                throw new IOException(config.name() + ": " + file.path() + ": " + e.getMessage(), e);
            }
        }
        synchronized (lock) {
            Inventory reconciled = reconcile(restored, allAddresses());
            file.save(reconciled.encode());
            inventory = reconciled;
        }
    }

    /** The configured cartridges in their slots, created in the pool if it lacks them. */
    private Inventory firstInventory() throws IOException {
        Inventory first = Inventory.EMPTY;
        for (LibraryConfig.CartridgePlacement p : config.cartridges()) {
            Volume cartridge = pool.find(p.barcode());
            if (cartridge == null) {
                cartridge = pool.create(p.barcode(), p.cartridge().mediaType(), p.capacity());
            }
            first = first.with(layout.storage().address(p.slot() - 1), new Occupant(cartridge, -1, false));
        }
        return first;
    }

    /** Drops cartridges in elements the layout no longer has (the configuration shrank): they go back to the shelf. */
    private Inventory fitToLayout(Inventory saved) {
        Inventory fitted = saved;
        for (Map.Entry<Integer, Occupant> e : saved.elements().entrySet()) {
            ElementType type = layout.typeOf(e.getKey());
            if (type == null || type == ElementType.MEDIUM_TRANSPORT) {
                LOG.log(WARNING, () -> "%s: no element 0x%04x any more; cartridge %s is back on the shelf"
                        .formatted(config.name(), e.getKey(), e.getValue().cartridge().barcode()));
                fitted = fitted.without(e.getKey());
            }
        }
        return fitted;
    }

    /**
     * Makes the selected drives agree with the inventory, and the inventory with the drives where only the drive can
     * know. For each selected drive element, comparing what the inventory records with what the drive reports:
     * <ul>
     * <li>the same (both empty, or the same cartridge): nothing to do;</li>
     * <li>the drive reports a cartridge the inventory places in another element: the drive's claim is stale (a
     *     movement out of it that did not complete), so the drive is unloaded;</li>
     * <li>the drive reports a cartridge the inventory does not have anywhere: it is in the drive (source unknown), and
     *     a cartridge the inventory recorded there goes back to its source element or the first empty storage element
     *     (or, if none is empty, to the shelf);</li>
     * <li>the inventory records a cartridge and the drive is empty (after a restart a drive forgets): the drive is
     *     loaded with it again.</li>
     * </ul>
     * A drive that fails to load or unload is reported with EXCEPT and MEDIUM LOAD OR EJECT FAILED until a later load
     * or unload of it succeeds. Returns the reconciled inventory, not yet saved.
     */
    private Inventory reconcile(Inventory recorded, Set<Integer> selected) {
        Inventory inv = recorded;
        for (int i = 0; i < drives.size(); i++) {
            int address = layout.dataTransfer().address(i);
            if (!selected.contains(address)) {
                continue;
            }
            DataTransferDevice drive = drives.get(i);
            Occupant there = inv.at(address);
            String reported = drive.loadedBarcode();
            if (Objects.equals(reported, there == null ? null : there.cartridge().barcode())) {
                continue;
            }
            if (reported != null) {
                Integer elsewhere = inv.addressOf(reported);
                if (elsewhere != null) {
                    LOG.log(WARNING, "{0}: drive 0x{1} holds {2}, which the inventory places at 0x{3}: unloading it",
                            config.name(), Integer.toHexString(address), reported, Integer.toHexString(elsewhere));
                    if (!unloadQuietly(drive, address)) {
                        continue;
                    }
                } else {
                    Volume found = known(reported);
                    if (found == null) {
                        LOG.log(WARNING, "{0}: drive 0x{1} holds {2}, which is neither in the pool nor a barcode of a"
                                + " known media type; left as it is", config.name(), Integer.toHexString(address),
                                reported);
                        continue;
                    }
                    if (there != null) {
                        inv = rehome(inv.without(address), there);
                    }
                    inv = inv.with(address, new Occupant(found, -1, false));
                    continue;
                }
            }
            if (there != null) {
                try {
                    drive.load(there.cartridge());
                    driveFaults.remove(address);
                } catch (IOException e) {
                    LOG.log(WARNING, config.name() + ": reloading " + there.cartridge().barcode() + " into drive 0x"
                            + Integer.toHexString(address) + " failed", e);
                    driveFaults.put(address, SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
                }
            }
        }
        return inv;
    }

    private Volume known(String barcode) {
        try {
            Volume c = pool.find(barcode);
            if (c != null) {
                return c;
            }
        } catch (IOException e) {
            LOG.log(WARNING, config.name() + ": looking up " + barcode + " in the pool failed", e);
        }
        MediaType type = MediaType.fromBarcode(barcode);
        return type == null ? null : new Volume(barcode, type);
    }

    /** Puts a displaced cartridge back into its source element if empty, else the first empty storage element. */
    private Inventory rehome(Inventory inv, Occupant displaced) {
        int target = -1;
        ElementType sourceType = displaced.sourceAddress() < 0 ? null : layout.typeOf(displaced.sourceAddress());
        if ((sourceType == ElementType.STORAGE || sourceType == ElementType.IMPORT_EXPORT)
                && inv.at(displaced.sourceAddress()) == null) {
            target = displaced.sourceAddress();
        } else {
            for (int i = 0; i < layout.storage().count() && target < 0; i++) {
                if (inv.at(layout.storage().address(i)) == null) {
                    target = layout.storage().address(i);
                }
            }
        }
        if (target < 0) {
            LOG.log(WARNING, "{0}: no empty slot for {1}; it is back on the shelf", config.name(),
                    displaced.cartridge().barcode());
            return inv;
        }
        int to = target;
        LOG.log(WARNING, () -> "%s: %s moved to element 0x%04x".formatted(config.name(),
                displaced.cartridge().barcode(), to));
        return inv.with(target, new Occupant(displaced.cartridge(), displaced.sourceAddress(), false));
    }

    private boolean unloadQuietly(DataTransferDevice drive, int address) {
        try {
            drive.unload();
            driveFaults.remove(address);
            return true;
        } catch (IOException e) {
            LOG.log(WARNING, config.name() + ": unloading drive 0x" + Integer.toHexString(address) + " failed", e);
            driveFaults.put(address, SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
            return false;
        }
    }

    private Set<Integer> allAddresses() {
        return selection(0, Integer.MAX_VALUE);
    }

    /** The first {@code count} element addresses at or above {@code first}. */
    private Set<Integer> selection(int first, int count) {
        Set<Integer> selected = new HashSet<>();
        for (int address : layout.addresses()) {
            if (selected.size() >= count) {
                break;
            }
            if (address >= first) {
                selected.add(address);
            }
        }
        return selected;
    }

    // ---- MediumChanger: what the SMC device server drives ----

    @Override
    public ElementLayout layout() {
        return layout;
    }

    @Override
    public List<ElementStatus> elementStatus() {
        synchronized (lock) {
            List<ElementStatus> out = new ArrayList<>();
            for (int address : layout.addresses()) {
                ElementType type = layout.typeOf(address);
                Occupant o = inventory.at(address);
                String tag = o == null ? null : o.cartridge().barcode();
                int source = o == null ? -1 : o.sourceAddress();
                boolean cleaning = o != null && o.cartridge().mediaType().cleaning();
                out.add(switch (type) {
                    case MEDIUM_TRANSPORT -> ElementStatus.empty(address, type);
                    case STORAGE, IMPORT_EXPORT -> new ElementStatus(address, type, tag, source,
                            type == ElementType.STORAGE || !mailSlotOpen, null,
                            o != null && o.placedByOperator(), cleaning, null, -1);
                    case DATA_TRANSFER -> {
                        int index = address - layout.dataTransfer().first();
                        DataTransferDevice drive = drives.get(index);
                        boolean locked = o != null && drive.isMediumRemovalPrevented();
                        yield new ElementStatus(address, type, tag, source, !locked, driveFaults.get(address), false,
                                cleaning, drive.identification(), config.drives().get(index).lun());
                    }
                });
            }
            return out;
        }
    }

    /**
     * Cartridges moved by MOVE MEDIUM and EXCHANGE MEDIUM (SMC-3 6.6, 6.2) since the library was opened: an exchange
     * is two movements. For metrics.
     */
    public long moves() {
        return moves.sum();
    }

    @Override
    public void move(int source, int destination) {
        synchronized (lock) {
            ElementType from = element(source, Role.SOURCE);
            ElementType to = element(destination, Role.DESTINATION);
            Occupant moving = inventory.at(source);
            if (moving == null) {
                throw new ElementException(Reason.SOURCE_EMPTY, Role.SOURCE, "element %s is empty".formatted(
                        hex(source)));
            }
            if (source == destination) {
                return;
            }
            if (inventory.at(destination) != null) {
                throw new ElementException(Reason.DESTINATION_FULL, Role.DESTINATION, "element %s is full"
                        .formatted(hex(destination)));
            }
            checkRemoval(from, source, Role.SOURCE);
            checkEntry(to, destination, Role.DESTINATION);
            Inventory next = inventory.without(source).with(destination, arriving(moving, from, source));
            Movement m = new Movement();
            m.takeOut(source, from, moving, Role.SOURCE);
            m.putIn(destination, to, moving.cartridge(), Role.DESTINATION);
            m.commit(next);
            moves.increment();
            if (from == ElementType.DATA_TRANSFER) {
                cleanIfAsked(source);
            }
        }
    }

    /**
     * The library's cleaning slot: a storage slot whose cleaning cartridge the library itself puts into a drive that
     * asks to be cleaned, as soon as that drive is emptied, and takes back (auto-clean, as real libraries do it). The
     * slot stays a storage element that initiators see. 0 turns auto-clean off.
     */
    public void setCleaningSlot(int slotNumber) {
        if (slotNumber < 0 || slotNumber > layout.storage().count()) {
            throw new IllegalArgumentException(config.name() + ": cleaning slot " + slotNumber + " of "
                    + layout.storage().count());
        }
        cleaningSlot = slotNumber;
    }

    public int cleaningSlot() {
        return cleaningSlot;
    }

    /** Cleanings the library made on its own (auto-clean) since it started. */
    public int autoCleanings() {
        return autoCleanings;
    }

    /** Called with the lock held, after a cartridge left the drive at {@code address}. */
    private void cleanIfAsked(int address) {
        int slot = cleaningSlot;
        DataTransferDevice drive = drive(address);
        if (slot == 0 || !drive.cleaningRequired() || drive.isLoaded()) {
            return;
        }
        Occupant cleaner = inventory.at(layout.storage().address(slot - 1));
        if (cleaner == null || !cleaner.cartridge().mediaType().cleaning()) {
            LOG.log(WARNING, "{0}: drive {1} asks to be cleaned; the cleaning slot {2} holds no cleaning cartridge",
                    config.name(), hex(address), slot);
            return;
        }
        try {
            drive.load(cleaner.cartridge());
            drive.unload();
            autoCleanings++;
            LOG.log(INFO, "{0}: drive {1} cleaned with {2}", config.name(), hex(address),
                    cleaner.cartridge().barcode());
        } catch (IOException e) {
            LOG.log(WARNING, config.name() + ": auto-clean of drive " + hex(address) + " failed", e);
            try {
                drive.unload();
            } catch (IOException stuck) {
                driveFaults.put(address, SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
            }
        }
    }

    @Override
    public void exchange(int source, int firstDestination, int secondDestination) {
        synchronized (lock) {
            ElementType sourceType = element(source, Role.SOURCE);
            ElementType firstType = element(firstDestination, Role.DESTINATION);
            ElementType secondType = element(secondDestination, Role.SECOND_DESTINATION);
            Occupant first = inventory.at(source);
            if (first == null) {
                throw new ElementException(Reason.SOURCE_EMPTY, Role.SOURCE, "element %s is empty".formatted(
                        hex(source)));
            }
            if (firstDestination == source) {
                throw new ElementException(Reason.INVALID_ELEMENT_ADDRESS, Role.DESTINATION,
                        "the first destination of an exchange must differ from its source");
            }
            // The first destination's cartridge is the source of the exchange's second movement.
            Occupant second = inventory.at(firstDestination);
            if (second == null) {
                throw new ElementException(Reason.SOURCE_EMPTY, Role.DESTINATION, "element %s is empty".formatted(
                        hex(firstDestination)));
            }
            if (secondDestination != source && inventory.at(secondDestination) != null) {
                throw new ElementException(Reason.DESTINATION_FULL, Role.SECOND_DESTINATION, "element %s is full"
                        .formatted(hex(secondDestination)));
            }
            checkRemoval(sourceType, source, Role.SOURCE);
            checkRemoval(firstType, firstDestination, Role.DESTINATION);
            checkEntry(firstType, firstDestination, Role.DESTINATION);
            checkEntry(secondType, secondDestination, Role.SECOND_DESTINATION);
            Inventory next = inventory.without(source).without(firstDestination)
                    .with(firstDestination, arriving(first, sourceType, source))
                    .with(secondDestination, arriving(second, firstType, firstDestination));
            Movement m = new Movement();
            m.takeOut(source, sourceType, first, Role.SOURCE);
            m.takeOut(firstDestination, firstType, second, Role.DESTINATION);
            m.putIn(firstDestination, firstType, first.cartridge(), Role.DESTINATION);
            m.putIn(secondDestination, secondType, second.cartridge(), Role.SECOND_DESTINATION);
            m.commit(next);
            moves.add(2);
        }
    }

    @Override
    public boolean initializeElementStatus(int first, int count) {
        synchronized (lock) {
            Inventory next = reconcile(inventory, selection(first, count));
            if (next.equals(inventory)) {
                return false;
            }
            try {
                file.save(next.encode());
            } catch (IOException e) {
                throw new ElementException(Reason.INVENTORY_NOT_SAVED, Role.ELEMENT, "saving the inventory failed",
                        e);
            }
            inventory = next;
            return true;
        }
    }

    @Override
    public void setImportExportLocked(boolean locked) {
        importExportLocked = locked;
    }

    /** True while an initiator prevents medium removal: the import/export elements are locked. */
    public boolean importExportLocked() {
        return importExportLocked;
    }

    @Override
    public boolean online() {
        return !offline;
    }

    /**
     * The operator takes the library offline (its changer reports NOT READY, LOGICAL UNIT NOT READY, OFFLINE) or
     * brings it back online; coming back, every I_T nexus gets NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED, as
     * the operator may have changed cartridges meanwhile. Returns false if it was in that state already.
     */
    public boolean setOnline(boolean online) {
        synchronized (lock) {
            if (online == !offline) {
                return false;
            }
            offline = !online;
        }
        if (online) {
            announce(ChangerEvent.INVENTORY_CHANGED);
        }
        LOG.log(INFO, () -> config.name() + ": " + (online ? "online" : "offline"));
        return true;
    }

    /**
     * The operator opens the import/export (mail) slot door: the medium transport cannot reach those elements
     * (READ ELEMENT STATUS: ACCESS 0; MOVE MEDIUM: NOT READY, MEDIUM MAGAZINE NOT ACCESSIBLE) until it is closed.
     * Refused while an initiator prevents medium removal, as a real library keeps the door locked.
     */
    public void openMailSlot() throws LibraryException {
        synchronized (lock) {
            if (importExportLocked) {
                throw new LibraryException("the mail slot is locked: an initiator prevents medium removal");
            }
            mailSlotOpen = true;
        }
    }

    /** The operator closes the mail slot door: every I_T nexus gets IMPORT OR EXPORT ELEMENT ACCESSED. */
    public void closeMailSlot() {
        synchronized (lock) {
            mailSlotOpen = false;
        }
        announce(ChangerEvent.IMPORT_EXPORT_ELEMENT_ACCESSED);
    }

    public boolean mailSlotOpen() {
        return mailSlotOpen;
    }

    /** The capacity of a cartridge in bytes, or 0 if the pool does not say. */
    public long capacity(String barcode) throws LibraryException {
        try {
            return pool.capacity(barcode);
        } catch (IOException e) {
            throw new LibraryException(barcode + ": " + e.getMessage(), e);
        }
    }

    /** The drive with this name in the configuration; LibraryException if none. */
    public DataTransferDevice drive(String name) throws LibraryException {
        for (int i = 0; i < config.drives().size(); i++) {
            if (config.drives().get(i).name().equals(name)) {
                return drives.get(i);
            }
        }
        throw new LibraryException(config.name() + " has no drive " + name);
    }

    @Override
    public void addListener(Consumer<ChangerEvent> listener) {
        if (!listeners.contains(listener)) {
            listeners.add(listener);
        }
    }

    @Override
    public void removeListener(Consumer<ChangerEvent> listener) {
        listeners.remove(listener);
    }

    /** The element's type; INVALID ELEMENT ADDRESS for an address without element, or the medium transport's. */
    private ElementType element(int address, Role role) {
        ElementType type = layout.typeOf(address);
        if (type == null || type == ElementType.MEDIUM_TRANSPORT) {
            throw new ElementException(Reason.INVALID_ELEMENT_ADDRESS, role, "no storage, import/export or data"
                    + " transfer element has address " + hex(address));
        }
        return type;
    }

    /** A cartridge may not leave a drive whose initiator prevents its removal. */
    private void checkRemoval(ElementType type, int address, Role role) {
        checkReach(type, address, role);
        if (type == ElementType.DATA_TRANSFER && drive(address).isMediumRemovalPrevented()) {
            throw new ElementException(Reason.MEDIUM_REMOVAL_PREVENTED, role, "drive %s: medium removal prevented"
                    .formatted(hex(address)));
        }
    }

    /** The medium transport cannot reach an import/export element while the operator has its door open. */
    private void checkReach(ElementType type, int address, Role role) {
        if (type == ElementType.IMPORT_EXPORT && mailSlotOpen) {
            throw new ElementException(Reason.ELEMENT_NOT_ACCESSIBLE, role, ("import/export element %s:"
                    + " the mail slot is open").formatted(hex(address)));
        }
    }

    /** A cartridge may not enter a locked import/export element, where the operator could take it. */
    private void checkEntry(ElementType type, int address, Role role) {
        checkReach(type, address, role);
        if (type == ElementType.IMPORT_EXPORT && importExportLocked) {
            throw new ElementException(Reason.MEDIUM_REMOVAL_PREVENTED, role, "import/export element %s is locked"
                    .formatted(hex(address)));
        }
    }

    /**
     * The occupant after a movement by the medium transport. Its source is the element it came from, unless that was a
     * drive: then the storage or import/export element it came from before (SMC-3: the last storage element it was
     * moved from), which is where mtx {@code unload} puts it back.
     */
    private static Occupant arriving(Occupant moving, ElementType fromType, int from) {
        int source = fromType == ElementType.DATA_TRANSFER ? moving.sourceAddress() : from;
        return new Occupant(moving.cartridge(), source, false);
    }

    private DataTransferDevice drive(int address) {
        return drives.get(address - layout.dataTransfer().first());
    }

    private static String hex(int address) {
        return "0x%04x".formatted(address);
    }

    /**
     * The drive steps of one movement and how to undo them. Steps run in the order given: every take-out before any
     * put-in, so a cartridge never has to be in two drives at once.
     */
    private final class Movement {
        private final Deque<Runnable> undo = new ArrayDeque<>();

        void takeOut(int address, ElementType type, Occupant occupant, Role role) {
            if (type != ElementType.DATA_TRANSFER) {
                return;
            }
            DataTransferDevice drive = drive(address);
            String had;
            try {
                had = drive.unload();
            } catch (IOException e) {
                driveFaults.put(address, SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
                rollback();
                throw new ElementException(Reason.LOAD_OR_UNLOAD_FAILED, role, "drive %s failed to unload %s"
                        .formatted(hex(address), occupant.cartridge().barcode()), e);
            }
            driveFaults.remove(address);
            if (!occupant.cartridge().barcode().equals(had)) {
                LOG.log(WARNING, "{0}: drive {1} gave up {2}, the inventory says it held {3}", config.name(),
                        hex(address), had, occupant.cartridge().barcode());
            }
            undo.push(() -> {
                try {
                    drive.load(occupant.cartridge());
                } catch (IOException e) {
                    LOG.log(WARNING, config.name() + ": undo: reloading drive " + hex(address) + " failed", e);
                    driveFaults.put(address, SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
                }
            });
        }

        void putIn(int address, ElementType type, Volume cartridge, Role role) {
            if (type != ElementType.DATA_TRANSFER) {
                return;
            }
            DataTransferDevice drive = drive(address);
            try {
                drive.load(cartridge);
            } catch (IOException e) {
                driveFaults.put(address, SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
                rollback();
                throw new ElementException(Reason.LOAD_OR_UNLOAD_FAILED, role, "drive %s failed to load %s"
                        .formatted(hex(address), cartridge.barcode()), e);
            }
            driveFaults.remove(address);
            undo.push(() -> unloadQuietly(drive, address));
        }

        /** Saves and publishes the new inventory, or undoes the drive steps if it cannot be saved. */
        void commit(Inventory next) {
            try {
                file.save(next.encode());
            } catch (IOException e) {
                LOG.log(WARNING, config.name() + ": saving the inventory failed; the movement is undone", e);
                rollback();
                throw new ElementException(Reason.INVENTORY_NOT_SAVED, Role.ELEMENT, "saving the inventory failed",
                        e);
            }
            inventory = next;
        }

        private void rollback() {
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
        }
    }

    // ---- Operator operations ----

    /** The SMC-3 device server for the changer's logical unit; one per library. */
    public synchronized MediumChangerDevice changerDevice() {
        if (changerDevice == null) {
            changerDevice = new MediumChangerDevice(this);
        }
        return changerDevice;
    }

    public LibraryConfig config() {
        return config;
    }

    /** Creates a blank cartridge in the pool; it starts on the shelf. */
    public Volume createCartridge(String barcode, MediaType mediaType) throws LibraryException {
        return createCartridge(barcode, mediaType, 0);
    }

    /** A blank cartridge of {@code capacity} bytes ({@link CartridgeCapacity}; 0: the pool's default). */
    public Volume createCartridge(String barcode, MediaType mediaType, long capacity) throws LibraryException {
        Volume cartridge;
        try {
            cartridge = new Volume(barcode, mediaType);
            CartridgeCapacity.check(capacity, mediaType);
        } catch (IllegalArgumentException e) {
            throw new LibraryException(e.getMessage());
        }
        try {
            if (pool.exists(barcode)) {
                throw new LibraryException("cartridge " + barcode + " exists");
            }
            return pool.create(cartridge.barcode(), cartridge.mediaType(), capacity);
        } catch (IOException e) {
            throw new LibraryException("creating cartridge " + barcode + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Creates {@code count} blank cartridges with LTO barcodes: the prefix, the number zero padded to fill six
     * characters, and the media identifier ({@code createCartridges("LF", 1, 3, LTO8)}: LF0001L8, LF0002L8,
     * LF0003L8). Cleaning cartridges need a prefix starting with CLN and get the identifier CU. Creates none if any
     * exists already.
     */
    public List<Volume> createCartridges(String prefix, int firstNumber, int count, MediaType mediaType)
            throws LibraryException {
        int digits = 6 - prefix.length();
        if (digits < 1 || firstNumber < 0 || count < 0 || String.valueOf((long) firstNumber + count - 1).length()
                > digits) {
            throw new LibraryException("prefix " + prefix + " leaves " + digits + " digits: numbers " + firstNumber
                    + ".." + ((long) firstNumber + count - 1) + " do not fit");
        }
        if (mediaType.cleaning() && !prefix.startsWith(VolumeTag.CLEANING_PREFIX)) {
            throw new LibraryException("cleaning cartridge barcodes start with CLN");
        }
        String suffix = mediaType.cleaning() ? "CU" : mediaType.mediaIdentifier();
        List<String> barcodes = new ArrayList<>();
        for (int n = firstNumber; n < firstNumber + count; n++) {
            barcodes.add(prefix + ("%0" + digits + "d").formatted(n) + suffix);
        }
        try {
            for (String b : barcodes) {
                VolumeTag.of(b);
                if (pool.exists(b)) {
                    throw new LibraryException("cartridge " + b + " exists; none created");
                }
            }
        } catch (IllegalArgumentException | IOException e) {
            throw new LibraryException(e.getMessage(), e);
        }
        List<Volume> created = new ArrayList<>();
        for (String b : barcodes) {
            created.add(createCartridge(b, mediaType));
        }
        return created;
    }

    /** Imports a cartridge from the shelf into the first empty import/export element; returns the element address. */
    public int importCartridge(String barcode) throws LibraryException {
        int element = -1;
        synchronized (lock) {
            for (int i = 0; i < layout.importExport().count() && element < 0; i++) {
                if (inventory.at(layout.importExport().address(i)) == null) {
                    element = layout.importExport().address(i);
                }
            }
        }
        if (element < 0) {
            throw new LibraryException("no empty import/export slot");
        }
        importCartridge(barcode, element);
        return element;
    }

    /**
     * The operator puts a cartridge from the shelf into an import/export element (IMPEXP 1, no source element).
     * Initiators get IMPORT OR EXPORT ELEMENT ACCESSED. Refused while an initiator prevents medium removal.
     */
    public void importCartridge(String barcode, int element) throws LibraryException {
        synchronized (lock) {
            checkOperatorAccess(element);
            if (inventory.at(element) != null) {
                throw new LibraryException("import/export slot " + hex(element) + " is full");
            }
            Integer where = inventory.addressOf(barcode);
            if (where != null) {
                throw new LibraryException("cartridge " + barcode + " is in the library, at " + hex(where));
            }
            Volume cartridge;
            try {
                cartridge = pool.find(barcode);
            } catch (IOException e) {
                throw new LibraryException("looking up " + barcode + " failed: " + e.getMessage(), e);
            }
            if (cartridge == null) {
                throw new LibraryException("no cartridge " + barcode + " in the pool; create it first");
            }
            publish(inventory.with(element, new Occupant(cartridge, -1, true)));
        }
        announce(ChangerEvent.IMPORT_EXPORT_ELEMENT_ACCESSED);
    }

    /** The operator takes the cartridge out of an import/export element, back to the shelf. */
    public Volume exportCartridge(int element) throws LibraryException {
        Volume taken;
        synchronized (lock) {
            checkOperatorAccess(element);
            Occupant o = inventory.at(element);
            if (o == null) {
                throw new LibraryException("import/export slot " + hex(element) + " is empty");
            }
            publish(inventory.without(element));
            taken = o.cartridge();
        }
        announce(ChangerEvent.IMPORT_EXPORT_ELEMENT_ACCESSED);
        return taken;
    }

    /** The operator takes this cartridge out of the import/export element it is in. */
    public Volume exportCartridge(String barcode) throws LibraryException {
        Integer where;
        synchronized (lock) {
            where = inventory.addressOf(barcode);
        }
        if (where == null || layout.typeOf(where) != ElementType.IMPORT_EXPORT) {
            throw new LibraryException("cartridge " + barcode + " is not in an import/export slot"
                    + (where == null ? "" : " (it is at " + hex(where) + "; move it there first)"));
        }
        return exportCartridge(where);
    }

    /**
     * The operator's inventory: checks every drive against the inventory as INITIALIZE ELEMENT STATUS does (after a
     * drive's logical unit was restarted, say). If the inventory changed, initiators get NOT READY TO READY CHANGE,
     * MEDIUM MAY HAVE CHANGED. Returns whether it changed.
     */
    public boolean reinitialize() throws LibraryException {
        boolean changed;
        try {
            changed = initializeElementStatus(0, Integer.MAX_VALUE);
        } catch (ElementException e) {
            throw new LibraryException(e.getMessage(), e);
        }
        if (changed) {
            announce(ChangerEvent.INVENTORY_CHANGED);
        }
        return changed;
    }

    /** The element holding this cartridge, or -1 if it is not in the library. */
    public int elementOf(String barcode) {
        synchronized (lock) {
            Integer where = inventory.addressOf(barcode);
            return where == null ? -1 : where;
        }
    }

    /** The cartridges of the pool that are not in the library. */
    public List<Volume> shelf() throws LibraryException {
        List<Volume> all;
        try {
            all = pool.list();
        } catch (IOException e) {
            throw new LibraryException("listing the pool failed: " + e.getMessage(), e);
        }
        synchronized (lock) {
            return all.stream().filter(c -> inventory.addressOf(c.barcode()) == null).toList();
        }
    }

    private void checkOperatorAccess(int element) throws LibraryException {
        if (layout.typeOf(element) != ElementType.IMPORT_EXPORT) {
            throw new LibraryException(hex(element) + " is not an import/export slot");
        }
        if (importExportLocked) {
            throw new LibraryException("the import/export slots are locked: an initiator prevents medium removal");
        }
    }

    private void publish(Inventory next) throws LibraryException {
        try {
            file.save(next.encode());
        } catch (IOException e) {
            throw new LibraryException("saving the inventory failed: " + e.getMessage(), e);
        }
        inventory = next;
    }

    private void announce(ChangerEvent event) {
        for (Consumer<ChangerEvent> l : listeners) {
            l.accept(event);
        }
    }
}
