package org.lunforge.iscsi;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the daemon may show about a logged-in session: who (initiator port: name and ISID), where (target port:
 * target and portal group, and the portal the connection came in through), how (the keys negotiated at login,
 * RFC 7143 13; the authentication) and what it sees (its LUNs).
 *
 * @param targetName null for a discovery session
 * @param portalGroupTag -1 for a discovery session
 * @param localAddress the portal the connection reached (the target's side of the TCP connection)
 * @param parameters the operational keys login settled
 * @param authMethod "None" or "CHAP" (RFC 7143 12.1)
 * @param mutualChap true if the target proved itself to the initiator as well
 * @param luns the LUNs the session's nexus reaches and the name of the logical unit at each, in LUN order
 */
public record IscsiSessionInfo(String initiatorName, long isid, int tsih, String targetName, int portalGroupTag,
                               InetSocketAddress remoteAddress, int cid, InetSocketAddress localAddress,
                               IscsiSessionParameters parameters, String authMethod, boolean mutualChap,
                               Map<Integer, String> luns) {
    public IscsiSessionInfo {
        Objects.requireNonNull(initiatorName, "initiatorName");
        Objects.requireNonNull(authMethod, "authMethod");
        luns = luns == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(luns));
    }

    /** The session's connections: one, as lunforge runs one connection per session (MaxConnections=1). */
    public List<Connection> connections() {
        return List.of(new Connection(cid, localAddress, remoteAddress));
    }

    /** One connection of the session (RFC 7143 3.4): its CID and both ends. */
    public record Connection(int cid, InetSocketAddress local, InetSocketAddress peer) {
    }
}
