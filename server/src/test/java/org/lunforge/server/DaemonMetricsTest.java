package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.TaskMeter;
import org.lunforge.scsi.fault.Fault;
import org.lunforge.scsi.fault.FaultCommands;
import org.lunforge.scsi.fault.FaultEffect;
import org.lunforge.scsi.fault.LbaRange;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.MemoryStore;
import org.lunforge.server.config.Metrics;
import org.lunforge.server.metrics.ScsiTaskMeters;

/**
 * The metrics endpoint follows the configuration: off by default, on where metrics.listen says, GET /metrics only,
 * and an address it cannot listen on refused with the reason. Port 14319 is this test's (the brief's metrics port).
 */
class DaemonMetricsTest {
    private static final int PORT = 14319;
    private static final String URL = "http://127.0.0.1:" + PORT;
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        http.close();
    }

    private Config config(boolean metrics) {
        Config.Builder c = Config.newBuilder().setStateDir(dir.resolve("state").toString())
                .addBackstores(Backstore.newBuilder().setName("d0").setMemory(MemoryStore.newBuilder()
                        .setSize(1 << 20)));
        if (metrics) {
            c.setMetrics(Metrics.newBuilder().setListen("127.0.0.1:" + PORT));
        }
        return c.build();
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(URL + path)).method(method,
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anArmedFaultIsInTheMetrics() throws Exception {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(config(true));
        String armed = "lunforge_lu_faults_armed{lu=\"/backstores/memory/d0\"} ";
        assertTrue(send("GET", "/metrics").body().contains(armed + "0"));
        int id = daemon.faults().arm("/backstores/memory/d0", new Fault(new FaultEffect.MediumError(),
                FaultCommands.READS, new LbaRange(0, 7), null, 0));
        String body = send("GET", "/metrics").body();
        assertTrue(body.contains(armed + "1"), body);
        assertTrue(body.contains("lunforge_lu_faults_fired_total{lu=\"/backstores/memory/d0\"} 0"), body);
        daemon.faults().disarm("/backstores/memory/d0", id);
        assertTrue(send("GET", "/metrics").body().contains(armed + "0"));
    }

    @Test
    void offByDefaultOnWhenConfiguredOffAgainWhenTakenOut() throws Exception {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(config(false));
        assertThrows(ConnectException.class, () -> send("GET", "/metrics"));
        assertSame(TaskMeter.NONE, daemon.logicalUnit("/backstores/memory/d0").meter());

        daemon.apply(config(true));
        HttpResponse<String> r = send("GET", "/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().contains("lunforge_lu_queue_depth{lu=\"/backstores/memory/d0\"} 0"), r.body());
        assertTrue(r.body().contains("jvm_memory_used_bytes"), "the JVM binders are there");
        assertInstanceOf(ScsiTaskMeters.class, daemon.logicalUnit("/backstores/memory/d0").meter());
        assertEquals(405, send("POST", "/metrics").statusCode());
        assertEquals(404, send("GET", "/").statusCode());

        daemon.apply(config(false));
        assertThrows(ConnectException.class, () -> send("GET", "/metrics"));
        assertSame(TaskMeter.NONE, daemon.logicalUnit("/backstores/memory/d0").meter());
        assertNull(daemon.metrics().listening());
    }

    @Test
    void requestHeadersBeyondTheLimitAreNotAnswered() throws Exception {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(config(true));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), PORT)) {
            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Filler: " + "a".repeat(64 * 1024)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertNotEquals("HTTP/1.1 200", status);
        } catch (SocketException reset) {
            // the server closed the connection while the request was still being written: refused too
        }
        assertEquals(200, send("GET", "/metrics").statusCode(), "and the endpoint still answers");
    }

    @Test
    void anAddressInUseIsRefusedWithTheReasonAndThePreviousConfigurationStays() throws Exception {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(config(false));
        try (ServerSocket taken = new ServerSocket(PORT, 1, InetAddress.getLoopbackAddress())) {
            IOException e = assertThrows(IOException.class, () -> daemon.apply(config(true)));
            assertTrue(e.getMessage().contains("127.0.0.1:" + PORT) && e.getMessage().contains("cannot listen"),
                    e.getMessage());
        }
        assertFalse(daemon.running().hasMetrics());
        assertNull(daemon.metrics().listening());
    }
}
