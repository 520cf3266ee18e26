package org.lunforge.scsi.spc;

import java.util.Objects;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.TransportProtocol;

/**
 * The I_T nexuses one persistent reservation registration covers (SPC-4 5.13.7): an initiator port, or every port of
 * an initiator when a TransportID named the initiator device only (iSCSI format 00b); through one target port, or
 * through every target port when ALL_TG_PT was set.
 *
 * <p>Invariant of a {@link ReservationState}: the registrants of its registrations never overlap, so an I_T nexus
 * belongs to at most one registration. iSCSI names and ISIDs compare without regard to case (RFC 3722).
 *
 * @param portIdentifier the initiator port identifier (iSCSI: the ISID in hex), or null for every port of the initiator
 * @param relativeTargetPortId the target port, or {@link #ALL_TARGET_PORTS}
 */
record Registrant(TransportProtocol protocol, String name, String portIdentifier, int relativeTargetPortId) {
    static final int ALL_TARGET_PORTS = 0;

    Registrant {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(name, "name");
        if (relativeTargetPortId < 0 || relativeTargetPortId > 0xFFFF) {
            throw new IllegalArgumentException("relative target port " + relativeTargetPortId);
        }
    }

    /** The I_T nexus itself, or its initiator port through every target port. */
    static Registrant of(Nexus nexus, boolean allTargetPorts) {
        return new Registrant(nexus.initiator().protocol(), nexus.initiator().name(),
                nexus.initiator().portIdentifier(), allTargetPorts ? ALL_TARGET_PORTS : nexus.target().relativeId());
    }

    boolean allTargetPorts() {
        return relativeTargetPortId == ALL_TARGET_PORTS;
    }

    boolean matches(Nexus nexus) {
        return protocol == nexus.initiator().protocol()
                && name.equalsIgnoreCase(nexus.initiator().name())
                && (portIdentifier == null || portIdentifier.equalsIgnoreCase(nexus.initiator().portIdentifier()))
                && (allTargetPorts() || relativeTargetPortId == nexus.target().relativeId());
    }

    /** True if some I_T nexus would belong to both. */
    boolean overlaps(Registrant other) {
        return protocol == other.protocol
                && name.equalsIgnoreCase(other.name)
                && (portIdentifier == null || other.portIdentifier == null
                    || portIdentifier.equalsIgnoreCase(other.portIdentifier))
                && (allTargetPorts() || other.allTargetPorts() || relativeTargetPortId == other.relativeTargetPortId);
    }

    @Override
    public String toString() {
        return name + (portIdentifier == null ? "" : ",i,0x" + portIdentifier)
                + (allTargetPorts() ? " (all target ports)" : " via port " + relativeTargetPortId);
    }
}
