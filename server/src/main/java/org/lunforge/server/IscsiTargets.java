package org.lunforge.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.lunforge.iscsi.IscsiAcl;
import org.lunforge.iscsi.IscsiChapCredentials;
import org.lunforge.iscsi.IscsiPortal;
import org.lunforge.iscsi.IscsiPortalGroup;
import org.lunforge.iscsi.IscsiServer;
import org.lunforge.iscsi.IscsiTarget;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.server.config.Acl;
import org.lunforge.server.config.Chap;
import org.lunforge.server.config.IscsiTarget.Builder;
import org.lunforge.server.config.Lun;
import org.lunforge.server.config.MappedLun;
import org.lunforge.server.config.PortalGroup;

/**
 * The targets of lunforge's own iSCSI target, kept equal to the configuration's. A target whose configuration is
 * unchanged keeps its sessions; a changed one is updated in place, portal group by portal group (portals, LUNs,
 * ACLs, authentication), so that initiators see REPORTED LUNS DATA HAS CHANGED rather than a dropped connection.
 */
final class IscsiTargets {
    private final IscsiServer server;
    /** Configuration by normalized IQN, as last applied. */
    private final Map<String, org.lunforge.server.config.IscsiTarget> applied = new HashMap<>();

    IscsiTargets(IscsiServer server) {
        this.server = server;
    }

    /**
     * Makes the server's targets those of {@code targets}, with LUNs resolved through {@code logicalUnits} (a path
     * with no object is a configuration error caught before this runs).
     */
    void reconcile(List<org.lunforge.server.config.IscsiTarget> targets, Function<String, LogicalUnit> logicalUnits) {
        Map<String, org.lunforge.server.config.IscsiTarget> wanted = new LinkedHashMap<>();
        for (org.lunforge.server.config.IscsiTarget t : relativeIdsAssigned(targets)) {
            wanted.put(t.getIqn().toLowerCase(Locale.ROOT), t);
        }
        for (String name : List.copyOf(applied.keySet())) {
            if (!wanted.containsKey(name)) {
                server.removeTarget(name);
                applied.remove(name);
            }
        }
        for (Map.Entry<String, org.lunforge.server.config.IscsiTarget> e : wanted.entrySet()) {
            IscsiTarget target = server.target(e.getKey());
            boolean created = target == null;
            if (created) {
                target = new IscsiTarget(e.getValue().getIqn());
            }
            update(target, e.getValue(), logicalUnits);
            if (created) {
                server.addTarget(target);
            }
            applied.put(e.getKey(), e.getValue());
        }
    }

    private static void update(IscsiTarget target, org.lunforge.server.config.IscsiTarget config,
                               Function<String, LogicalUnit> logicalUnits) {
        target.alias(config.getAlias().isEmpty() ? null : config.getAlias());
        // One SCSI target port per portal group, each with its own portals, LUNs, ACLs and authentication (the
        // targetcli model). A group is updated in place, so its sessions keep running and see what changed; only a
        // new relative target port identifier makes it another port (its sessions are asked to log out).
        Set<Integer> tags = new HashSet<>();
        for (PortalGroup tpg : config.getPortalGroupsList()) {
            tags.add(tpg.getTag());
            List<IscsiPortal> portals = tpg.getPortalsList().stream().map(IscsiPortal::parse).toList();
            IscsiPortalGroup group = target.portalGroup(tpg.getTag());
            if (group != null && group.relativeTargetPortId() != tpg.getRelativePortId()) {
                target.removePortalGroup(tpg.getTag());
                group = null;
            }
            if (group == null) {
                group = new IscsiPortalGroup(tpg.getTag(), tpg.getRelativePortId(), portals);
                update(group, tpg, logicalUnits);
                target.portalGroup(group);
            } else {
                if (!group.portals().equals(portals)) {
                    group.portals(portals);
                }
                update(group, tpg, logicalUnits);
            }
        }
        for (IscsiPortalGroup g : List.copyOf(target.portalGroups())) {
            if (!tags.contains(g.tag())) {
                target.removePortalGroup(g.tag());
            }
        }
    }

    /**
     * Makes one group's LUNs, ACLs, authentication and target reset settings those of its configuration. Additions
     * come before removals and nothing unchanged is touched, so a session sees one REPORTED LUNS DATA HAS CHANGED per
     * real change.
     */
    private static void update(IscsiPortalGroup group, PortalGroup config, Function<String, LogicalUnit> logicalUnits) {
        Map<Integer, LogicalUnit> luns = new HashMap<>();
        for (Lun lun : config.getLunsList()) {
            luns.put(lun.getLun(), logicalUnits.apply(lun.getObject()));
        }
        luns.forEach((lun, lu) -> {
            if (group.logicalUnit(lun) != lu) {
                group.lun(lun, lu);
            }
        });
        for (Integer lun : List.copyOf(group.luns().keySet())) {
            if (!luns.containsKey(lun)) {
                group.removeLun(lun);
            }
        }
        Map<String, IscsiAcl> current = new HashMap<>();
        for (IscsiAcl acl : group.acls()) {
            current.put(acl.initiatorName().toLowerCase(Locale.ROOT), acl);
        }
        Set<String> initiators = new HashSet<>();
        for (Acl acl : config.getAclsList()) {
            IscsiAcl wanted = acl(acl);
            String key = acl.getInitiator().toLowerCase(Locale.ROOT);
            initiators.add(key);
            if (!wanted.equals(current.get(key))) {
                group.acl(wanted);
            }
        }
        for (IscsiAcl acl : group.acls()) {
            if (!initiators.contains(acl.initiatorName().toLowerCase(Locale.ROOT))) {
                group.removeAcl(acl.initiatorName());
            }
        }
        group.generateNodeAcls(config.getGenerateNodeAcls());
        group.authenticationRequired(config.getAuthentication());
        group.chap(chap(config.getChap()), mutual(config.getChap()));
        group.warmResetAllowed(!config.hasTmrWarmReset() || config.getTmrWarmReset());
        group.coldResetAllowed(!config.hasTmrColdReset() || config.getTmrColdReset());
    }

