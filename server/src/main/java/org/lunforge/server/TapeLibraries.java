package org.lunforge.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.lunforge.backstore.FileStateStore;
import org.lunforge.backstore.tape.CartridgeStore;
import org.lunforge.backstore.tape.CartridgeStores;
import org.lunforge.backstore.tape.FileCartridgeStoreProvider;
import org.lunforge.backstore.tape.VolumeTag;
import org.lunforge.device.tape.TapeDrive;
import org.lunforge.device.tape.TapeDriveModel;
import org.lunforge.device.vtl.DataTransferDevice;
import org.lunforge.device.vtl.LibraryConfig;
import org.lunforge.device.vtl.MediaType;
import org.lunforge.device.vtl.StoreCartridgePool;
import org.lunforge.device.vtl.TapeDriveElement;
import org.lunforge.device.vtl.VirtualTapeLibrary;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.fault.ArmedFault;
import org.lunforge.scsi.TargetPortGroups;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.TapeLibrary;

/**
 * The tape libraries of the running configuration: for each, a changer logical unit and one logical unit per drive,
 * by path ("/vtl/lib0/changer", "/vtl/lib0/drives/drive0"). Like {@link StorageObjects}, an unchanged library keeps
 * running; a changed one is closed (its drives flush their cartridges) and opened again, its inventory restored from
 * the state folder.
 */
