package org.lunforge.iscsi;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.TargetPort;

/**
 * An iSCSI target node (RFC 7143 4.4.1): its name and alias and its portal groups, each one SCSI target port with
 * its own portals, LUNs, ACLs and authentication ({@link IscsiPortalGroup}). A target reset reaches only what the
 * requester addresses: the logical units of its LUN map and the sessions of its portal group.
 *
 * <p>Thread-safe: the daemon changes it from its own threads while sessions read it from event loops.
 */
public final class IscsiTarget {
    /** RFC 3720 3.2.6.3: iqn.yyyy-mm.reversed.domain[:anything], eui. + 16 hex digits, naa. + 16 or 32 hex digits. */
    private static final Pattern NAME = Pattern.compile(
            "iqn\\.\\d{4}-\\d{2}\\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[^\\s]*)?|eui\\.[0-9a-f]{16}|naa\\.[0-9a-f]{16}([0-9a-f]{16})?");

    private final String name;
    private volatile String alias;
    private final Map<Integer, IscsiPortalGroup> portalGroups = new ConcurrentSkipListMap<>();
    private volatile IscsiServer server;

    public IscsiTarget(String name) {
        this.name = normalize(Objects.requireNonNull(name, "name"));
        if (!NAME.matcher(this.name).matches()) {
            throw new IllegalArgumentException("not an iSCSI name (RFC 3720 3.2.6.3): " + name);
        }
    }

    /** iSCSI names compare case-insensitively (RFC 3722 normalises to lower case). */
    static String normalize(String iscsiName) {
        return iscsiName.toLowerCase(Locale.ROOT);
    }

    public String name() {
        return name;
    }

    public String alias() {
        return alias;
    }

    public IscsiTarget alias(String newAlias) {
        this.alias = newAlias;
        return this;
    }

    // ---- portal groups

    /**
     * Adds a portal group; the server binds portals it did not listen on yet. A group with the same tag is replaced:
     * its sessions are asked to log out, as for {@link #removePortalGroup}. A group belongs to one target.
     */
    public synchronized IscsiTarget portalGroup(IscsiPortalGroup group) {
        IscsiPortalGroup old = portalGroups.get(group.tag());
        if (old == group) {
            return this;
        }
        IscsiServer s = server;
        if (s != null) {
            s.checkRelativePortId(this, group);
        }
        group.attach(this);
        if (s == null) {
            portalGroups.put(group.tag(), group);
        } else {
            synchronized (s.sessionLock()) { // no login through the old group completes after this
                portalGroups.put(group.tag(), group);
            }
        }
        if (old != null) {
            old.attach(null);
        }
        if (s != null) {
            if (old != null) {
                s.portalGroupRemoved(old);
            }
            s.portalsChanged();
        }
        return this;
    }

    /** Removes a portal group: its initiators are asked to log out; portals no other group uses are closed. */
    public synchronized IscsiPortalGroup removePortalGroup(int tag) {
        IscsiServer s = server;
        IscsiPortalGroup removed;
        if (s == null) {
            removed = portalGroups.remove(tag);
        } else {
            synchronized (s.sessionLock()) { // no login through the group completes after this
                removed = portalGroups.remove(tag);
            }
        }
        if (removed == null) {
            return null;
        }
        removed.attach(null);
        if (s != null) {
            s.portalGroupRemoved(removed);
            s.portalsChanged();
        }
        return removed;
    }

    public IscsiPortalGroup portalGroup(int tag) {
        return portalGroups.get(tag);
    }

    public Collection<IscsiPortalGroup> portalGroups() {
        return List.copyOf(portalGroups.values());
    }

    /** The portal group a connection accepted at {@code local} belongs to, or null. */
    IscsiPortalGroup portalGroupFor(InetSocketAddress local) {
        IscsiPortalGroup wildcard = null;
        for (IscsiPortalGroup g : portalGroups.values()) {
            for (IscsiPortal p : g.portals()) {
                if (p.accepts(local)) {
                    if (!p.socketAddress().getAddress().isAnyLocalAddress()) {
                        return g;
                    }
                    wildcard = wildcard == null ? g : wildcard;
                }
            }
        }
        return wildcard;
    }

    /** The SCSI target port of one portal group: (this target, tag) with the configured relative identifier. */
    public TargetPort targetPort(IscsiPortalGroup group) {
        return TargetPort.iscsi(group.relativeTargetPortId(), name, group.tag());
    }

    /** Every logical unit mapped in any portal group. */
    public Set<LogicalUnit> logicalUnits() {
        Set<LogicalUnit> out = new LinkedHashSet<>();
        for (IscsiPortalGroup g : portalGroups.values()) {
            out.addAll(g.luns().values());
        }
        return out;
    }

    /** Whether this initiator may log in through at least one portal group, and so see the target in discovery. */
    boolean visibleTo(String initiatorName) {
        for (IscsiPortalGroup g : portalGroups.values()) {
            if (g.visibleTo(initiatorName)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The TargetAddress values (RFC 7143 13.8) of every portal of the groups this initiator may log in through, for
     * SendTargets; {@code local} stands in for a wildcard portal's address.
     */
    List<String> targetAddresses(InetSocketAddress local, String initiatorName) {
        List<String> out = new java.util.ArrayList<>();
        for (IscsiPortalGroup g : portalGroups.values()) {
            if (!g.visibleTo(initiatorName)) {
                continue;
            }
            for (IscsiPortal p : g.portals()) {
                out.add(p.targetAddress(local, g.tag()));
            }
        }
        return out;
    }

    IscsiServer server() {
        return server;
    }

    void attach(IscsiServer owner) {
        this.server = owner;
    }

    @Override
    public String toString() {
        return "IscsiTarget[" + name + "]";
    }
}
