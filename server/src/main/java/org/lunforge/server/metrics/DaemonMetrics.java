package org.lunforge.server.metrics;

import static java.lang.System.Logger.Level.INFO;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.lunforge.device.tape.TapeDrive;
import org.lunforge.device.tape.TapeDriveStatistics;
import org.lunforge.device.vtl.VirtualTapeLibrary;
import org.lunforge.iscsi.IscsiMeters;
import org.lunforge.iscsi.IscsiPortalGroup;
import org.lunforge.iscsi.IscsiTarget;
import org.lunforge.iscsi.IscsiServer;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.TaskMeter;
import org.lunforge.scsi.fault.LogicalUnitFaults;
import org.lunforge.server.FaultInjection;
import org.lunforge.tcmu.TcmuDevice;

/**
 * The daemon's metrics: the one meter registry (Micrometer's Prometheus registry), what feeds it, and the HTTP
 * endpoint that serves it. Off until the configuration has a {@code metrics} section: then every logical unit, the
 * iSCSI target's ports and logins, each tape drive and library, and each TCMU ring are counted, and {@code GET /metrics} answers; taken
 * out again, the endpoint closes and the I/O path counts nothing.
 *
 * <p>Another part of the daemon adds a meter through {@link #registry()}: e.g.
 * {@code Counter.builder("lunforge.faults.injected").tag("lu", path).register(metrics.registry())} gives
 * {@code lunforge_faults_injected_total{lu="..."}}; a meter on the I/O path must be one registered beforehand and
 * kept (a field), never looked up per command. Meters of things that go away are removed with
 * {@code registry().remove(meter)}.
 */
