package org.lunforge.server;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.lunforge.device.vtl.VirtualTapeLibrary;
import org.lunforge.iscsi.IscsiServer;
import org.lunforge.iscsi.IscsiServerOptions;
import org.lunforge.iscsi.IscsiSessionInfo;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.SharedState;
import org.lunforge.scsi.TargetPortGroups;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.MetricsAddress;
import org.lunforge.server.control.ConfigChanges;
import org.lunforge.server.control.ObjectChange;
import org.lunforge.server.metrics.DaemonMetrics;

/**
 * The running lunforged: what a configuration describes, built and served. {@link #apply} makes the running state
 * equal a new configuration by reconciling each kind of object (storage objects, kernel exports through TCMU, then
 * iSCSI targets); the daemon's
 * start is the first apply, and a live change from the shell is another. A change that fails part-way is rolled
 * back by applying the previous configuration again, so a failed change leaves the daemon as it was.
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());

    private final Path stateDir;
    private final StorageObjects objects;
    private final TapeLibraries libraries;
    private final IscsiServer iscsiServer;
    private final IscsiTargets iscsiTargets;
    private final KernelExports kernelExports;
    private final FaultInjection faults;
    private final DaemonMetrics metrics;
    /** One ALUA model for every logical unit, so that a state change is seen on every path of every unit at once. */
    private final TargetPortGroups portGroups = TargetPortGroups.single();
    /**
     * The model the running configuration describes. The live one differs once an initiator changed a state (SET
     * TARGET PORT GROUPS); it is reconfigured only when the configured model itself changes, so that an unrelated
     * edit does not undo the initiator's transition.
     */
    private TargetPortGroups configuredGroups = TargetPortGroups.single();
    private Config running = Config.getDefaultInstance();
    /** This node's part in a cluster's ALUA, or null. */
    private ClusterAlua clusterAlua;

    public Daemon(Path stateDir) throws IOException {
        this(stateDir, KernelExports.Host.system(), KernelExports.bridge());
    }

    /** A daemon whose kernel exports go to {@code host}'s configfs, served by {@code serving}: tests fake both. */
    Daemon(Path stateDir, KernelExports.Host host, KernelExports.ServingFactory serving) throws IOException {
        this.stateDir = Files.createDirectories(stateDir);
        this.kernelExports = new KernelExports(host, serving, this::logicalUnit);
        this.objects = new StorageObjects(stateDir, portGroups);
        this.libraries = new TapeLibraries(stateDir, portGroups);
        this.iscsiServer = new IscsiServer(iscsiOptions()).start();
        this.iscsiTargets = new IscsiTargets(iscsiServer);
        this.faults = new FaultInjection(this, iscsiServer);
        this.metrics = new DaemonMetrics(iscsiServer);
        metrics.kernelPorts(kernelExports::iscsiPorts);
    }

    /**
     * The iSCSI defaults, with {@code -Dlunforge.iscsi.nopIntervalSeconds=N} setting how long a connection may idle
     * before the target pings it (0: never). The conformance harness raises it past libiscsi's 60 s sleeps, which
     * answer no ping: a dropped and re-established session would bring a new unit attention every minute.
     */
    static IscsiServerOptions iscsiOptions() {
        IscsiServerOptions options = IscsiServerOptions.defaults();
        long nop = Long.getLong("lunforge.iscsi.nopIntervalSeconds", -1);
        return nop < 0 ? options : options.withNop(java.time.Duration.ofSeconds(nop), options.nopTimeout());
    }

    public Path stateDir() {
        return stateDir;
    }

    public synchronized Config running() {
        return running;
    }

    /**
     * Makes the daemon serve {@code next}. On failure the previous configuration is restored and the failure thrown;
     * if even that fails, the daemon serves what it could and says so in the log.
     */
    public synchronized void apply(Config next) throws IOException {
        serveOrRestore(next, () -> reconcile(next));
    }

    /**
     * Makes the daemon serve {@code next}, which differs from the running configuration only by {@code changes}
     * (checked by {@link ConfigChanges#apply}): only the objects they name are reconciled, so that the change costs
     * the same beside ten objects or a thousand. With kernel exports or a cluster configured, whose reconciliation
     * looks at the whole configuration, it is a whole {@link #apply}. On failure the previous configuration is
     * restored as by {@link #apply}.
     */
    public synchronized void applyChange(Config next, List<ObjectChange> changes) throws IOException {
        if (next.getTcmuDevicesCount() > 0 || running.getTcmuDevicesCount() > 0 || next.hasCluster()) {
            apply(next);
            return;
        }
        serveOrRestore(next, () -> {
            for (ObjectChange change : changes) {
                reconcile(next, change);
            }
        });
    }

    /** The running objects moved towards a configuration; may fail part way. */
    private interface Reconciliation {
        void run() throws IOException;
    }

    /**
     * Runs {@code toNext}; then {@code next} is the running configuration. On failure the whole previous one is
     * reconciled back and the failure thrown; if even that fails, the daemon serves what it could and says so.
     */
    private void serveOrRestore(Config next, Reconciliation toNext) throws IOException {
        Config previous = running;
        try {
            toNext.run();
            running = next;
        } catch (IOException | RuntimeException e) {
            LOG.log(ERROR, "configuration change failed, restoring the previous one: " + e.getMessage());
            try {
                reconcile(previous);
            } catch (IOException | RuntimeException rollback) {
                e.addSuppressed(rollback);
                LOG.log(ERROR, "could not restore the previous configuration", rollback);
            }
            throw e;
        }
    }

    /** The running objects made those of one change: a storage object opened, reopened or closed; a LUN or ACL. */
    private void reconcile(Config next, ObjectChange change) throws IOException {
        String path = change.getPath();
        boolean delete = change.getAction() == ObjectChange.Action.DELETE;
        ConfigChanges.GroupPart named = ConfigChanges.groupPart(path);
        if (named == null) {
            // A storage object: its LUNs follow it to the reopened logical unit; a deleted one has none (checked).
            LogicalUnit closed = objects.put(path, delete ? null : change.getBackstore());
            LogicalUnit opened = delete ? null : objects.logicalUnit(path);
            if (closed != null && opened != null) {
                iscsiTargets.remap(closed, opened);
            }
            metrics.unitsChanged(closed == null ? List.of() : List.of(closed),
                    opened == null ? List.of() : List.of(opened));
        } else if (named.lun() >= 0) {
            iscsiTargets.lun(named.iqn(), named.tag(), named.lun(),
                    delete ? null : logicalUnit(change.getLun().getObject()));
        } else if (delete) {
            iscsiTargets.removeAcl(named.iqn(), named.tag(), named.initiator());
        } else {
            iscsiTargets.acl(named.iqn(), named.tag(), change.getAcl());
        }
    }

    private void reconcile(Config config) throws IOException {
        // Objects first, so that targets find every LUN's logical unit; a logical unit that goes away is unmapped by
        // the target reconciliation that follows (its sessions see REPORTED LUNS DATA HAS CHANGED). Kernel exports
        // are taken down before the objects they serve change, and made once the objects are there.
        kernelExports.retire(config);
        TargetPortGroups wanted = AluaGroups.of(config);
        if (!wanted.sameLayout(configuredGroups)) {
            portGroups.reconfigure(wanted);
            configuredGroups = wanted;
        }
        objects.reconcile(config.getBackstoresList(),
                config.hasCluster() ? config.getCluster().getBackstore() : null);
        libraries.reconcile(config.getLibrariesList());
        kernelExports.build(config);
        iscsiTargets.reconcile(config.getIscsiTargetsList(), this::logicalUnit);
        joinCluster(config);
        List<LogicalUnit> units = new ArrayList<>();
        objects.all().forEach(o -> units.add(o.logicalUnit()));
        units.addAll(libraries.logicalUnits().values());
        metrics.reconcile(config.hasMetrics() ? MetricsAddress.parse(config.getMetrics().getListen()) : null, units,
                libraries.libraries(), kernelExports.servedDevices());
    }

    /** This node's part in its cluster's ALUA, once, at the first configuration that has one. */
    private void joinCluster(Config config) throws IOException {
        if (config.hasCluster() == (clusterAlua != null)) {
            if (clusterAlua != null && !config.getCluster().equals(running.getCluster())) {
                throw new IllegalArgumentException("cluster: the cluster settings take effect at start only: restart "
                        + "lunforged to change them");
            }
            return;
        }
        if (clusterAlua != null) {
            throw new IllegalArgumentException("cluster: leaving the cluster takes a restart of lunforged");
        }
        var c = config.getCluster();
        LogicalUnit lu = objects.logicalUnit("/backstores/rbd/" + c.getBackstore());
        SharedState shared = lu == null ? null : lu.stateStore().shared("alua");
        if (shared == null) {
            throw new IllegalArgumentException("cluster.backstore: " + c.getBackstore() + " is no rbd backstore");
        }
        ClusterAlua alua = new ClusterAlua(portGroups, shared, c.getTargetPortGroup(), c.getActiveActive(),
                c.getLeaseSeconds(), c.getBackstore());
        alua.start();
        clusterAlua = alua;
    }

    /** What the daemon exports through the kernel's target (TCMU devices, tcm_loop and LIO iSCSI targets). */
    KernelExports kernelExports() {
        return kernelExports;
    }

    /** The daemon's metrics: the registry where every part's meters are, and the endpoint that serves them. */
    public DaemonMetrics metrics() {
        return metrics;
    }

    /** The ALUA model every logical unit of this daemon shares. */
    TargetPortGroups portGroups() {
        return portGroups;
    }

    /** The sessions logged in to lunforge's iSCSI target now (for the control socket and the shell). */
    public List<IscsiSessionInfo> sessions() {
        return iscsiServer.sessions();
    }

    /** The addresses lunforge's iSCSI target listens on now. */
    public Set<InetSocketAddress> listening() {
        return iscsiServer.listening();
    }

    /** The running tape library of this name, for operator actions (import, export, new cartridges); or null. */
    public VirtualTapeLibrary library(String name) {
        return libraries.library(name);
    }

    /** Fault injection on the logical units and the iSCSI target ports (in memory only, never saved). */
    public FaultInjection faults() {
        return faults;
    }

    /** Ends an iSCSI session from the target's side (a logout asked, then the connection dropped); false: no TSIH. */
    public boolean closeSession(int tsih) {
        return iscsiServer.closeSession(tsih);
    }

    /** Every logical unit the daemon runs, by path: storage objects, changers and drives. */
    java.util.SortedMap<String, LogicalUnit> logicalUnits() {
        java.util.SortedMap<String, LogicalUnit> out = new java.util.TreeMap<>(libraries.logicalUnits());
        objects.all().forEach(o -> out.put(o.path(), o.logicalUnit()));
        return out;
    }

    /** The logical unit of a storage object, a changer or a drive, by its path; null if there is none. */
    LogicalUnit logicalUnit(String path) {
        LogicalUnit lu = objects.logicalUnit(path);
        return lu != null ? lu : libraries.logicalUnit(path);
    }

    /**
     * Takes the kernel exports down (unless they persist) while their logical units still serve, logs every initiator
     * out, then closes the logical units (flushing their stores).
     */
    @Override
    public synchronized void close() {
        LOG.log(INFO, "stopping");
        kernelExports.close();
        metrics.close();
        iscsiServer.close();
        if (clusterAlua != null) {
            clusterAlua.close();
        }
        libraries.close();
        objects.close();
    }
}
