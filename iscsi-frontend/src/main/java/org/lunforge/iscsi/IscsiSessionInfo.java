package org.lunforge.iscsi;

import java.net.InetSocketAddress;

/**
 * What the daemon may show about a logged-in session.
 *
 * @param targetName null for a discovery session
 * @param portalGroupTag -1 for a discovery session
 */
public record IscsiSessionInfo(String initiatorName, long isid, int tsih, String targetName, int portalGroupTag,
                               InetSocketAddress remoteAddress) {
}
