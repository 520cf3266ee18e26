package org.lunforge.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.BlockStores;
import org.lunforge.backstore.FileStateStore;
import org.lunforge.scsi.StateStore;
import org.lunforge.device.disk.DiskConfig;
import org.lunforge.device.disk.SbcDisk;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.TargetPortGroups;
import org.lunforge.scsi.fault.ArmedFault;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.ConfigValidator;

/**
 * The storage objects of the running configuration: for each backstore its open block store, SBC disk and logical
 * unit, by path ("/backstores/memory/disk0"). {@link #reconcile} makes the running set match a configuration: an
 * object whose configuration is unchanged is kept as it is (its sessions and state untouched); one that changed or
 * went away is closed; a new one is opened.
 */
final class StorageObjects implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StorageObjects.class.getName());
    /** INQUIRY PRODUCT REVISION LEVEL of this software. */
    static final String REVISION = "0001";

    record StorageObject(String path, Backstore config, SbcDisk disk, LogicalUnit logicalUnit) {
    }

    private final BlockStores stores = BlockStores.load();
    private final Map<String, StorageObject> byPath = new ConcurrentHashMap<>();
    private final Path stateDir;
    private final TargetPortGroups portGroups;

    StorageObjects(Path stateDir, TargetPortGroups portGroups) {
        this.stateDir = stateDir;
        this.portGroups = portGroups;
    }

    LogicalUnit logicalUnit(String path) {
        StorageObject o = byPath.get(path);
        return o == null ? null : o.logicalUnit();
    }

    Collection<StorageObject> all() {
        return List.copyOf(byPath.values());
    }

    /**
     * Makes the running objects those of {@code backstores}. Closing comes first, so that a file reopened under a
     * changed configuration is not open twice. On a failure the objects opened so far stay open: the caller
     * reconciles back to the previous configuration.
     */
    void reconcile(List<Backstore> backstores) throws IOException {
        reconcile(backstores, null);
    }

    /**
     * As {@link #reconcile(List)}, with {@code clusterBackstore} the name of the backstore several nodes serve (the
     * config's {@code cluster.backstore}), or null: its rbd store is opened with the settings sharing needs.
     */
    void reconcile(List<Backstore> backstores, String clusterBackstore) throws IOException {
        Map<String, Backstore> wanted = new LinkedHashMap<>();
        for (Backstore b : backstores) {
            wanted.put(ConfigValidator.backstorePath(b), b);
        }
        Map<String, List<ArmedFault>> carried = new HashMap<>();
        for (StorageObject o : List.copyOf(byPath.values())) {
            if (!o.config().equals(wanted.get(o.path()))) {
                List<ArmedFault> faults = close(o);
                if (wanted.containsKey(o.path())) {
                    carried.put(o.path(), faults);
                }
            }
        }
        for (Map.Entry<String, Backstore> e : wanted.entrySet()) {
            if (!byPath.containsKey(e.getKey())) {
                StorageObject o = open(e.getKey(), e.getValue(), e.getValue().getName().equals(clusterBackstore));
                carryFaults(o, carried.getOrDefault(e.getKey(), List.of()));
                byPath.put(e.getKey(), o);
            }
        }
    }

    /**
     * Makes the object at {@code path} the one {@code b} describes, or none ({@code b} null), touching no other: an
     * unchanged one is kept, a changed one closed and reopened. Returns the logical unit closed, or null. Not for a
     * configuration with a cluster: its changes take the whole {@link #reconcile(List, String)}.
     */
    LogicalUnit put(String path, Backstore b) throws IOException {
        StorageObject old = byPath.get(path);
        if (old != null && old.config().equals(b)) {
            return null;
        }
        List<ArmedFault> faults = old != null ? close(old) : List.of();
        if (b != null) {
            StorageObject o = open(path, b, false);
            carryFaults(o, faults);
            byPath.put(path, o);
        }
        return old == null ? null : old.logicalUnit();
    }

    /**
     * An object reopened under a changed configuration keeps the faults armed on the one it replaces (same ids, same
     * counts): an operator who armed a fault and then changed an attribute still tests with it. A restart drops them.
     */
    private static void carryFaults(StorageObject o, List<ArmedFault> faults) {
        if (!faults.isEmpty()) {
            o.logicalUnit().faults().carryOver(faults);
            LOG.log(System.Logger.Level.INFO, () -> o.path() + ": reopened with its " + faults.size() + " fault(s)");
        }
    }

    private StorageObject open(String path, Backstore b, boolean clustered) throws IOException {
        Map<String, String> storeConfig = new HashMap<>();
        String type;
        switch (b.getStoreCase()) {
            case MEMORY -> {
                type = "memory";
                storeConfig.put("size", Long.toString(b.getMemory().getSize()));
            }
            case FILEIO -> {
                type = "file";
                storeConfig.put("path", b.getFileio().getPath());
                if (b.getFileio().getSize() > 0) {
                    storeConfig.put("size", Long.toString(b.getFileio().getSize()));
                }
            }
            case BLOCK -> {
                type = "block";
                storeConfig.put("path", b.getBlock().getPath());
            }
            case RBD -> {
                type = "rbd";
                storeConfig.put("pool", b.getRbd().getPool());
                storeConfig.put("image", b.getRbd().getImage());
                storeConfig.put("conf", b.getRbd().getConf());
                if (!b.getRbd().getKeyring().isEmpty()) {
                    storeConfig.put("keyring", b.getRbd().getKeyring());
                }
                if (!b.getRbd().getClientId().isEmpty()) {
                    storeConfig.put("client_id", b.getRbd().getClientId());
                }
                if (clustered) {
                    storeConfig.put("cluster", "true");
                }
            }
            default -> throw new IllegalArgumentException(path + ": no store");
        }
        BlockStore store;
        try {
            store = stores.open(type, storeConfig);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        try {
            int blockSize = b.getBlockSize() == 0 ? 512 : b.getBlockSize();
            int physical = b.getPhysicalBlockSize() == 0 ? blockSize : b.getPhysicalBlockSize();
            DiskConfig dc = DiskConfig.defaults()
                    .withBlockLength(blockSize)
                    .withPhysicalBlockExponent(Integer.numberOfTrailingZeros(physical / blockSize))
                    .withSanitizeBytesPerSecond(b.getSanitizeRate())
                    .withThinProvisioned(!b.hasThinProvisioning() || b.getThinProvisioning())
                    .withRemovable(b.getRemovable())
                    .withWriteProtected(b.getWriteProtect());
            SbcDisk disk = new SbcDisk(b.getName(), store, dc);
            UUID unitId = unitId(path, b, store.sharedIdentity());
            LogicalUnitIdentity identity = LogicalUnitIdentity.of(
                    b.getVendor().isEmpty() ? "LUNFORGE" : b.getVendor(),
                    b.getProduct().isEmpty() ? defaultProduct(type) : b.getProduct(),
                    b.getRevision().isEmpty() ? REVISION : b.getRevision(), unitId);
            StateStore state = store.unitState(
                    new FileStateStore(stateDir.resolve("units").resolve(unitId.toString())));
            LogicalUnit lu = new LogicalUnit(path, identity, disk, state, portGroups);
            LOG.log(System.Logger.Level.INFO, () -> "%s: %d blocks of %d bytes, serial %s".formatted(path,
                    disk.capacity(), dc.blockLength(), identity.serialNumber()));
            return new StorageObject(path, b, disk, lu);
        } catch (IOException | RuntimeException e) {
            try {
                store.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The configured unit id, or one derived from the path so that an unedited config keeps its identity. */
    static UUID unitId(String path, Backstore b) {
        return unitId(path, b, null);
    }

    /**
     * The configured unit id; else, for a store shared by several machines (an rbd image), one derived from the
     * store's shared identity (pool and image id), so that every node serving it presents the same unit serial
     * number and NAA designator (one logical unit, SPC-4 7.8.6); else one derived from the path.
     */
    static UUID unitId(String path, Backstore b, String sharedIdentity) {
        if (!b.getUnitId().isEmpty()) {
            return UUID.fromString(b.getUnitId());
        }
        String name = sharedIdentity != null ? sharedIdentity : path;
        return UUID.nameUUIDFromBytes(("lunforge:" + name).getBytes(StandardCharsets.UTF_8));
    }

    private static String defaultProduct(String type) {
        return switch (type) {
            case "memory" -> "MEMORY DISK";
            case "file" -> "FILE DISK";
            case "rbd" -> "RBD DISK";
            default -> "BLOCK DISK";
        };
    }

    /** Closes one object; returns the faults that were armed on it (its close disarms them). */
    private List<ArmedFault> close(StorageObject o) {
        byPath.remove(o.path());
        List<ArmedFault> faults = o.logicalUnit().faults().armed();
        try {
            o.logicalUnit().close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + o.path(), e);
        }
        return faults;
    }

    @Override
    public void close() {
        List<StorageObject> all = new ArrayList<>(byPath.values());
        all.forEach(this::close);
    }
}
