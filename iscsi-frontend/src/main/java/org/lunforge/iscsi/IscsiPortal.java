package org.lunforge.iscsi;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A network portal (RFC 7143 4.4.1): an IP address and TCP port the target listens on. The wildcard address
 * 0.0.0.0 (or ::) listens on every address; discovery then reports the address the initiator connected to.
 */
public record IscsiPortal(String host, int port) {
    public static final int DEFAULT_PORT = 3260;

    public IscsiPortal {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
    }

    /** "host:port", or "host" with the default port 3260. IPv6 literals in brackets. */
    public static IscsiPortal parse(String s) {
        int colon = s.lastIndexOf(':');
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            String host = s.substring(1, close);
            return new IscsiPortal(host, close + 1 < s.length() ? Integer.parseInt(s.substring(close + 2)) : DEFAULT_PORT);
        }
        if (colon < 0) {
            return new IscsiPortal(s, DEFAULT_PORT);
        }
        return new IscsiPortal(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    /** True if a connection accepted at {@code local} came through this portal. */
    boolean accepts(InetSocketAddress local) {
        InetSocketAddress mine = socketAddress();
        return mine.getPort() == local.getPort()
                && (mine.getAddress() == null || mine.getAddress().isAnyLocalAddress()
                    || mine.getAddress().equals(local.getAddress()));
    }

    /** The TargetAddress text for this portal (RFC 7143 13.8), with {@code local} standing in for a wildcard. */
    String targetAddress(InetSocketAddress local, int portalGroupTag) {
        InetSocketAddress mine = socketAddress();
        String host = mine.getAddress() != null && mine.getAddress().isAnyLocalAddress() && local != null
                ? local.getAddress().getHostAddress() : this.host;
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return host + ":" + port + "," + portalGroupTag;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
