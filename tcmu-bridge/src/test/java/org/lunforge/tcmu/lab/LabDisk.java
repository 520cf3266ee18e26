package org.lunforge.tcmu.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.StateStore;
import org.lunforge.tcmu.LoopbackExport;
import org.lunforge.tcmu.TargetConfigfs;
import org.lunforge.tcmu.TcmuBridge;
import org.lunforge.tcmu.TcmuDevice;
import org.lunforge.tcmu.UserBackstore;
import org.lunforge.tcmu.WaitStrategy;

/**
 * The bridge's own kernel experiment (test scope, run in the kernel lab guest): serves in-memory disks on every
 * {@code lunforge/} uio device, and with {@code --setup NAME SIZE} creates such a backstore and exports it through
 * tcm_loop itself, after the device is served. Runs until stdin closes or the process is killed; with
 * {@code --teardown} it removes what it set up on exit.
 *
 * <pre>
 * java -cp ... org.lunforge.tcmu.lab.LabDisk --setup disk0 268435456 [--spin NANOS]
 * </pre>
 */
public final class LabDisk {
    private LabDisk() {
    }

    public static void main(String[] args) throws Exception {
        String setupName = null;
        long size = 256L << 20;
        WaitStrategy wait = WaitStrategy.blocking();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--setup" -> {
                    setupName = args[++i];
                    size = Long.parseLong(args[++i]);
                }
                case "--spin" -> wait = WaitStrategy.spinThenBlock(Long.parseLong(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        TcmuBridge bridge = new TcmuBridge("lunforge", info -> {
            long bytes = Long.parseLong(info.config().isEmpty() ? String.valueOf(256L << 20) : info.config());
            return new LogicalUnit(info.deviceName(), LogicalUnitIdentity.of("LUNFORGE", "MEMDISK", "0001",
                    UUID.nameUUIDFromBytes(info.backstoreName().getBytes())), new MemoryDisk(bytes, 512),
                    StateStore.inMemory());
        }, wait, TcmuBridge.Paths.system(), Duration.ofSeconds(1));
        bridge.start();
        System.out.println("lunforge-lab: bridge started");

        TargetConfigfs configfs = TargetConfigfs.system();
        UserBackstore backstore = null;
        LoopbackExport export = null;
        if (setupName != null) {
            configfs.setDbroot(Path.of("/etc/target"));
            backstore = new UserBackstore(1, setupName, "lunforge", String.valueOf(size), size, 512, 2048, 0, true,
                    java.util.Map.of());
            configfs.createBackstore(backstore);
            if (!bridge.awaitServing(1, setupName, Duration.ofSeconds(10))) {
                throw new IllegalStateException("device not served");
            }
            export = new LoopbackExport("naa.5001405aaaaaaaa1", "naa.5001405bbbbbbbb1",
                    List.of(new LoopbackExport.Lun(0, backstore)));
            configfs.createLoopback(export);
            System.out.println("lunforge-lab: exported " + backstore.path() + " through tcm_loop");
        }
        UserBackstore b = backstore;
        LoopbackExport e = export;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (TcmuDevice d : bridge.devices()) {
                System.out.println("lunforge-lab: " + d + " served " + d.commandCount() + " commands with "
                        + d.kickCount() + " kicks");
            }
            try {
                if (e != null) {
                    configfs.removeLoopback(e);
                }
                bridge.close();
                if (b != null) {
                    configfs.removeBackstore(b);
                }
                System.out.println("lunforge-lab: torn down");
            } catch (Exception ex) {
                ex.printStackTrace();
            }
        }));
        System.out.println("lunforge-lab: ready");
        while (System.in.read() >= 0) {
            // until stdin closes
        }
        System.exit(0);
    }
}
