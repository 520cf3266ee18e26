package org.lunforge.iscsi;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LunAddress;

/**
 * A target portal group (RFC 7143 4.4.1) and the SCSI target port it is: (target name, tag). As in LIO and
 * targetcli, everything an initiator sees through the port belongs to the group: its portals, the logical units it
 * maps to LUNs, who may log in (an ACL per initiator, or every initiator when node ACLs are generated) and how they
 * authenticate. Two groups of one target can so expose different LUNs, or the same logical unit through two ports
 * (multipath, ALUA).
 *
 * <p>The tag is what TargetPortalGroupTag reports; {@code relativeTargetPortId} is the SCSI relative target port
 * identifier of the port: unique within the server and stable across restarts, so the configuration assigns it,
 * and fixed for the life of the group (sessions name their nexus by it).
 *
 * <p>Changes take effect at once for new logins and, for LUNs and ACLs, for sessions through this group that are
 * already running: a session whose logical unit inventory changed sees REPORTED LUNS DATA HAS CHANGED.
 * Thread-safe: the daemon changes it from its own threads while sessions read it from event loops.
 */
public final class IscsiPortalGroup {
    private final int tag;
    private final int relativeTargetPortId;
    private volatile List<IscsiPortal> portals;
    private final ConcurrentSkipListMap<Integer, LogicalUnit> luns = new ConcurrentSkipListMap<>();
    private final Map<String, IscsiAcl> acls = new ConcurrentHashMap<>();
    private volatile boolean generateNodeAcls;
    private volatile boolean authenticationRequired;
    /** The group's CHAP pair, replaced as a whole so a login never sees one half of an update. */
    private volatile ChapPair chap = ChapPair.NONE;
    /** Whether an initiator through this port may reset the target (RFC 7143 11.5.1; LIO's tmr_*_reset). */
    private volatile boolean warmResetAllowed = true;
    private volatile boolean coldResetAllowed = true;
    /** Bumped on every LUN or ACL change; sessions rebuild their LUN maps when it moves. */
    private final AtomicInteger version = new AtomicInteger();
    /** The target this group is a port of, once added to one. */
    private volatile IscsiTarget target;
    /** Taken down by fault injection: its portals do not listen and logins through it are refused. */
    private volatile boolean down;
    private final AtomicLong timesTakenDown = new AtomicLong();
    private final AtomicLong loginsRefusedWhileDown = new AtomicLong();

    /** What an initiator proves (null: no CHAP) and what the target answers with when asked (null: no mutual). */
    record ChapPair(IscsiChapCredentials chap, IscsiChapCredentials mutual) {
        static final ChapPair NONE = new ChapPair(null, null);
    }

    public IscsiPortalGroup(int tag, int relativeTargetPortId, List<IscsiPortal> portals) {
        if (tag < 0 || tag > 0xFFFF) {
            throw new IllegalArgumentException("portal group tag " + tag);
        }
        if (relativeTargetPortId < 1 || relativeTargetPortId > 0xFFFF) {
            throw new IllegalArgumentException("relative target port identifier " + relativeTargetPortId);
        }
        this.tag = tag;
        this.relativeTargetPortId = relativeTargetPortId;
        this.portals = checked(portals);
    }

    private List<IscsiPortal> checked(List<IscsiPortal> list) {
        List<IscsiPortal> copy = List.copyOf(Objects.requireNonNull(list, "portals"));
        if (copy.stream().distinct().count() != copy.size()) {
            throw new IllegalArgumentException("portal listed twice in group " + tag);
        }
        return copy;
    }

    public int tag() {
        return tag;
    }

    public int relativeTargetPortId() {
        return relativeTargetPortId;
    }

    // ---- portals

    public List<IscsiPortal> portals() {
        return portals;
    }

    /**
     * Replaces the portals; the server binds new addresses and closes those no group uses any more. Sessions that
     * came in through a portal no longer listed keep running.
     */
    public IscsiPortalGroup portals(List<IscsiPortal> newPortals) {
        this.portals = checked(newPortals);
        IscsiServer s = server();
        if (s != null) {
            s.portalsChanged();
        }
        return this;
    }

    // ---- logical units

