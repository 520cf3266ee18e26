package org.lunforge.tcmu;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.Nexus;

/**
 * Serves every TCMU device whose subtype is ours: finds uio devices named {@code tcm-user/<hba>/<dev>/<subtype>/<cfg>},
 * asks the caller's factory for the logical unit of each, and serves each on its own thread until the device goes
 * away or the bridge closes.
 *
 * <p>Discovery watches {@code /dev} (devtmpfs reports new uio nodes through inotify) and rescans
 * {@code /sys/class/uio} periodically; it uses no netlink, so the kernel never waits for a reply from us (a daemon
 * that sends SET_FEATURES and then dies hangs configfs). Devices that exist when the bridge starts were possibly
 * left by a daemon that died with commands in the ring: they are blocked, their ring reset (pending commands fail
 * with BUSY and are retried by the initiator), then served and unblocked, as tcmu-runner does.
 */
public final class TcmuBridge implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TcmuBridge.class.getName());

    /** Where the kernel's interfaces are; tests point them at a fake tree. */
    public record Paths(Path sysClassUio, Path dev, Path configfsTarget) {
        public static Paths system() {
            return new Paths(Path.of("/sys/class/uio"), Path.of("/dev"), Path.of("/sys/kernel/config/target"));
        }
    }

    /**
     * Makes the logical unit for a device of our subtype; called on the discovery thread, once per device served.
     */
    @FunctionalInterface
    public interface LogicalUnitFactory {
        /**
         * Returns the logical unit, or null to leave the device alone for now (an unknown config, say); a declined
         * device is asked about again at the next scan.
         */
        LogicalUnit open(TcmuDeviceInfo device) throws Exception;

        /**
         * The device is no longer served (it went away, or the bridge closed). By default the logical unit is closed:
         * it was made for this device. A factory that hands out logical units it does not own (the daemon's, also
         * reachable through other frontends) leaves them open.
         */
        default void release(TcmuDeviceInfo device, LogicalUnit logicalUnit) {
            logicalUnit.close();
        }
    }

    private final String subtype;
    private final LogicalUnitFactory factory;
    private final WaitStrategy waitStrategy;
    private final Paths paths;
    private final Duration rescanInterval;
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private final Map<String, String> refused = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private Thread watcher;
    private WatchService watchService;

    private record Served(TcmuDevice device, LogicalUnit logicalUnit) {
    }

    public TcmuBridge(String subtype, LogicalUnitFactory factory, WaitStrategy waitStrategy, Paths paths,
                      Duration rescanInterval) {
        this.subtype = Objects.requireNonNull(subtype, "subtype");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.waitStrategy = Objects.requireNonNull(waitStrategy, "waitStrategy");
        this.paths = Objects.requireNonNull(paths, "paths");
        this.rescanInterval = rescanInterval;
    }

    /** The usual bridge: the system's paths, blocking waits, a rescan every second. */
    public TcmuBridge(String subtype, LogicalUnitFactory factory) {
        this(subtype, factory, WaitStrategy.blocking(), Paths.system(), Duration.ofSeconds(1));
    }

    /** Serves the devices that exist now (recovering their rings), then watches for new ones. */
    public synchronized void start() throws IOException {
        scan(true);
        try {
            watchService = paths.dev().getFileSystem().newWatchService();
            paths.dev().register(watchService, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(WARNING, () -> "cannot watch " + paths.dev() + "; rescanning only: " + e);
            watchService = null;
        }
        watcher = Thread.ofPlatform().name("tcmu-discovery").daemon(true).start(this::watch);
    }

    private void watch() {
        while (!closed) {
            try {
                if (watchService != null) {
                    var key = watchService.poll(rescanInterval.toMillis(), TimeUnit.MILLISECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                } else {
                    Thread.sleep(rescanInterval.toMillis());
                }
                if (!closed) {
                    scan(false);
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(ERROR, "discovery failed", e);
            }
        }
    }

    /** Looks at every uio device once and serves the new ones of our subtype. */
    public synchronized void scan() {
        scan(false);
    }

    private synchronized void scan(boolean adopt) {
        if (closed) {
            return;
        }
        List<Path> entries;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(paths.sysClassUio(), "uio*")) {
            entries = new java.util.ArrayList<>();
            dir.forEach(entries::add);
        } catch (NoSuchFileException e) {
            return; // uio not loaded: no devices
        } catch (IOException e) {
            LOG.log(WARNING, () -> "cannot list " + paths.sysClassUio() + ": " + e);
            return;
        }
        // A refusal holds for one uio device: once it is gone, a device made again under that number is new.
        java.util.Set<String> present = new java.util.HashSet<>();
        entries.forEach(e -> present.add(e.getFileName().toString()));
        refused.keySet().removeIf(key -> !present.contains(key.substring(0, key.indexOf(' '))));
        for (Path entry : entries) {
            String uio = entry.getFileName().toString();
            if (served.containsKey(uio)) {
                continue;
            }
            Optional<TcmuDeviceInfo> info = describe(entry);
            if (info.isEmpty() || !info.get().subtype().equals(subtype)) {
                continue;
            }
            String key = uio + " " + info.get().backstoreName();
            if (refused.containsKey(key)) {
                continue;
            }
            try {
                serve(info.get(), adopt);
            } catch (Exception | InternalError e) { // InternalError: a fault in the mapping (SIGBUS)
                refused.put(key, String.valueOf(e.getMessage()));
                LOG.log(ERROR, () -> uio + ": cannot serve " + info.get().backstoreName(), e);
            }
        }
    }

    /** Reads {@code name} and {@code maps/map0/size} of one uio device; empty if it is not a TCMU device. */
    Optional<TcmuDeviceInfo> describe(Path sysEntry) {
        try {
            String name = Files.readString(sysEntry.resolve("name")).strip();
            String size = Files.readString(sysEntry.resolve("maps/map0/size")).strip();
            long mapSize = size.startsWith("0x") ? Long.parseUnsignedLong(size.substring(2), 16) : Long.parseLong(size);
            return TcmuDeviceInfo.parse(sysEntry.getFileName().toString(), name, mapSize);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // not (yet) complete, or not ours
        }
    }

    private void serve(TcmuDeviceInfo info, boolean adopt) throws Exception {
        LogicalUnit lu = factory.open(info);
        if (lu == null) {
            return;
        }
        Nexus nexus = TcmuDevice.nexusFor(info);
        Path action = paths.configfsTarget().resolve(info.configfsPath()).resolve("action");
        boolean recover = adopt && Files.isDirectory(action);
        TcmuDevice device;
        try {
            device = TcmuDevice.open(paths.dev().resolve(info.uio()), info, TcmuCommandHandler.of(lu, nexus),
                    waitStrategy, nexus, recover ? () -> {
                        // Stop new commands, fail those a dead daemon left in the ring (BUSY: retried).
                        writeAction(action, "block_dev", "1");
                        writeAction(action, "reset_ring", "1");
                    } : null);
        } catch (Exception e) {
            release(info, lu);
            if (recover) {
                writeQuietly(action, "block_dev", "0");
            }
            throw e;
        }
        served.put(info.uio(), new Served(device, lu));
        device.start(this::exited);
        if (recover) {
            writeQuietly(action, "block_dev", "0");
        }
        notifyAll();
    }

    private static void writeAction(Path action, String name, String value) throws IOException {
        Files.writeString(action.resolve(name), value);
    }

    private static void writeQuietly(Path action, String name, String value) {
        try {
            writeAction(action, name, value);
        } catch (IOException e) {
            LOG.log(WARNING, () -> "cannot write " + action.resolve(name) + ": " + e);
        }
    }

    private void exited(TcmuDevice device) {
        Served s = served.remove(device.info().uio());
        if (s != null) {
            LOG.log(INFO, () -> device.info().uio() + ": no longer served (" + device.info().backstoreName() + ")");
            release(device.info(), s.logicalUnit());
        }
    }

    private void release(TcmuDeviceInfo info, LogicalUnit lu) {
        try {
            factory.release(info, lu);
        } catch (RuntimeException e) {
            LOG.log(WARNING, "releasing " + lu + " failed", e);
        }
    }

    /**
     * Waits until the device {@code user_<hba>/<name>} is served: exports through a fabric must not be created before
     * that, or the kernel's commands time out in the ring (cmd_time_out, 30 s).
     */
    public synchronized boolean awaitServing(int hbaId, String deviceName, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            scan(false);
            if (served.values().stream().anyMatch(s -> s.device().info().hbaId() == hbaId
                    && s.device().info().deviceName().equals(deviceName) && s.device().isServing())) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
        }
    }

    /**
     * Waits until no device {@code user_<hba>/<name>} is served any more: after its backstore was removed, its ring
     * thread sees the uio device go and lets go of it. A device made again under the same name is then new to us.
     */
    public boolean awaitStopped(int hbaId, String deviceName, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (served.values().stream().anyMatch(s -> s.device().info().hbaId() == hbaId
                && s.device().info().deviceName().equals(deviceName))) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** The devices served now. */
    public List<TcmuDevice> devices() {
        return served.values().stream().map(Served::device).toList();
    }

    /**
     * Stops serving every device (each drains what the kernel already queued) and stops discovery. The devices stay
     * in configfs; the next daemon adopts them.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (watcher != null) {
            watcher.interrupt();
        }
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException e) {
                LOG.log(WARNING, "closing the watch service failed", e);
            }
        }
        for (Served s : List.copyOf(served.values())) {
            s.device().close();
        }
    }
}