public final class DaemonMetrics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DaemonMetrics.class.getName());

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final IscsiServer iscsiServer;
    private final IscsiTargetMeters iscsi;
    private final ScsiTaskMeters.Family unitMeters = ScsiTaskMeters.logicalUnits(registry);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<LogicalUnit, ScsiTaskMeters> units = new IdentityHashMap<>();
    /** Device meters (tape drives, libraries) by the logical unit or library they read, to remove with it. */
    private final Map<Object, List<Meter>> devices = new IdentityHashMap<>();
    /** The fault meters of the kernel's iSCSI target ports (lio_iscsi_targets), by port name. */
    private final Map<String, List<Meter>> kernelPortMeters = new HashMap<>();
    private Supplier<List<FaultInjection.PortState>> kernelPorts = List::of;
    private MetricsEndpoint endpoint;
    private boolean counting;

    /** @param iscsiServer the target whose sessions and logins are counted */
    public DaemonMetrics(IscsiServer iscsiServer) {
        this.iscsiServer = iscsiServer;
        this.iscsi = new IscsiTargetMeters(registry);
        IntSupplier sessions = () -> iscsiServer.sessions().size();
        Gauge.builder("lunforge.iscsi.sessions", sessions::getAsInt).description("iSCSI sessions logged in now")
                .strongReference(true).register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Where the target ports of the kernel's iSCSI fabric and their fault state are read ({@code lio_iscsi_targets};
     * {@link FaultInjection#ports}): each gets the port fault meters lunforge's own ports have.
     */
    public synchronized void kernelPorts(Supplier<List<FaultInjection.PortState>> ports) {
        this.kernelPorts = ports;
    }

    /** The registry every meter of the daemon is in: where another part adds its own (see the class comment). */
    public MeterRegistry registry() {
        return registry;
    }

    /** The text exposition of every meter now. */
    public String scrape() {
        return registry.scrape();
    }

    /** Where the endpoint listens now; null when metrics are off. */
    public synchronized InetSocketAddress listening() {
        return endpoint == null ? null : endpoint.address();
    }

    /**
     * Makes the metrics those of a configuration: {@code listen} null turns them off, else the endpoint listens
     * there (moving if it listened elsewhere) and every logical unit and library given is counted, those no longer
     * given forgotten. Throws with the reason when the endpoint cannot listen; the metrics are then off.
     */
    public synchronized void reconcile(InetSocketAddress listen, Collection<LogicalUnit> logicalUnits,
                                       Map<String, VirtualTapeLibrary> libraries, Collection<TcmuDevice> tcmuDevices)
            throws IOException {
        if (listen == null) {
            stop();
            return;
        }
        if (endpoint == null || !sameAddress(endpoint.address(), listen)) {
            stop();
            endpoint = MetricsEndpoint.start(listen, this::scrape);
            LOG.log(INFO, () -> "metrics at http://" + endpoint.address().getHostString() + ":"
                    + endpoint.address().getPort() + "/metrics");
        }
        counting = true;
        iscsiServer.meters(iscsi);
        Map<LogicalUnit, Boolean> wanted = new IdentityHashMap<>();
        logicalUnits.forEach(lu -> wanted.put(lu, true));
        for (LogicalUnit gone : new ArrayList<>(units.keySet())) {
            if (!wanted.containsKey(gone)) {
                forget(gone);
            }
        }
        for (LogicalUnit lu : logicalUnits) {
            count(lu);
        }
        Map<Object, Boolean> libraryWanted = new IdentityHashMap<>();
        libraries.values().forEach(l -> libraryWanted.put(l, true));
        for (Object key : new ArrayList<>(devices.keySet())) {
            if (key instanceof VirtualTapeLibrary l && !libraryWanted.containsKey(l)) {
                devices.remove(key).forEach(registry::remove);
            }
        }
        Map<Object, Boolean> ringWanted = new IdentityHashMap<>();
        tcmuDevices.forEach(d -> ringWanted.put(d, true));
        for (Object key : new ArrayList<>(devices.keySet())) {
            if (key instanceof TcmuDevice d && !ringWanted.containsKey(d)) {
                devices.remove(key).forEach(registry::remove);
            }
        }
        tcmuDevices.forEach(d -> devices.computeIfAbsent(d, k -> tcmuRing(d)));
        libraries.forEach((name, library) -> devices.computeIfAbsent(library, l -> List.of(
                FunctionCounter.builder("lunforge.library.moves", library, VirtualTapeLibrary::moves)
                        .tag("library", name).description("Cartridges moved (MOVE MEDIUM; EXCHANGE MEDIUM: two)")
                        .register(registry))));
        Map<Object, Boolean> groupWanted = new IdentityHashMap<>();
        for (IscsiTarget t : iscsiServer.targets()) {
            for (IscsiPortalGroup g : t.portalGroups()) {
                groupWanted.put(g, true);
                devices.computeIfAbsent(g, k -> portFaults(t.targetPort(g).name(), g));
            }
        }
        for (Object key : new ArrayList<>(devices.keySet())) {
            if (key instanceof IscsiPortalGroup g && !groupWanted.containsKey(g)) {
                devices.remove(key).forEach(registry::remove);
            }
        }
        Set<String> kernelWanted = new HashSet<>();
        for (FaultInjection.PortState p : kernelPorts.get()) {
            String port = kernelPortName(p);
            kernelWanted.add(port);
            kernelPortMeters.computeIfAbsent(port, this::kernelPortFaults);
        }
        kernelPortMeters.keySet().removeIf(port -> {
            if (kernelWanted.contains(port)) {
                return false;
            }
            kernelPortMeters.get(port).forEach(registry::remove);
            return true;
        });
    }

    /** The SCSI name of a kernel iSCSI target port, as lunforge's own ports are named: {@code IQN,t,0xTPGT}. */
    private static String kernelPortName(FaultInjection.PortState p) {
        return p.target() + ",t,0x%04x".formatted(p.tag());
    }

    /** {@link #portFaults} for a port the kernel serves: its state read from the kernel exports at each scrape. */
    private List<Meter> kernelPortFaults(String port) {
        ToDoubleFunction<Supplier<List<FaultInjection.PortState>>> down = ports -> ports.get()
                .stream().anyMatch(p -> p.down() && kernelPortName(p).equals(port)) ? 1 : 0;
        ToDoubleFunction<Supplier<List<FaultInjection.PortState>>> times = ports -> ports.get()
                .stream().filter(p -> kernelPortName(p).equals(port))
                .mapToLong(FaultInjection.PortState::timesTakenDown).sum();
        return List.of(
                Gauge.builder("lunforge.port.down", kernelPorts, down).tag("target_port", port).strongReference(true)
                        .description("1 while the target port is taken down (fault injection)").register(registry),
                FunctionCounter.builder("lunforge.port.taken.down", kernelPorts, times).tag("target_port", port)
                        .description("Times the target port was taken down (fault injection)").register(registry));
    }

    /**
     * The logical units counted change by a few ({@code gone} forgotten, {@code added} counted), the rest untouched: a
     * change of a few objects costs the same beside ten units or a thousand. Nothing when metrics are off.
     */
    public synchronized void unitsChanged(Collection<LogicalUnit> gone, Collection<LogicalUnit> added) {
        if (!counting) {
            return;
        }
        gone.forEach(lu -> {
            if (units.containsKey(lu)) {
                forget(lu);
            }
        });
        added.forEach(this::count);
    }

    private void count(LogicalUnit lu) {
        if (units.containsKey(lu)) {
            return;
        }
        ScsiTaskMeters meters = unitMeters.meters(lu.name());
        units.put(lu, meters);
        lu.meter(meters);
        List<Meter> of = new ArrayList<>(faults(lu));
        if (lu.device() instanceof TapeDrive drive) {
            of.addAll(tapeDrive(lu.name(), drive.statistics()));
        }
        devices.put(lu, of);
    }

    /** A target port taken down by fault injection: down now (1) or not (0), and how often it was taken down. */
    private List<Meter> portFaults(String port, IscsiPortalGroup g) {
        return List.of(
                Gauge.builder("lunforge.port.down", g, x -> x.down() ? 1 : 0).tag("target_port", port)
                        .description("1 while the target port is taken down (fault injection)").register(registry),
                FunctionCounter.builder("lunforge.port.taken.down", g, IscsiPortalGroup::timesTakenDown)
                        .tag("target_port", port).description("Times the target port was taken down (fault injection)")
                        .register(registry));
    }

    private List<Meter> tcmuRing(TcmuDevice d) {
        String device = "user_" + d.info().hbaId() + "/" + d.info().deviceName();
        return List.of(
                Gauge.builder("lunforge.tcmu.ring.commands", d, TcmuDevice::inFlight).tag("device", device)
                        .strongReference(true).description("Commands read from the ring and not yet completed")
                        .register(registry),
                FunctionCounter.builder("lunforge.tcmu.ring.stalls", d, TcmuDevice::stallCount).tag("device", device)
                        .description("Times the command ring filled up and the kernel held commands back")
                        .register(registry),
                FunctionCounter.builder("lunforge.tcmu.ring.commands.read", d, TcmuDevice::commandCount)
                        .tag("device", device).description("Commands read from the ring").register(registry));
    }

    private List<Meter> tapeDrive(String path, TapeDriveStatistics s) {
        List<Meter> meters = new ArrayList<>();
        meters.add(FunctionCounter.builder("lunforge.tape.drive.written", s, TapeDriveStatistics::hostBytesWritten)
                .baseUnit("bytes").tag("drive", path).description("Bytes written by initiators").register(registry));
        meters.add(FunctionCounter.builder("lunforge.tape.drive.read", s, TapeDriveStatistics::hostBytesRead)
                .baseUnit("bytes").tag("drive", path).description("Bytes read by initiators").register(registry));
        meters.add(FunctionCounter.builder("lunforge.tape.drive.medium.written", s,
                TapeDriveStatistics::mediumBytesWritten).baseUnit("bytes").tag("drive", path)
                .description("Bytes the cartridges stored for what was written").register(registry));
        meters.add(FunctionCounter.builder("lunforge.tape.drive.written.blocks", s, TapeDriveStatistics::blocksWritten)
                .tag("drive", path).description("Blocks written").register(registry));
        meters.add(FunctionCounter.builder("lunforge.tape.drive.read.blocks", s, TapeDriveStatistics::blocksRead)
                .tag("drive", path).description("Blocks read").register(registry));
        meters.add(FunctionCounter.builder("lunforge.tape.drive.filemarks", s, TapeDriveStatistics::filemarksWritten)
                .tag("drive", path).description("Filemarks written").register(registry));
        meters.add(FunctionCounter.builder("lunforge.tape.drive.mounts", s, TapeDriveStatistics::mounts)
                .tag("drive", path).description("Cartridges mounted").register(registry));
        meters.add(Gauge.builder("lunforge.tape.drive.compression.ratio", s, TapeDriveStatistics::compressionRatio)
                .tag("drive", path).strongReference(true)
                .description("Bytes written per byte stored (1: nothing compressed)").register(registry));
        return meters;
    }

    /** Fault injection on a unit (issue 12: every injection visible in the metrics): armed now, and fired in all. */
    private List<Meter> faults(LogicalUnit lu) {
        LogicalUnitFaults f = lu.faults();
        return List.of(
                Gauge.builder("lunforge.lu.faults.armed", f, LogicalUnitFaults::armedCount).tag("lu", lu.name())
                        .description("Faults armed on the unit and not yet spent (fault injection)").register(registry),
                FunctionCounter.builder("lunforge.lu.faults.fired", f, LogicalUnitFaults::firedTotal)
                        .tag("lu", lu.name()).description("Commands an injected fault answered or delayed")
                        .register(registry));
    }

    private void forget(LogicalUnit lu) {
        lu.meter(TaskMeter.NONE);
        units.remove(lu).close();
        List<Meter> meters = devices.remove(lu);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    private static boolean sameAddress(InetSocketAddress a, InetSocketAddress b) {
        return a.getPort() == b.getPort() && a.getAddress().equals(b.getAddress());
    }

    /** Metrics off: the endpoint closed, nothing counted, the per-unit meters gone (counting restarts at 0). */
    private void stop() {
        if (endpoint != null) {
            endpoint.close();
            endpoint = null;
        }
        if (counting) {
            iscsiServer.meters(IscsiMeters.NONE);
            new ArrayList<>(units.keySet()).forEach(this::forget);
            new ArrayList<>(devices.keySet()).forEach(k -> devices.remove(k).forEach(registry::remove));
            kernelPortMeters.values().forEach(meters -> meters.forEach(registry::remove));
            kernelPortMeters.clear();
            counting = false;
        }
    }

    @Override
    public synchronized void close() {
        stop();
        iscsi.close();
        gc.close();
        registry.close();
    }
}
