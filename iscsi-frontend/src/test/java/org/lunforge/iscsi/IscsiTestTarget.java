package org.lunforge.iscsi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * Serves a RAM disk over iSCSI for libiscsi's tools and kernel initiators:
 * {@code iqn.2026-11.org.lunforge:test} on 127.0.0.1:3260, LUN 0, demo mode (any initiator, no CHAP).
 * System properties: {@code port}, {@code size} (MiB), {@code async} (complete on an executor),
 * {@code chap.user}/{@code chap.secret} (require CHAP), {@code threads} (event loops).
 */
public final class IscsiTestTarget {
    public static final String IQN = "iqn.2026-11.org.lunforge:test";

    private IscsiTestTarget() {
    }

    public static void main(String[] args) throws Exception {
        // A target in service does not sample buffers for leaks (the tests run the paranoid detector).
        System.setProperty("io.netty.leakDetection.level", System.getProperty("io.netty.leakDetection.level",
                "disabled"));
        int port = Integer.getInteger("port", 3260);
        long size = Long.getLong("size", 1024L) << 20;
        boolean async = Boolean.getBoolean("async");
        int threads = Integer.getInteger("threads", Runtime.getRuntime().availableProcessors());
        IscsiServer server = new IscsiServer(IscsiServerOptions.defaults().withTimeouts(Duration.ofSeconds(15),
                Duration.ofSeconds(2)), threads).start();
        IscsiPortalGroup group = new IscsiPortalGroup(1, 1, List.of(new IscsiPortal("127.0.0.1", port)))
                .generateNodeAcls(true)
                .lun(0, RamDisk.logicalUnit("ram0", size, async ? Executors.newFixedThreadPool(2) : null));
        IscsiTarget target = new IscsiTarget(IQN).alias("lunforge RAM disk").portalGroup(group);
        String user = System.getProperty("chap.user");
        if (user != null) {
            group.chap(new IscsiChapCredentials(user, System.getProperty("chap.secret")),
                    System.getProperty("chap.mutual.user") == null ? null : new IscsiChapCredentials(
                            System.getProperty("chap.mutual.user"), System.getProperty("chap.mutual.secret")))
                    .authenticationRequired(true);
        }
        server.addTarget(target);
        System.out.println("serving " + IQN + " on 127.0.0.1:" + port + ", " + (size >> 20) + " MiB");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        stop.await();
    }
}
