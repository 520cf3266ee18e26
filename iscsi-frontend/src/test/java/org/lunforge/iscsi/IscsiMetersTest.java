package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.iscsi.IscsiPeer.cdb10;
import static org.lunforge.iscsi.IscsiPeer.pattern;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TaskMeter;

/** What the target reports to its meters: each executed task once to its unit and its port, and every login. */
class IscsiMetersTest {
    private static final String TARGET = "iqn.2026-11.org.lunforge:meters";
    /** The brief's iSCSI ports for this branch. */
    private static final int PORT = 14311;

    /** Records what it is told. */
    static final class Recording implements TaskMeter {
        final AtomicInteger started = new AtomicInteger();
        final List<String> completed = new CopyOnWriteArrayList<>();

        @Override
        public void started() {
            started.incrementAndGet();
        }

        @Override
        public void completed(int opcode, long dataInBytes, long dataOutBytes, long nanos, ScsiStatus status,
                              byte[] sense) {
            assertTrue(nanos > 0);
            completed.add("%02x in=%d out=%d %s key=%d".formatted(opcode, dataInBytes, dataOutBytes, status,
                    TaskMeter.senseKey(sense)));
        }
    }

    private final ExecutorService deviceThreads = Executors.newFixedThreadPool(2);
    private final IscsiServer server = new IscsiServer(IscsiServerOptions.defaults()
            .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(500)), 1);
    private final LogicalUnit lu = RamDisk.logicalUnit("metered", 1 << 20, deviceThreads);
    private final Recording unit = new Recording();
    private final Map<String, Recording> ports = new ConcurrentHashMap<>();
    private final List<String> logins = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        server.close();
        deviceThreads.shutdownNow();
    }

    @Test
    void executedTasksReachTheUnitAndThePortOnceAndLoginsAreCounted() throws Exception {
        lu.meter(unit);
        server.meters(new IscsiMeters() {
            @Override
            public TaskMeter targetPort(TargetPort port) {
                return ports.computeIfAbsent(port.name(), n -> new Recording());
            }

            @Override
            public void loginSucceeded() {
                logins.add("ok");
            }

            @Override
            public void loginFailed(int statusClass, int statusDetail) {
                logins.add("%02x%02x".formatted(statusClass, statusDetail));
            }
        });
        server.start();
        server.addTarget(new IscsiTarget(TARGET).portalGroup(new IscsiPortalGroup(1, 10,
                List.of(new IscsiPortal("127.0.0.1", PORT))).generateNodeAcls(true).lun(0, lu)));
        try (SocketInitiator i = new SocketInitiator(PORT, "iqn.2026-11.org.example:host", 0x1)) {
            IscsiLoginResponse refused = i.login(TARGET + ":missing");
            assertEquals(0x02, refused.statusClass());
            refused.release();
        }
        try (SocketInitiator i = new SocketInitiator(PORT, "iqn.2026-11.org.example:host", 0x2)) {
            i.loginOk(TARGET);
            i.clearUnitAttentions(0);
            unit.completed.clear();
            var w = i.command(0, cdb10(0x2A, 0, 8), false, 4096, pattern(4096, 1));
            w.data().release();
            var r = i.command(0, cdb10(0x28, 0, 8), true, 4096, Unpooled.EMPTY_BUFFER);
            r.data().release();
            var beyond = i.command(0, cdb10(0x28, 4096, 1), true, 512, Unpooled.EMPTY_BUFFER);
            beyond.data().release();
            i.logout();
        }
        assertEquals(List.of("2a in=0 out=4096 GOOD key=-1", "28 in=4096 out=0 GOOD key=-1",
                "28 in=0 out=0 CHECK_CONDITION key=5"), unit.completed);
        Recording port = ports.get(TARGET + ",t,0x0001");
        assertNotNull(port, ports.keySet().toString());
        assertEquals(unit.started.get(), port.started.get(), "the port saw what the unit saw");
        assertEquals(port.started.get(), port.completed.size(), "every started task completed");
        assertEquals(List.of("0203", "ok"), logins);
    }
}
