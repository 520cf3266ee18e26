package org.lunforge.server;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import com.google.protobuf.Message;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.lunforge.device.tape.TapeCommand;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.BlockDescriptor;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.PeripheralDeviceType;
import org.lunforge.scsi.VpdPage;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Chap;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.KernelLun;
import org.lunforge.server.config.LioIscsiTarget;
import org.lunforge.server.config.LoopbackTarget;
import org.lunforge.server.config.Portals;
import org.lunforge.server.config.TapeLibrary;
import org.lunforge.server.config.TcmuDevice;
import org.lunforge.tcmu.ConfigfsOps;
import org.lunforge.tcmu.IscsiExport;
import org.lunforge.tcmu.LoopbackExport;
import org.lunforge.tcmu.TargetConfigfs;
import org.lunforge.tcmu.TcmuBridge;
import org.lunforge.tcmu.TcmuDeviceInfo;
import org.lunforge.tcmu.UserBackstore;
import org.lunforge.tcmu.WaitStrategy;

/**
 * The kernel's side of the configuration: TCMU user backstores whose commands lunforge serves ({@code tcmu_devices},
 * dev_config {@code lunforge/<object path>}), and their exports through tcm_loop ({@code loopback_targets}) and LIO's
 * iSCSI fabric ({@code lio_iscsi_targets}), kept equal to the configuration like every other section.
 *
 * <p>A reconciliation has two halves around the daemon's storage objects: {@link #retire} first takes down what the
 * next configuration does not keep (exports before the backstores they link, so that the kernel's last commands to a
 * device, such as sd's SYNCHRONIZE CACHE on removal, are still served), including every device whose storage object
 * is about to be reopened; {@link #build} then creates what is missing, each backstore served (by the
 * {@link TcmuBridge}) before anything exports it, because the kernel's first commands, the initiator's scan, would
 * otherwise wait in the ring for cmd_time_out. What is unchanged is not touched.
 *
 * <p>Objects that exist in configfs when a daemon starts, left by one that was killed or configured to persist, are
 * adopted when they are what the configuration asks for, attribute by attribute; otherwise they are made again. The
 * bridge resets an adopted device's ring (the dead daemon's commands fail with BUSY and are retried). Devices of our
 * subtype that no configuration wants any more are swept, with every fabric LUN that links them.
 */