final class TapeLibraries implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TapeLibraries.class.getName());
    /** The cartridge store types on the class path; a library's pool folder is a "file" store. */
    private static final CartridgeStores CARTRIDGE_STORES = CartridgeStores.load();

    record Running(TapeLibrary config, VirtualTapeLibrary library, Map<String, LogicalUnit> logicalUnits) {
    }

    private final Map<String, Running> byName = new ConcurrentHashMap<>();
    private final Path stateDir;
    private final TargetPortGroups portGroups;

    TapeLibraries(Path stateDir, TargetPortGroups portGroups) {
        this.stateDir = stateDir;
        this.portGroups = portGroups;
    }

    LogicalUnit logicalUnit(String path) {
        for (Running r : byName.values()) {
            LogicalUnit lu = r.logicalUnits().get(path);
            if (lu != null) {
                return lu;
            }
        }
        return null;
    }

    /** Every changer's and drive's logical unit, by path. */
    Map<String, LogicalUnit> logicalUnits() {
        Map<String, LogicalUnit> out = new java.util.TreeMap<>();
        byName.values().forEach(r -> out.putAll(r.logicalUnits()));
        return out;
    }

    /** The running libraries by name. */
    Map<String, VirtualTapeLibrary> libraries() {
        Map<String, VirtualTapeLibrary> all = new LinkedHashMap<>();
        byName.forEach((name, r) -> all.put(name, r.library()));
        return all;
    }

    VirtualTapeLibrary library(String name) {
        Running r = byName.get(name);
        return r == null ? null : r.library();
    }

    void reconcile(List<TapeLibrary> libraries) throws IOException {
        Map<String, TapeLibrary> wanted = new LinkedHashMap<>();
        libraries.forEach(l -> wanted.put(l.getName(), l));
        Map<String, List<ArmedFault>> carried = new HashMap<>();
        for (Running r : List.copyOf(byName.values())) {
            if (!samePlacementsAside(r.config(), wanted.get(r.config().getName()))) {
                Map<String, List<ArmedFault>> faults = close(r);
                if (wanted.containsKey(r.config().getName())) {
                    carried.putAll(faults);
                }
            }
        }
        for (TapeLibrary l : wanted.values()) {
            if (!byName.containsKey(l.getName())) {
                Running r = open(l);
                // A library rebuilt under a changed configuration: its drives and changer that are still there keep
                // the faults armed on them (same ids, same counts), as a reopened disk does.
                r.logicalUnits().forEach((path, lu) -> {
                    List<ArmedFault> faults = carried.getOrDefault(path, List.of());
                    if (!faults.isEmpty()) {
                        lu.faults().carryOver(faults);
                        LOG.log(System.Logger.Level.INFO, () -> path + ": rebuilt with its " + faults.size()
                                + " fault(s)");
                    }
                });
                byName.put(l.getName(), r);
            }
        }
    }

    /**
     * Whether two configurations of a library differ at most in their cartridge placements. Those only matter at the
     * library's first start (the inventory is state), so a library whose placements alone changed (the shell records
     * the cartridges it puts into slots) keeps running, its drives and sessions untouched.
     */
    static boolean samePlacementsAside(TapeLibrary running, TapeLibrary wanted) {
        return wanted != null && running.toBuilder().clearCartridges().build()
                .equals(wanted.toBuilder().clearCartridges().build());
    }

    private Running open(TapeLibrary config) throws IOException {
        Path poolFolder = Path.of(config.getPoolDir());
        CartridgeStore pool = CARTRIDGE_STORES.open(FileCartridgeStoreProvider.TYPE,
                Map.of("path", poolFolder.toString()));
        Map<String, LogicalUnit> units = new LinkedHashMap<>();
        List<DataTransferDevice> elements = new ArrayList<>();
        List<LibraryConfig.DriveConfig> driveConfigs = new ArrayList<>();
        try {
            for (int i = 0; i < config.getDrivesCount(); i++) {
                var d = config.getDrives(i);
                String path = ConfigValidator.drivePath(config, d);
                TapeDrive drive = new TapeDrive(TapeDriveModel.named(d.getModel().isEmpty() ? "IBM_LTO8" : d.getModel()),
                        d.getSerial().isEmpty() ? derivedSerial(path) : d.getSerial());
                drive.setCleaningInterval(d.getCleaningInterval());
                units.put(path, new LogicalUnit(path, drive.identity(), drive, stateStore(path), portGroups));
                elements.add(new TapeDriveElement(drive, pool));
                // READ ELEMENT STATUS reports drive i at LUN i + 1: the changer is LUN 0 and the drives follow it.
                driveConfigs.add(new LibraryConfig.DriveConfig(d.getName(), i + 1));
            }
            String changerPath = ConfigValidator.changerPath(config);
            UUID unitId = config.getUnitId().isEmpty() ? uuid(changerPath) : UUID.fromString(config.getUnitId());
            LibraryConfig.ChangerIdentity identity = config.getChangerModel().equals("IBM_3584")
                    ? LibraryConfig.ChangerIdentity.ibm3584(unitId) : LibraryConfig.ChangerIdentity.stkL700(unitId);
            List<LibraryConfig.CartridgePlacement> placements = config.getCartridgesList().stream()
                    .map(c -> new LibraryConfig.CartridgePlacement(c.getBarcode(), mediaType(c.getBarcode()),
                            c.getSlot(), c.getCapacity()))
                    .toList();
            LibraryConfig libraryConfig = new LibraryConfig(config.getName(), poolFolder,
                    stateDir.resolve("libraries").resolve(config.getName()), identity, driveConfigs,
                    config.getSlots(), config.getImportExportSlots(), placements, null);
            VirtualTapeLibrary library = VirtualTapeLibrary.open(libraryConfig, elements,
                    new StoreCartridgePool(pool, config.getCartridgeCapacity()));
            library.setCleaningSlot(config.getCleaningSlot());
            Map<String, LogicalUnit> all = new LinkedHashMap<>();
            all.put(changerPath, new LogicalUnit(changerPath, identity.logicalUnitIdentity(), library.changerDevice(),
                    stateStore(changerPath), portGroups));
            all.putAll(units);
            LOG.log(System.Logger.Level.INFO, () -> "/vtl/%s: %d drives, %d slots, %d import/export, pool %s"
                    .formatted(config.getName(), config.getDrivesCount(), config.getSlots(),
                            config.getImportExportSlots(), poolFolder));
            return new Running(config, library, all);
        } catch (IOException | RuntimeException e) {
            units.values().forEach(LogicalUnit::close);
            throw e;
        }
    }

    /** The media type a barcode names, WORM labels included (LY: LTO-8 WORM); the validator checked it names one. */
    private static MediaType mediaType(String barcode) {
        return MediaType.of(VolumeTag.of(barcode));
    }

    private FileStateStore stateStore(String path) throws IOException {
        return new FileStateStore(stateDir.resolve("units").resolve(uuid(path).toString()));
    }

    private static UUID uuid(String path) {
        return UUID.nameUUIDFromBytes(("lunforge:" + path).getBytes(StandardCharsets.UTF_8));
    }

    /** A stable 10-digit serial number for a drive whose configuration names none. */
    static String derivedSerial(String path) {
        return "%010d".formatted(Math.floorMod(uuid(path).getLeastSignificantBits(), 10_000_000_000L));
    }

    /** Closes a library's logical units; returns the faults that were armed on them, by path, where some were. */
    private Map<String, List<ArmedFault>> close(Running r) {
        byName.remove(r.config().getName());
        Map<String, List<ArmedFault>> faults = new HashMap<>();
        r.logicalUnits().forEach((path, lu) -> {
            List<ArmedFault> armed = lu.faults().armed();
            if (!armed.isEmpty()) {
                faults.put(path, armed);
            }
            try {
                lu.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + lu.name(), e);
            }
        });
        return faults;
    }

    @Override
    public void close() {
        new HashMap<>(byName).values().forEach(this::close);
    }
}
