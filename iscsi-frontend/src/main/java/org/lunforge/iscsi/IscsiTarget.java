package org.lunforge.iscsi;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LunAddress;
import org.lunforge.scsi.TargetPort;

/**
 * An iSCSI target node (RFC 7143 4.4.1): its name and alias, its portal groups (one SCSI target port each), the
 * logical units it maps to LUNs, and who may log in: an ACL per initiator, or every initiator when node ACLs are
 * generated (demo mode). Changes take effect at once for new logins and, for LUNs, for sessions already running
 * (they get REPORTED LUNS DATA HAS CHANGED).
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
    private final ConcurrentSkipListMap<Integer, LogicalUnit> luns = new ConcurrentSkipListMap<>();
    private final Map<String, IscsiAcl> acls = new ConcurrentHashMap<>();
    private volatile boolean generateNodeAcls;
    private volatile boolean authenticationRequired;
    private volatile IscsiChapCredentials chap;
    private volatile IscsiChapCredentials mutualChap;
    /** Bumped on every LUN or ACL change; sessions rebuild their LUN maps when it moves. */
    private final java.util.concurrent.atomic.AtomicInteger version = new java.util.concurrent.atomic.AtomicInteger();
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

    /** Adds or replaces a portal group; the server binds portals it did not listen on yet. */
    public IscsiTarget portalGroup(IscsiPortalGroup group) {
        IscsiServer s = server;
        if (s != null) {
            s.checkRelativePortId(this, group);
        }
        portalGroups.put(group.tag(), group);
        if (s != null) {
            s.portalsChanged();
        }
        return this;
    }

    public void removePortalGroup(int tag) {
        portalGroups.remove(tag);
        IscsiServer s = server;
        if (s != null) {
            s.portalsChanged();
        }
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

    // ---- logical units

    /** Maps a logical unit at {@code lun}; sessions of this target see a REPORTED LUNS DATA HAS CHANGED. */
    public IscsiTarget lun(int lun, LogicalUnit logicalUnit) {
        if (lun < 0 || lun > LunAddress.MAX_LUN) {
            throw new IllegalArgumentException("LUN " + lun);
        }
        luns.put(lun, Objects.requireNonNull(logicalUnit, "logicalUnit"));
        changed();
        return this;
    }

    /** Unmaps a LUN; returns the logical unit that was there (the caller closes it), or null. */
    public LogicalUnit removeLun(int lun) {
        LogicalUnit removed = luns.remove(lun);
        if (removed != null) {
            changed();
        }
        return removed;
    }

    public LogicalUnit logicalUnit(int lun) {
        return luns.get(lun);
    }

    public Map<Integer, LogicalUnit> luns() {
        return Map.copyOf(luns);
    }

    // ---- access

    public IscsiTarget acl(IscsiAcl acl) {
        acls.put(normalize(acl.initiatorName()), acl);
        changed();
        return this;
    }

    public IscsiAcl removeAcl(String initiatorName) {
        IscsiAcl removed = acls.remove(normalize(initiatorName));
        changed();
        return removed;
    }

    public Collection<IscsiAcl> acls() {
        return List.copyOf(acls.values());
    }

    /** Demo mode: an initiator without an ACL sees every LUN, authenticated by the target-wide CHAP if any. */
    public IscsiTarget generateNodeAcls(boolean on) {
        this.generateNodeAcls = on;
        changed();
        return this;
    }

    public boolean generateNodeAcls() {
        return generateNodeAcls;
    }

    /** Require CHAP of every initiator (with its ACL's credentials, else the target's). */
    public IscsiTarget authenticationRequired(boolean required) {
        this.authenticationRequired = required;
        return this;
    }

    public boolean authenticationRequired() {
        return authenticationRequired;
    }

    /** Target-wide CHAP credentials, used for initiators whose ACL has none (and in demo mode). */
    public IscsiTarget chap(IscsiChapCredentials credentials, IscsiChapCredentials mutual) {
        if (credentials != null && mutual != null && credentials.secret().equals(mutual.secret())) {
            throw new IllegalArgumentException("RFC 7143 9.2.1: the initiator's and the target's CHAP secrets differ");
        }
        this.chap = credentials;
        this.mutualChap = mutual;
        return this;
    }

    /** The ACL that lets this initiator in: its own, a generated one in demo mode, or null (not authorized). */
    IscsiAcl aclFor(String initiatorName) {
        IscsiAcl acl = acls.get(normalize(initiatorName));
        if (acl == null && generateNodeAcls) {
            return IscsiAcl.allLuns(initiatorName);
        }
        return acl;
    }

    /** What the initiator must prove (null: no CHAP) given its ACL. */
    IscsiChapCredentials chapFor(IscsiAcl acl) {
        return acl.chap() != null ? acl.chap() : chap;
    }

    IscsiChapCredentials mutualChapFor(IscsiAcl acl) {
        return acl.mutualChap() != null ? acl.mutualChap() : mutualChap;
    }

    /** Whether this initiator may see the target in discovery. */
    boolean visibleTo(String initiatorName) {
        return aclFor(initiatorName) != null;
    }

    int version() {
        return version.get();
    }

    private void changed() {
        version.incrementAndGet();
        IscsiServer s = server;
        if (s != null) {
            s.lunsChanged(this);
        }
    }

    void attach(IscsiServer owner) {
        this.server = owner;
    }

    /** The TargetAddress values of every portal of every group (RFC 7143 13.8), for SendTargets. */
    List<String> targetAddresses(InetSocketAddress local) {
        List<String> out = new ArrayList<>();
        for (IscsiPortalGroup g : portalGroups.values()) {
            for (IscsiPortal p : g.portals()) {
                out.add(p.targetAddress(local, g.tag()));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "IscsiTarget[" + name + "]";
    }
}
