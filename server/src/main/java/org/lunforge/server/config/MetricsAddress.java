package org.lunforge.server.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Where the metrics endpoint listens, as {@code metrics.listen} writes it: {@code host:port}, {@code [ipv6]:port}, a
 * port alone, or nothing. A port alone and nothing mean loopback: the endpoint is reachable from elsewhere only when
 * the configuration names another address.
 */
public final class MetricsAddress {
    /** The port the samples and the checks scrape (127.0.0.1:9573). */
    public static final int DEFAULT_PORT = 9573;

    private MetricsAddress() {
    }

    /** The address to bind, resolved; refuses a malformed address, a bad port or a host that does not resolve. */
    public static InetSocketAddress parse(String listen) {
        String text = listen.strip();
        if (text.isEmpty()) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT);
        }
        if (text.chars().allMatch(Character::isDigit)) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port(text, text));
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || !text.startsWith(":", close + 1)) {
                throw new IllegalArgumentException("write an IPv6 address as [address]:port, not " + listen);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("host:port or a port is needed, not " + listen);
            }
            if (text.indexOf(':') != colon) {
                throw new IllegalArgumentException("write an IPv6 address as [address]:port, not " + listen);
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in " + listen);
        }
        int number = port(listen, port);
        try {
            return new InetSocketAddress(InetAddress.getByName(host), number);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("the host " + host + " does not resolve");
        }
    }

    private static int port(String listen, String digits) {
        try {
            int port = Integer.parseInt(digits);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("a port from 1 to 65535 is needed, not '" + digits + "' in " + listen);
    }
}
