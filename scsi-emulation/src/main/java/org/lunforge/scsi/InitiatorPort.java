package org.lunforge.scsi;

import java.util.Objects;

/**
 * An initiator port as a target sees it (SAM-5 4.6.5). For iSCSI the port is the initiator's iSCSI name plus the
 * session's ISID, and its TransportID has the form {@code name,i,0x<ISID>} (SPC-4 7.6.4.6, format 01b).
 *
 * @param name the initiator device name (iSCSI name), never empty
 * @param portIdentifier the part that tells ports of one initiator apart (iSCSI: the ISID as 12 hex digits), or ""
 */
public record InitiatorPort(TransportProtocol protocol, String name, String portIdentifier) {
    public InitiatorPort {
        Objects.requireNonNull(protocol, "protocol");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("initiator port needs a name");
        }
        Objects.requireNonNull(portIdentifier, "portIdentifier");
    }

    public static InitiatorPort iscsi(String initiatorName, long isid) {
        return new InitiatorPort(TransportProtocol.ISCSI, initiatorName, "%012x".formatted(isid & 0xFFFFFFFFFFFFL));
    }

    /** The iSCSI initiator port name of RFC 7143 13.10: {@code name,i,0x<ISID>}. */
    public String portName() {
        return portIdentifier.isEmpty() ? name : name + ",i,0x" + portIdentifier;
    }

    @Override
    public String toString() {
        return portName();
    }
}
