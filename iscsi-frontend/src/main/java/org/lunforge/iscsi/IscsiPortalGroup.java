package org.lunforge.iscsi;

import java.util.List;
import java.util.Objects;

/**
 * A target portal group (RFC 7143 4.4.1): the portals through which one target port is reached. The tag is what
 * TargetPortalGroupTag reports; {@code relativeTargetPortId} is the SCSI relative target port identifier of the
 * target port (target, tag): unique within the server and stable across restarts, so the configuration assigns it.
 */
public record IscsiPortalGroup(int tag, int relativeTargetPortId, List<IscsiPortal> portals) {
    public IscsiPortalGroup {
        if (tag < 0 || tag > 0xFFFF) {
            throw new IllegalArgumentException("portal group tag " + tag);
        }
        if (relativeTargetPortId < 1 || relativeTargetPortId > 0xFFFF) {
            throw new IllegalArgumentException("relative target port identifier " + relativeTargetPortId);
        }
        portals = List.copyOf(Objects.requireNonNull(portals, "portals"));
        if (portals.stream().distinct().count() != portals.size()) {
            throw new IllegalArgumentException("portal listed twice in group " + tag);
        }
    }

    public IscsiPortalGroup withPortals(List<IscsiPortal> newPortals) {
        return new IscsiPortalGroup(tag, relativeTargetPortId, newPortals);
    }
}