    /** An ACL as the iSCSI target keeps it: the initiator, its LUN mapping (null: every LUN) and CHAP. */
    private static IscsiAcl acl(Acl acl) {
        Map<Integer, Integer> mapping = null;
        Set<Integer> writeProtected = new HashSet<>();
        if (acl.getMappedLunsCount() > 0) {
            mapping = new HashMap<>();
            for (MappedLun m : acl.getMappedLunsList()) {
                mapping.put(m.getMappedLun(), m.getTpgLun());
                if (m.getWriteProtect()) {
                    writeProtected.add(m.getMappedLun());
                }
            }
        }
        return new IscsiAcl(acl.getInitiator(), mapping, chap(acl.getChap()), mutual(acl.getChap()), writeProtected);
    }

    // ---- one object at a time: a change of a few objects costs the same beside ten LUNs or a thousand

    /** The running portal group {@code tag} of target {@code iqn}; the change was checked, so it exists. */
    private IscsiPortalGroup group(String iqn, int tag) {
        IscsiTarget target = server.target(iqn.toLowerCase(Locale.ROOT));
        IscsiPortalGroup group = target == null ? null : target.portalGroup(tag);
        if (group == null) {
            throw new IllegalStateException("no running portal group " + iqn + " tpg" + tag);
        }
        return group;
    }

    /** Maps LUN {@code lun} of one group to {@code logicalUnit}, or unmaps it (null). */
    void lun(String iqn, int tag, int lun, LogicalUnit logicalUnit) {
        IscsiPortalGroup group = group(iqn, tag);
        if (logicalUnit == null) {
            group.removeLun(lun);
        } else if (group.logicalUnit(lun) != logicalUnit) {
            group.lun(lun, logicalUnit);
        }
    }

    /** Makes one group's ACL for {@code acl}'s initiator that one. */
    void acl(String iqn, int tag, Acl acl) {
        IscsiPortalGroup group = group(iqn, tag);
        IscsiAcl wanted = acl(acl);
        if (!wanted.equals(group.acls().stream().filter(a -> a.initiatorName().equalsIgnoreCase(acl.getInitiator()))
                .findFirst().orElse(null))) {
            group.acl(wanted);
        }
    }

    void removeAcl(String iqn, int tag, String initiator) {
        group(iqn, tag).removeAcl(initiator);
    }

    /** Every LUN that mapped {@code old} maps {@code now}: a storage object reopened under a changed configuration. */
    void remap(LogicalUnit old, LogicalUnit now) {
        for (IscsiTarget target : server.targets()) {
            for (IscsiPortalGroup group : target.portalGroups()) {
                group.luns().forEach((lun, lu) -> {
                    if (lu == old) {
                        group.lun(lun, now);
                    }
                });
            }
        }
    }

    private static IscsiChapCredentials chap(Chap chap) {
        return chap.getUserid().isEmpty() ? null : new IscsiChapCredentials(chap.getUserid(), chap.getPassword());
    }

    private static IscsiChapCredentials mutual(Chap chap) {
        return chap.getMutualUserid().isEmpty() ? null
                : new IscsiChapCredentials(chap.getMutualUserid(), chap.getMutualPassword());
    }

    /**
     * Portal groups without a relative target port identifier get the lowest free ones, in configuration order, so
     * that an unedited configuration keeps its identifiers from run to run (the shell writes them out when it saves).
     */
    static List<org.lunforge.server.config.IscsiTarget> relativeIdsAssigned(
            List<org.lunforge.server.config.IscsiTarget> targets) {
        Set<Integer> used = new HashSet<>();
        targets.forEach(t -> t.getPortalGroupsList().forEach(g -> used.add(g.getRelativePortId())));
        List<org.lunforge.server.config.IscsiTarget> out = new ArrayList<>();
        int next = 1;
        for (org.lunforge.server.config.IscsiTarget t : targets) {
            Builder b = t.toBuilder();
            for (PortalGroup.Builder g : b.getPortalGroupsBuilderList()) {
                if (g.getRelativePortId() == 0) {
                    while (used.contains(next)) {
                        next++;
                    }
                    g.setRelativePortId(next);
                    used.add(next);
                }
            }
            out.add(b.build());
        }
        return out;
    }
}
