package org.lunforge.tcmu;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.Command;
import org.lunforge.scsi.DeviceServer;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.PeripheralDeviceType;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.StateStore;

class TcmuBridgeTest {
    @TempDir
    Path tmp;

    @Test
    void uioNamesParseIntoHbaDeviceSubtypeAndConfig() {
        TcmuDeviceInfo info = TcmuDeviceInfo.parse("uio3", "tcm-user/7/vtl0/lunforge/vtl/drive/1\n", 4096).orElseThrow();
        assertEquals(7, info.hbaId());
        assertEquals("vtl0", info.deviceName());
        assertEquals("lunforge", info.subtype());
        assertEquals("vtl/drive/1", info.config());
        assertEquals("core/user_7/vtl0", info.configfsPath());
        assertEquals("", TcmuDeviceInfo.parse("uio0", "tcm-user/1/d/lunforge", 1).orElseThrow().config());
        assertTrue(TcmuDeviceInfo.parse("uio0", "tcm-user/1/d", 1).isEmpty(), "no dev_config");
        assertTrue(TcmuDeviceInfo.parse("uio0", "uio_pci_generic", 1).isEmpty());
        assertTrue(TcmuDeviceInfo.parse("uio0", "tcm-user/x/d/lunforge/c", 1).isEmpty());
    }