final class KernelExports implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KernelExports.class.getName());
    /** The dev_config subtype of our devices: {@code lunforge/<object path>}. */
    static final String SUBTYPE = "lunforge";
    /** How long a new device may take to be served before its creation counts as failed. */
    static final Duration SERVE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * dev_size of a tape drive or changer. LIO wants one; nothing reads it, since the device answers every command
     * (READ CAPACITY included) itself.
     */
    static final long NOMINAL_SIZE = 1L << 30;
    /** The kernel's data area per device when max_data_area_mb is not set (target_core_user's default). */
    static final int DEFAULT_DATA_AREA_MB = 1024;

    /** Where the host's kernel interfaces are; tests point them at temporary trees. */
    record Host(Path configfs, Path sysModule, ConfigfsOps ops) {
        static Host system() {
            return new Host(Path.of("/sys/kernel/config"), Path.of("/sys/module"), ConfigfsOps.kernel());
        }

        Path target() {
            return configfs.resolve("target");
        }
    }

    /** Serving of our TCMU devices: the {@link TcmuBridge}, or a test's stand-in. */
    interface Serving extends AutoCloseable {
        /** True once {@code core/user_<hba>/<name>} is served. */
        boolean awaitServing(int hba, String name, Duration timeout) throws InterruptedException;

        /** True once no device {@code core/user_<hba>/<name>} is served any more (it was removed). */
        boolean awaitStopped(int hba, String name, Duration timeout) throws InterruptedException;

        /** The devices served now (for metrics); none for a stand-in. */
        default List<org.lunforge.tcmu.TcmuDevice> devices() {
            return List.of();
        }

        @Override
        void close();
    }

    /** Starts serving devices with a factory; called once, when the first configuration with kernel exports comes. */
    @FunctionalInterface
    interface ServingFactory {
        Serving start(TcmuBridge.LogicalUnitFactory factory) throws IOException;
    }

    /** The real bridge over /sys/class/uio and /dev, waiting for commands with {@link #waitStrategy()}. */
    static ServingFactory bridge() {
        return factory -> {
            TcmuBridge bridge = new TcmuBridge(SUBTYPE, factory, waitStrategy(), TcmuBridge.Paths.system(),
                    Duration.ofSeconds(1));
            bridge.start();
            return new Serving() {
                @Override
                public boolean awaitServing(int hba, String name, Duration timeout) throws InterruptedException {
                    return bridge.awaitServing(hba, name, timeout);
                }

                @Override
                public boolean awaitStopped(int hba, String name, Duration timeout) throws InterruptedException {
                    return bridge.awaitStopped(hba, name, timeout);
                }

                @Override
                public List<org.lunforge.tcmu.TcmuDevice> devices() {
                    return bridge.devices();
                }

                @Override
                public void close() {
                    bridge.close();
                }
            };
        };
    }

    /**
     * How ring threads wait when idle: blocking by default; {@code -Dlunforge.tcmu.spinMicros=N} spins N µs first,
     * which saves a poll and a wake-up per command when commands follow each other closely, at the price of CPU.
     */
    static WaitStrategy waitStrategy() {
        long spin = Long.getLong("lunforge.tcmu.spinMicros", 0);
        return spin > 0 ? WaitStrategy.spinThenBlock(spin * 1000) : WaitStrategy.blocking();
    }

    private record AppliedDevice(TcmuDevice config, Message objectDefinition, LogicalUnit logicalUnit,
                                 UserBackstore backstore) {
    }

    private record AppliedLoopback(LoopbackTarget config, LoopbackExport export) {
    }

    private record AppliedIscsi(LioIscsiTarget config, IscsiExport export) {
    }

    private final Host host;
    private final TargetConfigfs configfs;
    private final ServingFactory servingFactory;
    private final Function<String, LogicalUnit> logicalUnits;
    private final Map<String, AppliedDevice> devices = new LinkedHashMap<>();
    private final Map<String, AppliedLoopback> loopbacks = new LinkedHashMap<>();
    private final Map<String, AppliedIscsi> iscsiTargets = new LinkedHashMap<>();
    /**
     * The LIO iSCSI portal groups fault injection took down (by {@link #iscsiKey}), and how often each was. An
     * export made again (a change, a restart: an adopted one must be enabled to match) is up; its count goes with it.
     */
    private final Set<String> portsDown = new HashSet<>();
    private final Map<String, Long> timesTakenDown = new TreeMap<>();
    private Serving serving;
    private boolean swept;
    private boolean persist;

    /**
     * @param logicalUnits the daemon's storage objects by path ({@link Daemon#logicalUnit}); called on the bridge's
     *     discovery thread too
     */
    /** The TCMU devices served now, for metrics. */
    synchronized List<org.lunforge.tcmu.TcmuDevice> servedDevices() {
        return serving == null ? List.of() : serving.devices();
    }

    KernelExports(Host host, ServingFactory servingFactory, Function<String, LogicalUnit> logicalUnits) {
        this.host = host;
        this.configfs = new TargetConfigfs(host.target(), host.ops());
        this.servingFactory = servingFactory;
        this.logicalUnits = logicalUnits;
    }

    static boolean wanted(Config config) {
        return config.getTcmuDevicesCount() + config.getLoopbackTargetsCount() + config.getLioIscsiTargetsCount() > 0;
    }

    // ---- the first half: before storage objects change ----

    /**
     * Takes down every export and device that {@code next} does not keep as it is: removed from the configuration,
     * changed, or serving a storage object that {@code next} reopens (its definition changed). Exports first.
     */
    synchronized void retire(Config next) throws IOException {
        Map<String, TcmuDevice> wantedDevices = new LinkedHashMap<>();
        next.getTcmuDevicesList().forEach(d -> wantedDevices.put(d.getName(), d));
        Set<String> kept = new HashSet<>();
        for (AppliedDevice d : devices.values()) {
            TcmuDevice want = wantedDevices.get(d.config().getName());
            if (d.config().equals(want)
                    && Objects.equals(objectDefinition(next, want.getObject()), d.objectDefinition())) {
                kept.add(d.config().getName());
            }
        }
        Map<String, LioIscsiTarget> wantedIscsi = new LinkedHashMap<>();
        next.getLioIscsiTargetsList().forEach(t -> wantedIscsi.put(iscsiKey(t), t));
        for (AppliedIscsi t : List.copyOf(iscsiTargets.values())) {
            if (!t.config().equals(wantedIscsi.get(iscsiKey(t.config())))
                    || !allKept(t.config().getLunsList(), kept)) {
                removeIscsi(t);
            }
        }
        Map<String, LoopbackTarget> wantedLoopbacks = new LinkedHashMap<>();
        next.getLoopbackTargetsList().forEach(t -> wantedLoopbacks.put(loopbackKey(t), t));
        for (AppliedLoopback l : List.copyOf(loopbacks.values())) {
            if (!l.config().equals(wantedLoopbacks.get(loopbackKey(l.config())))
                    || !allKept(l.config().getLunsList(), kept)) {
                removeLoopback(l);
            }
        }
        for (AppliedDevice d : List.copyOf(devices.values())) {
            if (!kept.contains(d.config().getName())) {
                removeDevice(d);
            }
        }
    }

    private static boolean allKept(List<KernelLun> luns, Set<String> kept) {
        return luns.stream().allMatch(l -> kept.contains(l.getTcmuDevice()));
    }

    // ---- the second half: after storage objects changed ----

    /**
     * Creates (or adopts) every device and export of {@code next} that is not there yet, devices served before they
     * are exported. The first time, checks that the host can do it at all and sweeps what a previous daemon left.
     */
    synchronized void build(Config next) throws IOException {
        persist = next.getPersistKernelExports();
        if (!wanted(next) && devices.isEmpty() && loopbacks.isEmpty() && iscsiTargets.isEmpty()) {
            return;
        }
        prepareHost(next);
        // A device whose storage object was replaced behind our back serves a closed logical unit: make it again.
        for (AppliedDevice d : List.copyOf(devices.values())) {
            if (logicalUnits.apply(d.config().getObject()) != d.logicalUnit()) {
                retireWithExports(d);
            }
        }
        if (!swept) {
            sweep(next);
            swept = true;
        }
        for (TcmuDevice d : next.getTcmuDevicesList()) {
            if (!devices.containsKey(d.getName())) {
                createDevice(next, d);
            }
        }
        for (LoopbackTarget t : next.getLoopbackTargetsList()) {
            if (!loopbacks.containsKey(loopbackKey(t))) {
                createLoopback(t);
            }
        }
        for (LioIscsiTarget t : next.getLioIscsiTargetsList()) {
            if (!iscsiTargets.containsKey(iscsiKey(t))) {
                createIscsi(t);
            }
        }
    }

    /** Refuses a host without LIO and TCMU, makes sure PR and ALUA state can be kept, starts the bridge. */
    private void prepareHost(Config next) throws IOException {
        List<String> missing = new ArrayList<>();
        if (!Files.isDirectory(host.target())) {
            missing.add(host.target() + " (mount configfs on " + host.configfs() + " and load target_core_mod)");
        } else {
            if (!loaded("target_core_user", null)) {
                missing.add("the TCMU backstore, target_core_user (modprobe target_core_user)");
            }
            if (next.getLoopbackTargetsCount() > 0 && !loaded("tcm_loop", "loopback")) {
                missing.add("the tcm_loop fabric, tcm_loop (modprobe tcm_loop)");
            }
            if (next.getLioIscsiTargetsCount() > 0 && !loaded("iscsi_target_mod", "iscsi")) {
                missing.add("LIO's iSCSI fabric, iscsi_target_mod (modprobe iscsi_target_mod)");
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("the configuration exports devices through the kernel (tcmu_devices, "
                    + "loopback_targets, lio_iscsi_targets) but this host lacks " + String.join("; ", missing));
        }
        if (serving == null) {
            // LIO keeps persistent reservations in <dbroot>/pr (every PERSISTENT RESERVE OUT fails with NOT READY
            // without it) and ALUA state in <dbroot>/alua. The dbroot itself cannot change once any device exists,
            // so the current one is used as it is.
            String dbroot = host.ops().read(host.target().resolve("dbroot")).strip();
            if (!dbroot.isEmpty()) {
                Files.createDirectories(Path.of(dbroot, "pr"));
                Files.createDirectories(Path.of(dbroot, "alua"));
            }
            serving = servingFactory.start(new TcmuBridge.LogicalUnitFactory() {
                @Override
                public LogicalUnit open(TcmuDeviceInfo device) {
                    String path = device.config();
                    return path.startsWith("/") ? logicalUnits.apply(path) : null;
                }

                @Override
                public void release(TcmuDeviceInfo device, LogicalUnit logicalUnit) {
                    // The daemon's storage object: it outlives this device and may be served elsewhere too.
                }
            });
        }
    }

    /** A module is there if /sys/module knows it, or (for fabrics) its configfs group already exists. */
    private boolean loaded(String module, String fabric) {
        return Files.isDirectory(host.sysModule().resolve(module))
                || (fabric != null && Files.isDirectory(host.target().resolve(fabric)));
    }

    /**
     * The first build: removes devices of our subtype that the configuration does not name, and every fabric LUN
     * that links one of ours but belongs to no export the configuration names.
     */
    private void sweep(Config next) throws IOException {
        Set<String> wantedDevices = new HashSet<>();
        next.getTcmuDevicesList().forEach(d -> wantedDevices.add("core/user_" + hba(d) + "/" + d.getName()));
        Set<String> wantedTpgs = new HashSet<>();
        next.getLoopbackTargetsList().forEach(t -> wantedTpgs.add("loopback/" + t.getWwn() + "/tpgt_1"));
        next.getLioIscsiTargetsList().forEach(t -> wantedTpgs.add("iscsi/" + t.getIqn() + "/tpgt_" + tpgt(t)));
        for (String path : configfs.userBackstores()) {
            String devConfig = host.ops().read(host.target().resolve(path).resolve("attrib/dev_config")).strip();
            if (!devConfig.startsWith(SUBTYPE + "/")) {
                continue;
            }
            boolean wanted = wantedDevices.contains(path);
            int removed = configfs.removeExportsOf(path, wanted ? wantedTpgs : Set.of());
            if (removed > 0) {
                LOG.log(INFO, "%s: removed %d fabric LUNs no configuration names".formatted(path, removed));
            }
            if (!wanted) {
                String[] parts = path.split("/");
                int hba = Integer.parseInt(parts[1].substring("user_".length()));
                configfs.removeBackstore(UserBackstore.of(hba, parts[2], SUBTYPE, "swept", 1));
                awaitStopped(hba, parts[2]);
                LOG.log(INFO, () -> path + ": removed (" + devConfig + ": not in the configuration)");
            }
        }
    }

    private void createDevice(Config config, TcmuDevice d) throws IOException {
        LogicalUnit lu = logicalUnits.apply(d.getObject());
        if (lu == null) {
            throw new IOException("tcmu device " + d.getName() + ": no storage object " + d.getObject());
        }
        UserBackstore b = backstore(d, lu);
        String existing = configfs.devConfig(b.hbaIndex(), b.name());
        if (existing != null) {
            if (!existing.startsWith(SUBTYPE + "/")) {
                throw new IOException(b.path() + " exists and is not lunforge's (dev_config " + existing
                        + "); remove it or name the tcmu device differently");
            }
            List<String> differences = configfs.differences(b);
            if (differences.isEmpty()) {
                LOG.log(INFO, () -> b.path() + ": adopted as it is (" + b.devConfig() + ")");
            } else {
                LOG.log(INFO, () -> b.path() + ": exists but differs (" + String.join("; ", differences)
                        + "); making it again");
                configfs.removeExportsOf(b.path(), Set.of());
                configfs.removeBackstore(b);
                awaitStopped(b.hbaIndex(), b.name());
                existing = null;
            }
        }
        if (existing == null) {
            configfs.createBackstore(b);
            LOG.log(INFO, () -> "%s: created, dev_config %s, %d bytes in blocks of %d, hw_max_sectors %d".formatted(
                    b.path(), b.devConfig(), b.sizeBytes(), b.blockSize(), b.maxSectors()));
        }
        AppliedDevice applied = new AppliedDevice(d, objectDefinition(config, d.getObject()), lu, b);
        devices.put(d.getName(), applied);
        try {
            if (!serving.awaitServing(b.hbaIndex(), b.name(), SERVE_TIMEOUT)) {
                throw new IOException(b.path() + ": not served within " + SERVE_TIMEOUT.toSeconds()
                        + " s; see the log for why (tcmu-bridge)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("waiting for " + b.path() + " to be served");
        }
    }

    /**
     * The user backstore a device's storage object needs. A disk's dev_size is its capacity, hw_block_size its logical
     * block length and hw_max_sectors its MAXIMUM TRANSFER LENGTH (Block Limits VPD page), so that what the kernel
     * device allows and what the logical unit advertises are the same; a tape drive or changer gets a nominal size and
     * room for the largest tape block. Control options among the attributes are checked against that.
     */
    static UserBackstore backstore(TcmuDevice d, LogicalUnit lu) throws IOException {
        Map<String, String> attributes = new TreeMap<>(d.getAttributesMap());
        long size;
        int blockSize;
        long maxSectors;
        if (lu.device().deviceType() == PeripheralDeviceType.DIRECT_ACCESS_BLOCK) {
            BlockDescriptor bd = lu.device().blockDescriptor();
            blockSize = bd.blockLength();
            size = bd.numberOfBlocks() * blockSize;
            maxSectors = maximumTransferLength(lu);
        } else {
            size = NOMINAL_SIZE;
            blockSize = 512;
            maxSectors = TapeCommand.MAX_BLOCK_LENGTH / blockSize;
        }
        String at = "tcmu device " + d.getName() + ": ";
        String hwBlockSize = attributes.remove("hw_block_size");
        if (hwBlockSize != null && !hwBlockSize.equals(Integer.toString(blockSize))) {
            throw new IOException(at + "hw_block_size is the logical block length of " + d.getObject() + " ("
                    + blockSize + "); leave it out");
        }
        String hwMaxSectors = attributes.remove("hw_max_sectors");
        if (hwMaxSectors != null && !hwMaxSectors.equals(Long.toString(maxSectors))) {
            throw new IOException(at + "hw_max_sectors must be the MAXIMUM TRANSFER LENGTH " + d.getObject()
                    + " advertises (" + maxSectors + " blocks); leave it out");
        }
        int dataAreaMb = 0;
        String area = attributes.remove("max_data_area_mb");
        if (area != null) {
            try {
                dataAreaMb = Integer.parseInt(area);
            } catch (NumberFormatException e) {
                throw new IOException(at + "max_data_area_mb is a number of MiB: " + area);
            }
        }
        long largest = maxSectors * blockSize;
        if (largest > ((long) (dataAreaMb > 0 ? dataAreaMb : DEFAULT_DATA_AREA_MB) << 20)) {
            throw new IOException(at + "the data area (max_data_area_mb) cannot hold one command of the largest "
                    + "transfer " + d.getObject() + " accepts (" + largest + " bytes)");
        }
        boolean tmr = !"0".equals(attributes.remove("tmr_notification"));
        try {
            return new UserBackstore(hba(d), d.getName(), SUBTYPE, d.getObject(), size, blockSize,
                    Math.toIntExact(maxSectors), dataAreaMb, tmr, attributes);
        } catch (IllegalArgumentException e) {
            throw new IOException(at + e.getMessage(), e);
        }
    }

    /** MAXIMUM TRANSFER LENGTH from the disk's Block Limits VPD page (SBC-4 6.6.4, page bytes 8..11), in blocks. */
    private static long maximumTransferLength(LogicalUnit lu) throws IOException {
        for (VpdPage page : lu.device().vpdPages()) {
            if (page.pageCode() == 0xB0) {
                byte[] body = page.payload(null); // the page bytes from offset 4; Block Limits is the same on any nexus
                long blocks = BigEndian.u32(body, 4);
                if (blocks > 0) {
                    return blocks;
                }
            }
        }
        throw new IOException(lu.name() + ": a disk without a MAXIMUM TRANSFER LENGTH cannot be sized for TCMU");
    }

    private void createLoopback(LoopbackTarget t) throws IOException {
        List<LoopbackExport.Lun> luns = new ArrayList<>();
        for (KernelLun l : t.getLunsList()) {
            luns.add(new LoopbackExport.Lun(l.getLun(), device(l).backstore()));
        }
        LoopbackExport e = new LoopbackExport(t.getWwn(),
                t.getNexusWwn().isEmpty() ? derivedNexus(t.getWwn()) : t.getNexusWwn(), luns);
        if (host.ops().exists(host.target().resolve(e.path()))) {
            if (configfs.matches(e)) {
                LOG.log(INFO, () -> e.path() + ": adopted as it is");
                loopbacks.put(loopbackKey(t), new AppliedLoopback(t, e));
                return;
            }
            LOG.log(INFO, () -> e.path() + ": exists but differs; making it again");
            configfs.removeLoopbackTree(e.wwn());
        }
        try {
            configfs.createLoopback(e);
        } catch (IOException | RuntimeException failure) {
            undo(failure, () -> configfs.removeLoopbackTree(e.wwn()));
            throw failure;
        }
        loopbacks.put(loopbackKey(t), new AppliedLoopback(t, e));
        LOG.log(INFO, () -> e.path() + ": created, nexus " + e.initiatorWwn() + ", " + luns.size() + " LUNs");
    }

    private void createIscsi(LioIscsiTarget t) throws IOException {
        List<IscsiExport.Lun> luns = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        for (KernelLun l : t.getLunsList()) {
            luns.add(new IscsiExport.Lun(l.getLun(), device(l).backstore()));
            numbers.add(l.getLun());
        }
        IscsiExport.Chap chap = t.getAuthentication() ? chap(t.getChap()) : null;
        List<IscsiExport.Acl> acls = t.getAclsList().stream()
                .map(iqn -> new IscsiExport.Acl(iqn, numbers, false, chap)).toList();
        List<String> portals = t.getPortalsList().stream().map(p -> networkPortal(Portals.parse(p))).toList();
        IscsiExport e = new IscsiExport(t.getIqn(), tpgt(t), portals, luns, acls, t.getGenerateNodeAcls(),
                t.getGenerateNodeAcls() ? chap : null);
        if (host.ops().exists(host.target().resolve(e.path()))) {
            if (configfs.matches(e)) {
                LOG.log(INFO, () -> e.path() + ": adopted as it is");
                iscsiTargets.put(iscsiKey(t), new AppliedIscsi(t, e));
                portsDown.remove(iscsiKey(t));
                return;
            }
            LOG.log(INFO, () -> e.path() + ": exists but differs; making it again");
            configfs.removeIscsiTree(e.iqn(), e.tpgt());
        }
        try {
            configfs.createIscsi(e);
        } catch (IOException | RuntimeException failure) {
            undo(failure, () -> configfs.removeIscsiTree(e.iqn(), e.tpgt()));
            throw failure;
        }
        iscsiTargets.put(iscsiKey(t), new AppliedIscsi(t, e));
        portsDown.remove(iscsiKey(t));
        LOG.log(INFO, () -> e.path() + ": created, portals " + portals + ", " + luns.size() + " LUNs");
    }

    /**
     * Takes a target port of {@code lio_iscsi_targets} down, its portal group disabled (LIO ends the group's sessions
     * and refuses logins to it), or brings it up again; false when no such export is served. Fault injection: never
     * saved, and an export made again is up.
     */
    synchronized boolean iscsiPortDown(String iqn, int tpgt, boolean down) throws IOException {
        String key = iqn.toLowerCase(Locale.ROOT) + ",t," + tpgt;
        AppliedIscsi t = iscsiTargets.get(key);
        if (t == null) {
            return false;
        }
        configfs.enableIscsi(t.export(), !down);
        if (!down) {
            portsDown.remove(key);
        } else if (portsDown.add(key)) {
            timesTakenDown.merge(key, 1L, Long::sum);
        }
        return true;
    }

    /** The target ports of {@code lio_iscsi_targets} and their fault state (LIO counts no refused login for us). */
    synchronized List<FaultInjection.PortState> iscsiPorts() {
        List<FaultInjection.PortState> out = new ArrayList<>();
        iscsiTargets.forEach((key, t) -> out.add(new FaultInjection.PortState(t.export().iqn(), t.export().tpgt(),
                portsDown.contains(key), timesTakenDown.getOrDefault(key, 0L), 0, true)));
        return out;
    }

    private AppliedDevice device(KernelLun l) throws IOException {
        AppliedDevice d = devices.get(l.getTcmuDevice());
        if (d == null) {
            throw new IOException("no tcmu device " + l.getTcmuDevice());
        }
        return d;
    }

    private static IscsiExport.Chap chap(Chap c) {
        if (c.getUserid().isEmpty()) {
            return null;
        }
        return new IscsiExport.Chap(c.getUserid(), c.getPassword(),
                c.getMutualUserid().isEmpty() ? null : c.getMutualUserid(),
                c.getMutualPassword().isEmpty() ? null : c.getMutualPassword());
    }

    /** LIO's name of a network portal: {@code ip:port}, {@code [ipv6]:port}. */
    static String networkPortal(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The nexus WWN of a tcm_loop target named none: its NAA prefix (5, OUI 001405) kept, the rest inverted. */
    static String derivedNexus(String wwn) {
        String hex = wwn.substring("naa.".length());
        long rest = Long.parseUnsignedLong(hex.substring(7), 16);
        return "naa." + hex.substring(0, 7) + "%09x".formatted(~rest & 0xF_FFFF_FFFFL);
    }

    // ---- taking down ----

    private void retireWithExports(AppliedDevice d) throws IOException {
        String name = d.config().getName();
        for (AppliedIscsi t : List.copyOf(iscsiTargets.values())) {
            if (t.config().getLunsList().stream().anyMatch(l -> l.getTcmuDevice().equals(name))) {
                removeIscsi(t);
            }
        }
        for (AppliedLoopback l : List.copyOf(loopbacks.values())) {
            if (l.config().getLunsList().stream().anyMatch(x -> x.getTcmuDevice().equals(name))) {
                removeLoopback(l);
            }
        }
        removeDevice(d);
    }

    private void removeIscsi(AppliedIscsi t) throws IOException {
        configfs.removeIscsiTree(t.export().iqn(), t.export().tpgt());
        iscsiTargets.remove(iscsiKey(t.config()));
        portsDown.remove(iscsiKey(t.config()));
        timesTakenDown.remove(iscsiKey(t.config()));
        LOG.log(INFO, () -> t.export().path() + ": removed");
    }

    private void removeLoopback(AppliedLoopback l) throws IOException {
        configfs.removeLoopbackTree(l.export().wwn());
        loopbacks.remove(loopbackKey(l.config()));
        LOG.log(INFO, () -> l.export().path() + ": removed");
    }

    private void removeDevice(AppliedDevice d) throws IOException {
        UserBackstore b = d.backstore();
        configfs.removeBackstore(b);
        devices.remove(d.config().getName());
        awaitStopped(b.hbaIndex(), b.name());
        LOG.log(INFO, () -> b.path() + ": removed");
    }

    /** Waits until the bridge lets go of a removed device, so that one made again under its name is served anew. */
    private void awaitStopped(int hba, String name) throws IOException {
        if (serving == null) {
            return;
        }
        try {
            if (!serving.awaitStopped(hba, name, SERVE_TIMEOUT)) {
                LOG.log(WARNING, "core/user_" + hba + "/" + name + " was removed but is still being served");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("waiting for core/user_" + hba + "/" + name + " to go");
        }
    }

    /**
     * Daemon stop: takes every export and device down (exports first, while their devices are still served), unless
     * the configuration asks them to persist; then stops serving. Persisting devices keep their exports; their
     * commands wait in the ring, up to each device's cmd_time_out, for the next daemon.
     */
    @Override
    public synchronized void close() {
        if (!persist) {
            for (AppliedIscsi t : List.copyOf(iscsiTargets.values())) {
                quietly(() -> removeIscsi(t), t.export().path());
            }
            for (AppliedLoopback l : List.copyOf(loopbacks.values())) {
                quietly(() -> removeLoopback(l), l.export().path());
            }
            for (AppliedDevice d : List.copyOf(devices.values())) {
                quietly(() -> removeDevice(d), d.backstore().path());
            }
        } else if (!devices.isEmpty()) {
            LOG.log(INFO, () -> devices.size() + " TCMU devices and their exports stay in configfs (persist)");
        }
        if (serving != null) {
            serving.close();
            serving = null;
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void quietly(IoAction action, String what) {
        try {
            action.run();
        } catch (IOException | RuntimeException e) {
            LOG.log(WARNING, "taking down " + what + " failed: " + e);
        }
    }

    private static void undo(Exception failure, IoAction action) {
        try {
            action.run();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    // ---- names ----

    private static int hba(TcmuDevice d) {
        return d.getHba() == 0 ? 1 : d.getHba();
    }

    private static int tpgt(LioIscsiTarget t) {
        return t.getTpgt() == 0 ? 1 : t.getTpgt();
    }

    private static String iscsiKey(LioIscsiTarget t) {
        return t.getIqn().toLowerCase(Locale.ROOT) + ",t," + tpgt(t);
    }

    private static String loopbackKey(LoopbackTarget t) {
        return t.getWwn().toLowerCase(Locale.ROOT);
    }

    /**
     * What decides a storage object's identity: its backstore, or for a changer or drive its whole library (any change
     * to a library reopens all its logical units). Null if the configuration has no such object.
     */
    static Message objectDefinition(Config config, String path) {
        for (Backstore b : config.getBackstoresList()) {
            if (ConfigValidator.backstorePath(b).equals(path)) {
                return b;
            }
        }
        for (TapeLibrary l : config.getLibrariesList()) {
            if (path.startsWith("/vtl/" + l.getName() + "/")) {
                return l;
            }
        }
        return null;
    }

    /** The devices applied, by name: for tests and the shell. */
    synchronized Map<String, UserBackstore> backstores() {
        Map<String, UserBackstore> out = new LinkedHashMap<>();
        devices.forEach((name, d) -> out.put(name, d.backstore()));
        return out;
    }
}
