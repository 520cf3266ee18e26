package org.lunforge.server.config;

import java.net.InetSocketAddress;

/** Portal addresses as the configuration writes them: {@code host:port}, {@code [ipv6]:port}, port default 3260. */
public final class Portals {
    /** The IANA port for iSCSI (RFC 7143 13.x). */
    public static final int ISCSI_PORT = 3260;

    private Portals() {
    }

    public static InetSocketAddress parse(String portal) {
        String host;
        int port = ISCSI_PORT;
        if (portal.startsWith("[")) {
            int close = portal.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in " + portal);
            }
            host = portal.substring(1, close);
            String rest = portal.substring(close + 1);
            if (!rest.isEmpty()) {
                port = port(portal, rest.startsWith(":") ? rest.substring(1) : "x");
            }
        } else {
            int colon = portal.lastIndexOf(':');
            if (colon >= 0 && portal.indexOf(':') != colon) {
                throw new IllegalArgumentException("write IPv6 portals as [address]:port: " + portal);
            }
            host = colon < 0 ? portal : portal.substring(0, colon);
            if (colon >= 0) {
                port = port(portal, portal.substring(colon + 1));
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in portal " + portal);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static int port(String portal, String digits) {
        try {
            int port = Integer.parseInt(digits);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("bad port in portal " + portal);
    }
}