    /** A fake uio device: sysfs entry, and a regular file holding a valid mailbox as its device node. */
    private void fakeUio(String uio, String name, int ringPages) throws Exception {
        // The node first, whole, then the sysfs entry: the bridge maps map0 as soon as it sees the entry, and a
        // mapping past the end of a short file faults (SIGBUS) as an unpopulated data page of a real device would.
        long size = 4096L * (ringPages + 1);
        ByteBuffer mb = ByteBuffer.allocate((int) size).order(ByteOrder.nativeOrder());
        mb.putShort(0, (short) 2).putShort(2, (short) 0xF).putInt(4, 128).putInt(8, 4096 * ringPages - 128);
        Files.createDirectories(tmp.resolve("dev"));
        Path part = tmp.resolve("dev").resolve(uio + ".part");
        Files.write(part, mb.array());
        Files.move(part, tmp.resolve("dev").resolve(uio), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Path staging = tmp.resolve("staging").resolve(uio);
        Files.createDirectories(staging.resolve("maps/map0"));
        Files.writeString(staging.resolve("name"), name + "\n");
        Files.writeString(staging.resolve("maps/map0/size"), "0x%016x\n".formatted(size));
        Files.createDirectories(tmp.resolve("sys/class/uio"));
        Files.move(staging, tmp.resolve("sys/class/uio").resolve(uio), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void servesOurDevicesOnlyAndRecoversThoseThatExistedAtStart() throws Exception {
        // A regular file polls readable and its reads hit end-of-file after a while: served, then "gone".
        fakeUio("uio0", "tcm-user/1/disk0/lunforge/mem/64M", 1);
        fakeUio("uio1", "tcm-user/2/other/qcow//var/lib/x.qcow2", 1);
        fakeUio("uio2", "uio_pci_generic", 1);
        Path action = tmp.resolve("target/core/user_1/disk0/action");
        Files.createDirectories(action);
        Files.writeString(action.resolve("block_dev"), "");
        Files.writeString(action.resolve("reset_ring"), "");

        List<TcmuDeviceInfo> opened = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        TcmuBridge bridge = new TcmuBridge("lunforge", info -> {
            opened.add(info);
            return new LogicalUnit(info.deviceName(), LogicalUnitIdentity.of("LUNFORGE", "TEST", "1",
                    UUID.randomUUID()), new NullDevice(closed), StateStore.inMemory());
        }, WaitStrategy.blocking(), new TcmuBridge.Paths(tmp.resolve("sys/class/uio"), tmp.resolve("dev"),
                tmp.resolve("target")), Duration.ofMillis(50));
        try {
            bridge.start();
            assertEquals(1, opened.size(), "only the lunforge device: " + opened);
            TcmuDeviceInfo info = opened.getFirst();
            assertEquals("uio0", info.uio());
            assertEquals("mem/64M", info.config());
            assertEquals(8192, info.mapSize());
            assertEquals("1", Files.readString(action.resolve("reset_ring")), "the adopted ring was reset");
            assertEquals("0", Files.readString(action.resolve("block_dev")), "and unblocked again");
            // The node's reads end (as a removed uio device's do): the device stops and its logical unit closes.
            assertTrue(closed.await(30, TimeUnit.SECONDS), "logical unit closed after the device went away");
        } finally {
            bridge.close();
        }
    }

    @Test
    void devicesAppearingLaterAreFoundWithoutReset() throws Exception {
        List<TcmuDeviceInfo> opened = new CopyOnWriteArrayList<>();
        Files.createDirectories(tmp.resolve("sys/class/uio"));
        Files.createDirectories(tmp.resolve("dev"));
        Path action = tmp.resolve("target/core/user_4/late/action");
        Files.createDirectories(action);
        Files.writeString(action.resolve("reset_ring"), "");
        TcmuBridge bridge = new TcmuBridge("lunforge", info -> {
            opened.add(info);
            return new LogicalUnit(info.deviceName(), LogicalUnitIdentity.of("LUNFORGE", "TEST", "1",
                    UUID.randomUUID()), new NullDevice(new CountDownLatch(1)), StateStore.inMemory());
        }, WaitStrategy.blocking(), new TcmuBridge.Paths(tmp.resolve("sys/class/uio"), tmp.resolve("dev"),
                tmp.resolve("target")), Duration.ofMillis(20));
        try {
            bridge.start();
            assertTrue(opened.isEmpty());
            fakeUio("uio4", "tcm-user/4/late/lunforge/x", 64);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (opened.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("late", opened.getFirst().deviceName());
            assertEquals("", Files.readString(action.resolve("reset_ring")), "a new device's ring is fresh");
        } finally {
            bridge.close();
        }
    }

    @Test
    void idleDiscoveryRescansRarelyAndFollowsUpOnNewNodes() throws Exception {
        List<TcmuDeviceInfo> opened = new CopyOnWriteArrayList<>();
        Files.createDirectories(tmp.resolve("sys/class/uio"));
        Files.createDirectories(tmp.resolve("dev"));
        TcmuBridge bridge = new TcmuBridge("lunforge", info -> {
            opened.add(info);
            return new LogicalUnit(info.deviceName(), LogicalUnitIdentity.of("LUNFORGE", "TEST", "1",
                    UUID.randomUUID()), new NullDevice(new CountDownLatch(1)), StateStore.inMemory());
        }, WaitStrategy.blocking(), new TcmuBridge.Paths(tmp.resolve("sys/class/uio"), tmp.resolve("dev"),
                tmp.resolve("target")), Duration.ofMillis(20));
        try {
            bridge.start();
            long before = bridge.scanCount();
            Thread.sleep(400); // 20 rescan intervals, fewer than IDLE_RESCANS
            assertTrue(bridge.scanCount() - before <= 1, "an idle bridge rescanned "
                    + (bridge.scanCount() - before) + " times in 400 ms at a 20 ms interval");
            // The node appears first and its sysfs entry three intervals later, with no event of its own (as uio's
            // attributes may): the scans that follow the node's event find it, long before the next idle rescan.
            byte[] mailbox = new byte[8192];
            ByteBuffer.wrap(mailbox).order(ByteOrder.nativeOrder()).putShort(0, (short) 2).putShort(2, (short) 0xF)
                    .putInt(4, 128).putInt(8, 4096 - 128);
            Path staging = tmp.resolve("staging/uio7");
            Files.createDirectories(staging.resolve("maps/map0"));
            Files.writeString(staging.resolve("name"), "tcm-user/7/later/lunforge/x\n");
            Files.writeString(staging.resolve("maps/map0/size"), "0x%016x\n".formatted(mailbox.length));
            Files.write(tmp.resolve("dev/uio7"), mailbox);
            long eventAt = System.nanoTime();
            Thread.sleep(60);
            Files.move(staging, tmp.resolve("sys/class/uio/uio7"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long deadline = eventAt + TimeUnit.MILLISECONDS.toNanos(300);
            while (opened.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, opened.size(), "the follow-up scans found the device");
        } finally {
            bridge.close();
        }
    }

    /** A device server with no commands of its own; counts down when closed. */
    private record NullDevice(CountDownLatch closed) implements DeviceServer {
        @Override
        public PeripheralDeviceType deviceType() {
            return PeripheralDeviceType.DIRECT_ACCESS_BLOCK;
        }

        @Override
        public boolean removableMedium() {
            return false;
        }

        @Override
        public List<Operation> operations() {
            return List.of();
        }

        @Override
        public void attach(LogicalUnit logicalUnit) {
        }

        @Override
        public void execute(ScsiTask task, Command command) {
            throw new AssertionError("no commands expected");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