    /** Maps a logical unit at {@code lun}; sessions through this group see REPORTED LUNS DATA HAS CHANGED. */
    public IscsiPortalGroup lun(int lun, LogicalUnit logicalUnit) {
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

    public IscsiPortalGroup acl(IscsiAcl acl) {
        acls.put(IscsiTarget.normalize(acl.initiatorName()), acl);
        changed();
        return this;
    }

    public IscsiAcl removeAcl(String initiatorName) {
        IscsiAcl removed = acls.remove(IscsiTarget.normalize(initiatorName));
        if (removed != null) {
            changed();
        }
        return removed;
    }

    public List<IscsiAcl> acls() {
        return List.copyOf(acls.values());
    }

    /** Demo mode: an initiator without an ACL may log in and sees every LUN, authenticated by the group's CHAP. */
    public IscsiPortalGroup generateNodeAcls(boolean on) {
        if (generateNodeAcls != on) {
            this.generateNodeAcls = on;
            changed();
        }
        return this;
    }

    public boolean generateNodeAcls() {
        return generateNodeAcls;
    }

    /** Require CHAP of every initiator (with its ACL's credentials, else the group's). */
    public IscsiPortalGroup authenticationRequired(boolean required) {
        this.authenticationRequired = required;
        return this;
    }

    public boolean authenticationRequired() {
        return authenticationRequired;
    }

    /** The group's CHAP credentials, used for initiators whose ACL has none (and in demo mode); null for none. */
    public IscsiPortalGroup chap(IscsiChapCredentials credentials, IscsiChapCredentials mutual) {
        if (credentials != null && mutual != null && credentials.secret().equals(mutual.secret())) {
            throw new IllegalArgumentException("RFC 7143 9.2.1: the initiator's and the target's CHAP secrets differ");
        }
        this.chap = credentials == null && mutual == null ? ChapPair.NONE : new ChapPair(credentials, mutual);
        return this;
    }

    public IscsiChapCredentials chap() {
        return chap.chap();
    }

    public IscsiChapCredentials mutualChap() {
        return chap.mutual();
    }

    /**
     * Whether TARGET WARM RESET is served through this port; refused, it is answered Function authorization failed
     * (RFC 7143 11.6.1) and nothing is reset.
     */
    public IscsiPortalGroup warmResetAllowed(boolean allowed) {
        this.warmResetAllowed = allowed;
        return this;
    }

    public boolean warmResetAllowed() {
        return warmResetAllowed;
    }

    /** Whether TARGET COLD RESET is served through this port (refused as {@link #warmResetAllowed(boolean)}). */
    public IscsiPortalGroup coldResetAllowed(boolean allowed) {
        this.coldResetAllowed = allowed;
        return this;
    }

    public boolean coldResetAllowed() {
        return coldResetAllowed;
    }

    /** The ACL that lets this initiator in: its own, a generated one in demo mode, or null (not authorized). */
    IscsiAcl aclFor(String initiatorName) {
        IscsiAcl acl = acls.get(IscsiTarget.normalize(initiatorName));
        if (acl == null && generateNodeAcls) {
            return IscsiAcl.allLuns(initiatorName);
        }
        return acl;
    }

    /** The CHAP an initiator with this ACL runs: the ACL's own credentials where it has them, else the group's. */
    ChapPair chapFor(IscsiAcl acl) {
        ChapPair group = chap;
        return new ChapPair(acl.chap() != null ? acl.chap() : group.chap(),
                acl.mutualChap() != null ? acl.mutualChap() : group.mutual());
    }

    /** Whether this initiator may log in here, and so see this group's portals in discovery. */
    boolean visibleTo(String initiatorName) {
        return aclFor(initiatorName) != null;
    }

    int version() {
        return version.get();
    }

    // ---- fault injection: the port down and up

    /**
     * Takes the target port down (fault injection, as a pulled cable or a failed HBA port): the server stops
     * listening on the group's portals (a portal another, live group shares keeps listening, but refuses logins
     * through this one: Service unavailable), and every session through the port is dropped without a logout, as a
     * link failure drops it. Up again, the portals listen and logins are accepted. Never saved: a new group is up.
     */
    public IscsiPortalGroup down(boolean takenDown) {
        if (this.down == takenDown) {
            return this;
        }
        this.down = takenDown;
        if (takenDown) {
            timesTakenDown.incrementAndGet();
        }
        IscsiServer s = server();
        if (s != null) {
            s.portalsChanged();
            if (takenDown) {
                s.closeSessions(this);
            }
        }
        return this;
    }

    public boolean down() {
        return down;
    }

    /** How many times the port was taken down since the group was made. */
    public long timesTakenDown() {
        return timesTakenDown.get();
    }

    /** Logins refused because the port was down (through a portal a live group shares). */
    public long loginsRefusedWhileDown() {
        return loginsRefusedWhileDown.get();
    }

    void loginRefusedWhileDown() {
        loginsRefusedWhileDown.incrementAndGet();
    }

    // ---- ownership

    /** The target this group belongs to, or null before it is added to one. */
    public IscsiTarget target() {
        return target;
    }

    synchronized void attach(IscsiTarget owner) {
        if (owner != null && target != null && target != owner) {
            throw new IllegalArgumentException("portal group " + tag + " already belongs to " + target.name());
        }
        target = owner;
    }

    private IscsiServer server() {
        IscsiTarget t = target;
        return t == null ? null : t.server();
    }

    private void changed() {
        version.incrementAndGet();
        IscsiServer s = server();
        if (s != null) {
            s.lunsChanged(this);
        }
    }

    @Override
    public String toString() {
        IscsiTarget t = target;
        return "IscsiPortalGroup[" + (t == null ? "?" : t.name()) + ",t,0x%04x, RTPI %d]".formatted(tag,
                relativeTargetPortId);
    }
}
