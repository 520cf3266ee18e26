package org.lunforge.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP endpoint Prometheus scrapes: {@code GET /metrics} (and {@code HEAD}) answers the text exposition format;
 * any other path is 404, any other method 405. Bounded: one thread answers, at most {@link #QUEUED} requests wait
 * for it and more are dropped, at most {@link #MAX_CONNECTIONS} connections are open, a request must arrive within
 * {@link #REQUEST_SECONDS} s with at most 64 headers of {@link #MAX_HEADER_BYTES} bytes in all, and no request body
 * is read. The JDK's HTTP server reads these limits once, when its
 * first server is made; the daemon makes no other.
 */
public final class MetricsEndpoint implements AutoCloseable {
    static final int MAX_CONNECTIONS = 16;
    static final int QUEUED = 8;
    static final int REQUEST_SECONDS = 10;
    /** The request line and headers together; a scrape's are a few hundred bytes. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** The text format Prometheus asks for (version 0.0.4). */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    static {
        setDefault("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
        setDefault("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
        setDefault("sun.net.httpserver.maxRspTime", Integer.toString(REQUEST_SECONDS));
        setDefault("sun.net.httpserver.idleInterval", Integer.toString(REQUEST_SECONDS));
        setDefault("sun.net.httpserver.maxReqHeaders", "64");
        setDefault("sun.net.httpserver.maxReqHeaderSize", Integer.toString(MAX_HEADER_BYTES));
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    private MetricsEndpoint(HttpServer server, ThreadPoolExecutor executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Listens on {@code address}; throws with the address and the reason when it cannot. */
    public static MetricsEndpoint start(InetSocketAddress address, Supplier<String> scrape) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, QUEUED);
        } catch (IOException e) {
            throw new IOException("metrics endpoint " + address + ": cannot listen: " + e.getMessage(), e);
        }
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED), Thread.ofPlatform().name("metrics-http").daemon().factory(),
                (task, pool) -> { }); // a request beyond the queue is dropped: its connection times out
        server.setExecutor(executor);
        server.createContext("/", exchange -> answer(exchange, scrape));
        server.start();
        return new MetricsEndpoint(server, executor);
    }

    private static void answer(HttpExchange exchange, Supplier<String> scrape) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = scrape.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Where it listens (the port chosen when the configuration named port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
