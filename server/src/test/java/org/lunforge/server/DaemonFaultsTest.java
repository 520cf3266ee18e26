package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.fault.ArmedFault;
import org.lunforge.scsi.fault.Fault;
import org.lunforge.scsi.fault.FaultCommands;
import org.lunforge.scsi.fault.FaultEffect;
import org.lunforge.scsi.fault.LbaRange;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.MemoryStore;
import org.lunforge.server.control.ObjectChange;

/**
 * Faults armed on a disk stay armed when a configuration change reopens it (same ids, same counts), whether the change
 * comes whole ({@link Daemon#apply}) or as object changes ({@link Daemon#applyChange}); a disk deleted and created
 * again starts with none.
 */
class DaemonFaultsTest {
    private static final String D0 = "/backstores/memory/d0";
    @TempDir
    Path dir;
    Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private Backstore disk(long size) {
        return Backstore.newBuilder().setName("d0").setMemory(MemoryStore.newBuilder().setSize(size)).build();
    }

    private Config config(Backstore... disks) {
        return Config.newBuilder().setStateDir(dir.resolve("state").toString()).addAllBackstores(List.of(disks))
                .build();
    }

    private static Fault mediumErrorOnce() {
        return new Fault(new FaultEffect.MediumError(), FaultCommands.READS, new LbaRange(0, 7), null, 1);
    }

    private static Fault busy() {
        return new Fault(new FaultEffect.Status(ScsiStatus.BUSY), FaultCommands.ALL, null, null, 0);
    }

    @Test
    void aWholeConfigurationThatReopensTheDiskKeepsItsFaults() throws Exception {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(config(disk(1 << 20)));
        LogicalUnit before = daemon.logicalUnit(D0);
        int first = daemon.faults().arm(D0, mediumErrorOnce());
        int second = daemon.faults().arm(D0, busy());
        daemon.faults().disarm(D0, first);
        int third = daemon.faults().arm(D0, mediumErrorOnce());

        daemon.apply(config(disk(2 << 20)));

        LogicalUnit after = daemon.logicalUnit(D0);
        assertNotSame(before, after, "the size change reopened the disk");
        List<ArmedFault> armed = daemon.faults().armed().get(D0);
        assertNotNull(armed, "the reopened disk has faults");
        assertEquals(List.of(second, third), armed.stream().map(ArmedFault::id).toList());
        assertEquals(busy(), armed.get(0).fault());
        assertEquals(mediumErrorOnce(), armed.get(1).fault());
        assertTrue(before.faults().armed().isEmpty(), "the closed disk holds none");
        assertNotEquals(second, daemon.faults().arm(D0, busy()), "a new fault gets a new id");
    }

    @Test
    void anObjectChangeThatReopensTheDiskKeepsItsFaultsAndADeletedDiskLosesThem() throws Exception {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(config(disk(1 << 20)));
        int id = daemon.faults().arm(D0, busy());

        daemon.applyChange(config(disk(2 << 20)), List.of(ObjectChange.newBuilder()
                .setAction(ObjectChange.Action.REPLACE).setPath(D0).setBackstore(disk(2 << 20)).build()));
        assertEquals(List.of(id), daemon.faults().armed().get(D0).stream().map(ArmedFault::id).toList());

        daemon.applyChange(config(), List.of(ObjectChange.newBuilder()
                .setAction(ObjectChange.Action.DELETE).setPath(D0).build()));
        daemon.applyChange(config(disk(1 << 20)), List.of(ObjectChange.newBuilder()
                .setAction(ObjectChange.Action.CREATE).setPath(D0).setBackstore(disk(1 << 20)).build()));
        assertNull(daemon.faults().armed().get(D0), "a new disk at the same path starts without faults");
    }

    @Test
    void aRebuiltLibraryKeepsTheFaultsOfItsDrives() throws Exception {
        String drive = "/vtl/lab/drives/drive0";
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(library(4));
        int id = daemon.faults().arm(drive, busy());

        daemon.apply(library(6));

        assertEquals(List.of(id), daemon.faults().armed().get(drive).stream().map(ArmedFault::id).toList());
    }

    private Config library(int slots) {
        return config().toBuilder().addLibraries(org.lunforge.server.config.TapeLibrary.newBuilder().setName("lab")
                .setPoolDir(dir.resolve("pool").toString()).setSlots(slots).setImportExportSlots(1)
                .addDrives(org.lunforge.server.config.TapeDrive.newBuilder().setName("drive0")
                        .setModel("IBM_LTO9"))).build();
    }
}
