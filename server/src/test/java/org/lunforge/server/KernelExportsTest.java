package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigException;
import org.lunforge.server.config.ConfigJson;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.Metrics;
import org.lunforge.tcmu.FakeConfigfs;
import org.lunforge.tcmu.TcmuBridge;
import org.lunforge.tcmu.TcmuDeviceInfo;

/**
 * The daemon's kernel exports against the bridge's fake configfs: what is created, in which order, what an unchanged,
 * changed or removed configuration does, what a restarted daemon adopts, and what a host without LIO is told.
 */
class KernelExportsTest {
    @TempDir
    Path tmp;

    private FakeConfigfs fs;
    private KernelExports.Host host;
    private final List<FakeServing> servings = new ArrayList<>();
    private final List<Daemon> daemons = new ArrayList<>();

    private static final String DISK = """
            { "name": "disk0", "memory": { "size": "64M" } }""";
    private static final String DEVICE = """
            { "name": "disk0", "object": "/backstores/memory/disk0",
              "attributes": { "cmd_time_out": "5", "qfull_time_out": "5" } }""";
    private static final String LOOPBACK = """
            { "wwn": "naa.5001405000000001", "luns": [ { "lun": 0, "tcmu_device": "disk0" } ] }""";
    private static final String LIO_ISCSI = """
            { "iqn": "iqn.2003-01.org.lunforge.lab:tcmu", "portals": ["127.0.0.1:3260"], "generate_node_acls": true,
              "luns": [ { "lun": 0, "tcmu_device": "disk0" } ] }""";

    /** Marks a device served once it exists in the fake configfs, asking the daemon's factory for its logical unit. */
    final class FakeServing implements KernelExports.Serving {
        final TcmuBridge.LogicalUnitFactory factory;
        final Map<String, LogicalUnit> served = new ConcurrentHashMap<>();
        boolean closed;

        FakeServing(TcmuBridge.LogicalUnitFactory factory) {
            this.factory = factory;
        }

        @Override
        public boolean awaitServing(int hba, String name, Duration timeout) {
            Path dev = fs.root.resolve("core/user_" + hba + "/" + name);
            if (!Files.exists(dev)) {
                return false;
            }
            try {
                String devConfig = Files.readString(dev.resolve("attrib/dev_config")).strip();
                TcmuDeviceInfo info = TcmuDeviceInfo.parse("uio" + served.size(),
                        "tcm-user/" + hba + "/" + name + "/" + devConfig, 4096).orElseThrow();
                LogicalUnit lu = factory.open(info);
                if (lu == null) {
                    return false;
                }
                served.put("user_" + hba + "/" + name, lu);
                fs.log.add("served user_" + hba + "/" + name);
                return true;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public boolean awaitStopped(int hba, String name, Duration timeout) {
            served.remove("user_" + hba + "/" + name);
            return !Files.exists(fs.root.resolve("core/user_" + hba + "/" + name));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        Path configfs = tmp.resolve("config");
        fs = new FakeConfigfs(configfs.resolve("target"));
        Files.writeString(fs.root.resolve("dbroot"), tmp.resolve("dbroot") + "\n");
        for (String module : List.of("target_core_user", "tcm_loop", "iscsi_target_mod")) {
            Files.createDirectories(tmp.resolve("sys/module").resolve(module));
        }
        host = new KernelExports.Host(configfs, tmp.resolve("sys/module"), fs);
    }

    @AfterEach
    void tearDown() {
        daemons.forEach(Daemon::close);
    }

    private void close(Daemon d) {
        daemons.remove(d);
        d.close();
    }

    private Daemon daemon() throws IOException {
        Daemon d = new Daemon(tmp.resolve("state"), host, factory -> {
            FakeServing s = new FakeServing(factory);
            servings.add(s);
            return s;
        });
        daemons.add(d);
        return d;
    }

    private static Config config(String... sections) throws ConfigException {
        String json = "{ " + String.join(", ", sections) + " }";
        ConfigJson.Parsed parsed = ConfigJson.read("test.json", json);
        ConfigValidator.validate(parsed, "test.json");
        return parsed.config();
    }

    private static Config full() throws ConfigException {
        return config("\"backstores\": [" + DISK + "]", "\"tcmu_devices\": [" + DEVICE + "]",
                "\"loopback_targets\": [" + LOOPBACK + "]", "\"lio_iscsi_targets\": [" + LIO_ISCSI + "]");
    }

    private int indexOf(String entry) {
        int i = fs.log.indexOf(entry);
        assertTrue(i >= 0, () -> "no '" + entry + "' in " + fs.log);
        return i;
    }

    private String attribute(String device, String name) throws IOException {
        return Files.readString(fs.root.resolve("core/user_1").resolve(device).resolve("attrib").resolve(name)).strip();
    }

    @Test
    void createsTheBackstoreSizedFromTheDiskServesItThenExportsIt() throws Exception {
        Daemon d = daemon();
        d.apply(full());

        assertEquals("lunforge//backstores/memory/disk0", attribute("disk0", "dev_config"));
        assertEquals(Long.toString(64L << 20), attribute("disk0", "dev_size"));
        assertEquals("512", attribute("disk0", "hw_block_size"));
        // The disk's MAXIMUM TRANSFER LENGTH (64 MiB of 512-byte blocks) is what the kernel device allows.
        assertEquals("131072", attribute("disk0", "hw_max_sectors"));
        assertEquals("1", attribute("disk0", "tmr_notification"));
        assertEquals("5", attribute("disk0", "cmd_time_out"));
        assertTrue(Files.isDirectory(tmp.resolve("dbroot/pr")), "LIO keeps PR state in <dbroot>/pr");

        int enabled = indexOf("write core/user_1/disk0/enable 1");
        int cmdTimeOut = indexOf("write core/user_1/disk0/attrib/cmd_time_out 5");
        int served = indexOf("served user_1/disk0");
        int loopLink = indexOf("link loopback/naa.5001405000000001/tpgt_1/lun/lun_0/disk0 -> core/user_1/disk0");
        int iscsiLink = indexOf("link iscsi/iqn.2003-01.org.lunforge.lab:tcmu/tpgt_1/lun/lun_0/disk0 -> core/user_1/disk0");
        assertTrue(enabled < served && cmdTimeOut < served, "attributes are set before the device is served");
        assertTrue(served < loopLink && served < iscsiLink, "nothing exports a device before it is served");
        assertEquals("naa.5001405ffffffffe", Files.readString(
                fs.root.resolve("loopback/naa.5001405000000001/tpgt_1/nexus")).strip(), "nexus derived from the wwn");
        indexOf("mkdir iscsi/iqn.2003-01.org.lunforge.lab:tcmu/tpgt_1/np/127.0.0.1:3260");

        // The factory resolves dev_config "lunforge/<path>" to the daemon's logical unit of that path.
        assertSame(d.logicalUnit("/backstores/memory/disk0"), servings.getFirst().served.get("user_1/disk0"));
    }

    @Test
    void anUnchangedConfigurationTouchesNothing() throws Exception {
        Daemon d = daemon();
        d.apply(full());
        int before = fs.log.size();
        d.apply(full());
        assertEquals(List.of(), fs.log.subList(before, fs.log.size()));
    }

    @Test
    void removedObjectsAreTakenDownExportsFirst() throws Exception {
        Daemon d = daemon();
        d.apply(full());
        int before = fs.log.size();
        d.apply(config("\"backstores\": [" + DISK + "]"));

        List<String> log = fs.log.subList(before, fs.log.size());
        int iscsi = log.indexOf("rmdir iscsi/iqn.2003-01.org.lunforge.lab:tcmu/tpgt_1");
        int loop = log.indexOf("rmdir loopback/naa.5001405000000001/tpgt_1");
        int device = log.indexOf("rmdir core/user_1/disk0");
        assertTrue(iscsi >= 0 && loop >= 0 && device >= 0, log::toString);
        assertTrue(iscsi < device && loop < device, "exports go before the backstore they link: " + log);
        assertEquals(List.of(), withoutDbroot(fs.leftovers()));
    }

    @Test
    void aRemovedExportLeavesTheDeviceAndTheOtherExportAlone() throws Exception {
        Daemon d = daemon();
        d.apply(full());
        int before = fs.log.size();
        d.apply(config("\"backstores\": [" + DISK + "]", "\"tcmu_devices\": [" + DEVICE + "]",
                "\"loopback_targets\": [" + LOOPBACK + "]"));
        List<String> log = fs.log.subList(before, fs.log.size());
        assertTrue(log.contains("rmdir iscsi/iqn.2003-01.org.lunforge.lab:tcmu/tpgt_1"), log::toString);
        assertTrue(log.stream().noneMatch(e -> e.contains("loopback/") || e.contains("core/user_1/disk0")),
                "the device and the tcm_loop export are untouched: " + log);
    }

    @Test
    void aChangedStorageObjectGetsItsDeviceAndExportsMadeAgain() throws Exception {
        Daemon d = daemon();
        d.apply(full());
        LogicalUnit old = d.logicalUnit("/backstores/memory/disk0");
        int before = fs.log.size();
        d.apply(full().toBuilder().setBackstores(0, full().getBackstores(0).toBuilder()
                .setMemory(full().getBackstores(0).getMemory().toBuilder().setSize(128L << 20))).build());

        List<String> log = fs.log.subList(before, fs.log.size());
        int removed = log.indexOf("rmdir core/user_1/disk0");
        int made = log.indexOf("mkdir core/user_1/disk0");
        int exported = log.indexOf("link loopback/naa.5001405000000001/tpgt_1/lun/lun_0/disk0 -> core/user_1/disk0");
        assertTrue(removed >= 0 && removed < made && made < exported, log::toString);
        assertEquals(Long.toString(128L << 20), attribute("disk0", "dev_size"));
        LogicalUnit now = d.logicalUnit("/backstores/memory/disk0");
        assertNotSame(old, now);
        assertSame(now, servings.getFirst().served.get("user_1/disk0"));
    }

    @Test
    void aChangedAttributeMakesTheDeviceAgain() throws Exception {
        Daemon d = daemon();
        d.apply(full());
        int before = fs.log.size();
        d.apply(config("\"backstores\": [" + DISK + "]", "\"tcmu_devices\": [" + DEVICE.replace("\"5\" }", "\"9\" }")
                + "]", "\"loopback_targets\": [" + LOOPBACK + "]", "\"lio_iscsi_targets\": [" + LIO_ISCSI + "]"));
        List<String> log = fs.log.subList(before, fs.log.size());
        assertTrue(log.contains("rmdir core/user_1/disk0") && log.contains("mkdir core/user_1/disk0"), log::toString);
        assertEquals("9", attribute("disk0", "qfull_time_out"));
    }

    @Test
    void stopTakesEverythingDownUnlessItPersists() throws Exception {
        Daemon d = daemon();
        d.apply(full());
        close(d);
        assertEquals(List.of(), withoutDbroot(fs.leftovers()));
        assertTrue(servings.getFirst().closed);

        Daemon p = daemon();
        p.apply(full().toBuilder().setPersistKernelExports(true).build());
        close(p);
        assertTrue(Files.isDirectory(fs.root.resolve("core/user_1/disk0")));
        assertTrue(Files.isSymbolicLink(fs.root.resolve("loopback/naa.5001405000000001/tpgt_1/lun/lun_0/disk0")));
    }

    @Test
    void aKernelIscsiPortTakenDownIsDisabledListedCountedAndUpAgainAfterARestart() throws Exception {
        Config persisting = full().toBuilder().setPersistKernelExports(true).build();
        Daemon d = daemon();
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        d.apply(persisting.toBuilder().setMetrics(Metrics.newBuilder()
                .setListen("127.0.0.1:" + free)).build());
        String iqn = "iqn.2003-01.org.lunforge.lab:tcmu";
        Path enable = fs.root.resolve("iscsi/" + iqn + "/tpgt_1/enable");
        assertEquals("1", Files.readString(enable).strip());

        d.faults().portDown(iqn.toUpperCase(Locale.ROOT), 1, true); // IQNs compare without case
        assertEquals("0", Files.readString(enable).strip());
        FaultInjection.PortState state = d.faults().ports().stream().filter(FaultInjection.PortState::kernel)
                .findFirst().orElseThrow();
        assertEquals(new FaultInjection.PortState(iqn, 1, true, 1, 0, true), state);
        String port = "{target_port=\"" + iqn + ",t,0x0001\"}";
        String scrape = d.metrics().scrape();
        assertTrue(scrape.contains("lunforge_port_down" + port + " 1.0\n"), scrape);
        assertTrue(scrape.contains("lunforge_port_taken_down_total" + port + " 1.0\n"), scrape);
        assertTrue(Files.isSymbolicLink(fs.root.resolve("iscsi/" + iqn + "/tpgt_1/lun/lun_0/disk0")),
                "the LUNs stay for the port to come up");
        d.faults().portDown(iqn, 1, true);
        assertEquals(1, d.faults().ports().stream().filter(FaultInjection.PortState::kernel).findFirst()
                .orElseThrow().timesTakenDown(), "already down: not taken down again");
        assertThrows(IllegalArgumentException.class, () -> d.faults().portDown(iqn, 2, true));

        // Down is never saved: the export left in the kernel disabled is made again, enabled, by the next daemon.
        close(d);
        assertEquals("0", Files.readString(enable).strip());
        Daemon next = daemon();
        next.apply(persisting);
        assertEquals("1", Files.readString(enable).strip());
        assertFalse(next.faults().ports().stream().filter(FaultInjection.PortState::kernel).findFirst()
                .orElseThrow().down());

        next.faults().portDown(iqn, 1, true);
        next.faults().portDown(iqn, 1, false);
        assertEquals("1", Files.readString(enable).strip());
        assertEquals(new FaultInjection.PortState(iqn, 1, false, 1, 0, true), next.faults().ports().stream()
                .filter(FaultInjection.PortState::kernel).findFirst().orElseThrow());
    }

    @Test
    void aRestartedDaemonAdoptsWhatItsPredecessorLeftWithoutMakingItAgain() throws Exception {
        Config persisting = full().toBuilder().setPersistKernelExports(true).build();
        Daemon first = daemon();
        first.apply(persisting);
        close(first);

        int before = fs.log.size();
        Daemon second = daemon();
        second.apply(persisting);
        assertEquals(List.of("served user_1/disk0"), fs.log.subList(before, fs.log.size()),
                "adopted: served again, nothing written, made or removed");
        assertSame(second.logicalUnit("/backstores/memory/disk0"), servings.getLast().served.get("user_1/disk0"));
    }

    @Test
    void aRestartedDaemonRemakesWhatDiffersAndSweepsWhatNoConfigurationNames() throws Exception {
        Config persisting = config("\"backstores\": [" + DISK + ", " + DISK.replace("disk0", "disk1") + "]",
                "\"tcmu_devices\": [" + DEVICE + ", " + DEVICE.replace("disk0", "disk1") + "]",
                "\"loopback_targets\": [" + LOOPBACK.replace("\"disk0\" }", "\"disk0\" }, "
                        + "{ \"lun\": 1, \"tcmu_device\": \"disk1\" }") + "]",
                "\"persist_kernel_exports\": true");
        Daemon first = daemon();
        first.apply(persisting);
        close(first);
        // Someone else's device, which must be left alone.
        Files.createDirectories(fs.root.resolve("core/user_9"));
        fs.mkdir(fs.root.resolve("core/user_9/theirs"));
        fs.write(fs.root.resolve("core/user_9/theirs/control"), "dev_config=qcow//var/lib/theirs.qcow2");

        // Now disk1 is gone from the configuration and disk0 has another time-out.
        Daemon second = daemon();
        second.apply(config("\"backstores\": [" + DISK + "]", "\"tcmu_devices\": [" + DEVICE.replace("\"5\", \"q",
                "\"7\", \"q") + "]", "\"loopback_targets\": [" + LOOPBACK + "]"));
        assertFalse(Files.exists(fs.root.resolve("core/user_1/disk1")), "swept");
        assertFalse(Files.exists(fs.root.resolve("loopback/naa.5001405000000001/tpgt_1/lun/lun_1")), "swept");
        assertEquals("7", attribute("disk0", "cmd_time_out"));
        assertTrue(Files.isSymbolicLink(fs.root.resolve("loopback/naa.5001405000000001/tpgt_1/lun/lun_0/disk0")));
        assertTrue(Files.isDirectory(fs.root.resolve("core/user_9/theirs")));
    }

    @Test
    void aDeviceOfAnotherHandlerUnderOurNameIsRefused() throws Exception {
        Files.createDirectories(fs.root.resolve("core/user_1"));
        fs.mkdir(fs.root.resolve("core/user_1/disk0"));
        fs.write(fs.root.resolve("core/user_1/disk0/control"), "dev_config=qcow//var/lib/x.qcow2");
        Daemon d = daemon();
        IOException e = assertThrows(IOException.class, () -> d.apply(full()));
        assertTrue(e.getMessage().contains("core/user_1/disk0 exists and is not lunforge's"), e.getMessage());
        assertTrue(Files.isDirectory(fs.root.resolve("core/user_1/disk0")), "left alone");
    }

    @Test
    void aHostWithoutConfigfsOrTcmuIsRefusedNamingWhatIsMissing() throws Exception {
        KernelExports.Host bare = new KernelExports.Host(tmp.resolve("no-configfs"), tmp.resolve("no-modules"), fs);
        Daemon d = new Daemon(tmp.resolve("state"), bare, f -> fail("nothing to serve"));
        daemons.add(d);
        IOException e = assertThrows(IOException.class, () -> d.apply(full()));
        assertTrue(e.getMessage().contains(tmp.resolve("no-configfs/target") + " (mount configfs"), e.getMessage());
        assertTrue(e.getMessage().contains("target_core_mod"), e.getMessage());
        assertEquals(Config.getDefaultInstance(), d.running(), "the daemon keeps what it had");

        Files.delete(tmp.resolve("sys/module/target_core_user"));
        Files.delete(tmp.resolve("sys/module/tcm_loop"));
        Files.delete(fs.root.resolve("loopback")); // configfs shows a fabric's group once its module is loaded
        IOException e2 = assertThrows(IOException.class, () -> daemon().apply(full()));
        assertTrue(e2.getMessage().contains("target_core_user (modprobe target_core_user)"), e2.getMessage());
        assertTrue(e2.getMessage().contains("tcm_loop (modprobe tcm_loop)"), e2.getMessage());
        assertFalse(e2.getMessage().contains("iscsi_target_mod"), e2.getMessage());

        // Without kernel sections nothing is asked of the host.
        Daemon plain = new Daemon(tmp.resolve("state2"), bare, f -> fail("nothing to serve"));
        daemons.add(plain);
        plain.apply(config("\"backstores\": [" + DISK + "]"));
    }

    @Test
    void aMaximumTransferTheDiskDoesNotAdvertiseIsRefused() throws Exception {
        Daemon d = daemon();
        IOException e = assertThrows(IOException.class, () -> d.apply(config("\"backstores\": [" + DISK + "]",
                "\"tcmu_devices\": [" + DEVICE.replace("\"cmd_time_out\"", "\"hw_max_sectors\": \"8192\", "
                        + "\"cmd_time_out\"") + "]")));
        assertTrue(e.getMessage().contains("MAXIMUM TRANSFER LENGTH"), e.getMessage());
        assertFalse(Files.exists(fs.root.resolve("core/user_1/disk0")));
    }

    @Test
    void aFailedChangeIsRolledBack() throws Exception {
        Daemon d = daemon();
        d.apply(full());
        // The second device's object path is fine for the validator, but its data area is too small.
        Config bad = config("\"backstores\": [" + DISK + ", " + DISK.replace("disk0", "disk1") + "]",
                "\"tcmu_devices\": [" + DEVICE + ", " + DEVICE.replace("disk0", "disk1").replace("\"cmd_time_out\"",
                        "\"max_data_area_mb\": \"16\", \"cmd_time_out\"") + "]",
                "\"loopback_targets\": [" + LOOPBACK + "]", "\"lio_iscsi_targets\": [" + LIO_ISCSI + "]");
        IOException e = assertThrows(IOException.class, () -> d.apply(bad));
        assertTrue(e.getMessage().contains("max_data_area_mb"), e.getMessage());
        assertEquals(full(), d.running());
        assertTrue(Files.isSymbolicLink(fs.root.resolve("loopback/naa.5001405000000001/tpgt_1/lun/lun_0/disk0")));
        assertFalse(Files.exists(fs.root.resolve("core/user_1/disk1")));
    }

    @Test
    void tapeDrivesAndChangersGetANominalSizeAndRoomForTheLargestBlock() throws Exception {
        Path pool = Files.createDirectories(tmp.resolve("pool"));
        Daemon d = daemon();
        d.apply(config("\"libraries\": [ { \"name\": \"lib0\", \"pool_dir\": \"" + pool + "\", \"slots\": 4, "
                        + "\"drives\": [ { \"name\": \"drive0\" } ] } ]",
                "\"tcmu_devices\": [ { \"name\": \"changer\", \"object\": \"/vtl/lib0/changer\" }, "
                        + "{ \"name\": \"drive0\", \"object\": \"/vtl/lib0/drives/drive0\" } ]"));
        assertEquals(Long.toString(KernelExports.NOMINAL_SIZE), attribute("drive0", "dev_size"));
        assertEquals(Integer.toString((8 << 20) / 512), attribute("drive0", "hw_max_sectors"),
                "an 8 MiB tape block fits one command");
        assertEquals("lunforge//vtl/lib0/drives/drive0", attribute("drive0", "dev_config"));
        assertSame(d.logicalUnit("/vtl/lib0/changer"), servings.getFirst().served.get("user_1/changer"));
    }

    private static List<String> withoutDbroot(List<String> leftovers) {
        return leftovers.stream().filter(p -> !p.startsWith("dbroot")).toList();
    }
}
