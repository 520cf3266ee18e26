package org.lunforge.server.control;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lunforge.server.config.Acl;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigException;
import org.lunforge.server.config.ConfigJson;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.Lun;
import org.lunforge.server.config.MappedLun;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.TapeDrive;
import org.lunforge.server.config.TapeLibrary;
import org.lunforge.server.config.TcmuDevice;

/**
 * A change of a few objects of a configuration, as the change alone ({@link ObjectChange}s: a backstore, a LUN or an
 * ACL created, replaced or deleted by its path), so that it crosses the control socket and is checked and applied at
 * the same cost beside ten objects or a thousand.
 *
 * <p>{@link #apply} is the one way changes are applied, in the daemon and in a client's copy alike: each change is
 * checked by the rules a whole configuration passes ({@link ConfigValidator}'s, for that object and the references to
 * and from it), so that a configuration valid before is valid after; the first change that breaks one is refused with
 * its path and reason and nothing is applied. {@link #between} finds the changes that turn one configuration into
 * another, or says that the difference is more than such objects (then the whole configuration is sent).
 */
public final class ConfigChanges {
    private static final Pattern BACKSTORE = Pattern.compile("/backstores/(memory|fileio|block|rbd)/([^/]+)");
    private static final Pattern LUN = Pattern.compile("/iscsi/([^/]+)/tpg([0-9]{1,5})/luns/lun([0-9]{1,5})");
    private static final Pattern ACL = Pattern.compile("/iscsi/([^/]+)/tpg([0-9]{1,5})/acls/(.+)");

    private ConfigChanges() {
    }

    /** What a LUN's or an ACL's path names: a portal group, and the LUN number (else -1) or the initiator. */
    public record GroupPart(String iqn, int tag, int lun, String initiator) {
    }

    /** The portal group part a path names; null for any other path (a backstore's). */
    public static GroupPart groupPart(String path) {
        Matcher m = LUN.matcher(path);
        if (m.matches()) {
            return new GroupPart(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), null);
        }
        m = ACL.matcher(path);
        if (m.matches()) {
            return new GroupPart(m.group(1), Integer.parseInt(m.group(2)), -1, m.group(3));
        }
        return null;
    }

    /** The configuration the changes made, and the changes as applied (identities filled in). */
    public record Applied(Config config, List<ObjectChange> changes) {
    }

    /**
     * {@code running} with {@code changes} applied in order, all checked; a disk created or replaced without a unit id
     * gets the one the daemon would derive ({@link ConfigIdentities}). {@code source} names where the change came from
     * in a refusal, whose path is the object's path and the field ("/backstores/memory/d1.memory.size").
     */
    public static Applied apply(Config running, List<ObjectChange> changes, String source) throws ConfigException {
        return apply(running, changes, source, true);
    }

    /** {@link #apply}; {@code complete}: fill in identities (not when checking what the changes give as sent). */
    private static Applied apply(Config running, List<ObjectChange> changes, String source, boolean complete)
            throws ConfigException {
        Config.Builder b = running.toBuilder();
        List<ObjectChange> applied = new ArrayList<>(changes.size());
        for (ObjectChange change : changes) {
            applied.add(apply(b, change, source, complete));
        }
        return new Applied(b.build(), applied);
    }

    private static ObjectChange apply(Config.Builder b, ObjectChange change, String source, boolean complete)
            throws ConfigException {
        String path = change.getPath();
        if (change.getAction() != ObjectChange.Action.CREATE && change.getAction() != ObjectChange.Action.REPLACE
                && change.getAction() != ObjectChange.Action.DELETE) {
            throw refused(source, path, "name the action: CREATE, REPLACE or DELETE");
        }
        boolean delete = change.getAction() == ObjectChange.Action.DELETE;
        if (delete && change.getObjectCase() != ObjectChange.ObjectCase.OBJECT_NOT_SET) {
            throw refused(source, path, "a DELETE carries no object");
        }
        Matcher m;
        if ((m = BACKSTORE.matcher(path)).matches()) {
            if (!delete && change.getObjectCase() != ObjectChange.ObjectCase.BACKSTORE) {
                throw refused(source, path, "the path names a backstore: send one");
            }
            return backstore(b, change, source, complete);
        }
        if ((m = LUN.matcher(path)).matches()) {
            if (!delete && change.getObjectCase() != ObjectChange.ObjectCase.LUN) {
                throw refused(source, path, "the path names a LUN: send one");
            }
            return lun(b, change, m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), source);
        }
        if ((m = ACL.matcher(path)).matches()) {
            if (!delete && change.getObjectCase() != ObjectChange.ObjectCase.ACL) {
                throw refused(source, path, "the path names an ACL: send one");
            }
            return acl(b, change, m.group(1), Integer.parseInt(m.group(2)), m.group(3), source);
        }
        throw refused(source, path, "not a path a change can name: /backstores/TYPE/NAME,"
                + " /iscsi/IQN/tpgN/luns/lunN or /iscsi/IQN/tpgN/acls/INITIATOR");
    }

    private static ObjectChange backstore(Config.Builder b, ObjectChange change, String source, boolean complete)
            throws ConfigException {
        String path = change.getPath();
        int at = backstoreIndex(b, path);
        switch (change.getAction()) {
            case DELETE -> {
                if (at < 0) {
                    throw refused(source, path, "no such storage object");
                }
                String user = userOf(b, path);
                if (user != null) {
                    throw refused(source, path, "still used by " + user + ": delete that first");
                }
                if (b.hasCluster() && b.getCluster().getBackstore().equals(b.getBackstores(at).getName())
                        && b.getBackstores(at).hasRbd()) {
                    throw refused(source, path, "the cluster keeps its state in it (cluster.backstore)");
                }
                b.removeBackstores(at);
                return change;
            }
            case CREATE, REPLACE -> {
                Backstore store = change.getBackstore();
                ConfigJson.Parsed parsed = new ConfigJson.Parsed(Config.getDefaultInstance(), Map.of());
                ConfigValidator.checkBackstoreName(parsed, source, path, store);
                if (!ConfigValidator.backstorePath(store).equals(path)) {
                    throw refused(source, path, "the object is " + ConfigValidator.backstorePath(store)
                            + ", not what the path names");
                }
                if (change.getAction() == ObjectChange.Action.CREATE && at >= 0) {
                    throw refused(source, path, path + " exists");
                }
                if (change.getAction() == ObjectChange.Action.REPLACE && at < 0) {
                    throw refused(source, path, "no such storage object to replace");
                }
                // An rbd backstore keeps it empty: the daemon derives it from the image, the same on every node.
                if (complete && store.getUnitId().isEmpty() && !store.hasRbd()) {
                    store = store.toBuilder().setUnitId(ConfigIdentities.derived(path).toString()).build();
                }
                ConfigValidator.checkBackstore(parsed, source, path, store);
                if (at < 0) {
                    b.addBackstores(store);
                } else {
                    b.setBackstores(at, store);
                }
                return change.toBuilder().setBackstore(store).build();
            }
            default -> throw new AssertionError();
        }
    }

    private static ObjectChange lun(Config.Builder b, ObjectChange change, String iqn, int tag, int number,
                                    String source) throws ConfigException {
        String path = change.getPath();
        PortalGroup.Builder group = group(b, iqn, tag, path, source);
        int at = indexOfLun(group, number);
        if (change.getAction() == ObjectChange.Action.DELETE) {
            if (at < 0) {
                throw refused(source, path, "tpg" + tag + " has no LUN " + number);
            }
            for (Acl acl : group.getAclsList()) {
                for (MappedLun mapped : acl.getMappedLunsList()) {
                    if (mapped.getTpgLun() == number) {
                        throw refused(source, path, "mapped for " + acl.getInitiator() + " as mapped_lun"
                                + mapped.getMappedLun() + ": delete that mapping first");
                    }
                }
            }
            group.removeLuns(at);
            return change;
        }
        Lun lun = change.getLun();
        if (lun.getLun() != number) {
            throw refused(source, path, "the object is LUN " + lun.getLun() + ", not what the path names");
        }
        if (change.getAction() == ObjectChange.Action.REPLACE && at < 0) {
            throw refused(source, path, "tpg" + tag + " has no LUN " + number + " to replace");
        }
        ConfigValidator.checkLun(new ConfigJson.Parsed(Config.getDefaultInstance(), Map.of()), source, path, lun,
                change.getAction() == ObjectChange.Action.CREATE && at >= 0, object -> objectExists(b, object));
        if (at >= 0) {
            // Mappings of this LUN must still hold for what it is now (write protection of a changer).
            for (int a = 0; a < group.getAclsCount(); a++) {
                Acl acl = group.getAcls(a);
                if (acl.getMappedLunsList().stream().anyMatch(m -> m.getTpgLun() == number && m.getWriteProtect())
                        && isChanger(b, lun.getObject())) {
                    throw refused(source, path, "object: " + acl.getInitiator() + " maps it write-protected, and a"
                            + " medium changer writes no medium");
                }
            }
            group.setLuns(at, lun);
        } else {
            group.addLuns(lun);
        }
        return change;
    }

    private static ObjectChange acl(Config.Builder b, ObjectChange change, String iqn, int tag, String initiator,
                                    String source) throws ConfigException {
        String path = change.getPath();
        PortalGroup.Builder group = group(b, iqn, tag, path, source);
        int at = -1;
        for (int i = 0; i < group.getAclsCount(); i++) {
            if (group.getAcls(i).getInitiator().equalsIgnoreCase(initiator)) {
                at = i;
                break;
            }
        }
        if (change.getAction() == ObjectChange.Action.DELETE) {
            if (at < 0) {
                throw refused(source, path, "no ACL for " + initiator);
            }
            group.removeAcls(at);
            return change;
        }
        Acl acl = change.getAcl();
        if (!acl.getInitiator().equalsIgnoreCase(initiator)) {
            throw refused(source, path, "the object is the ACL of " + acl.getInitiator() + ", not what the path"
                    + " names");
        }
        if (change.getAction() == ObjectChange.Action.CREATE && at >= 0) {
            throw refused(source, path, "an ACL for " + initiator + " exists");
        }
        if (change.getAction() == ObjectChange.Action.REPLACE && at < 0) {
            throw refused(source, path, "no ACL for " + initiator + " to replace");
        }
        Map<Integer, String> objects = new HashMap<>();
        group.getLunsList().forEach(l -> objects.put(l.getLun(), l.getObject()));
        ConfigValidator.checkAcl(new ConfigJson.Parsed(Config.getDefaultInstance(), Map.of()), source, path, acl,
                objects::get, object -> isChanger(b, object));
        if (at < 0) {
            group.addAcls(acl);
        } else {
            group.setAcls(at, acl);
        }
        return change;
    }

    /** The portal group a LUN's or an ACL's path names; refused when the target or the group does not exist. */
    private static PortalGroup.Builder group(Config.Builder b, String iqn, int tag, String path, String source)
            throws ConfigException {
        for (int t = 0; t < b.getIscsiTargetsCount(); t++) {
            if (b.getIscsiTargets(t).getIqn().equalsIgnoreCase(iqn)) {
                IscsiTarget.Builder target = b.getIscsiTargetsBuilder(t);
                for (int g = 0; g < target.getPortalGroupsCount(); g++) {
                    if (target.getPortalGroups(g).getTag() == tag) {
                        return target.getPortalGroupsBuilder(g);
                    }
                }
                throw refused(source, path, iqn + " has no tpg" + tag);
            }
        }
        throw refused(source, path, "no target " + iqn + " under /iscsi");
    }

    private static int indexOfLun(PortalGroup.Builder group, int number) {
        for (int i = 0; i < group.getLunsCount(); i++) {
            if (group.getLuns(i).getLun() == number) {
                return i;
            }
        }
        return -1;
    }

    /** The backstore at {@code path}, by a scan that compares names without building paths; -1 if none. */
    private static int backstoreIndex(Config.Builder b, String path) {
        Matcher m = BACKSTORE.matcher(path);
        if (!m.matches()) {
            return -1;
        }
        Backstore.StoreCase type = switch (m.group(1)) {
            case "memory" -> Backstore.StoreCase.MEMORY;
            case "fileio" -> Backstore.StoreCase.FILEIO;
            case "block" -> Backstore.StoreCase.BLOCK;
            default -> Backstore.StoreCase.RBD;
        };
        String name = m.group(2);
        List<Backstore> all = b.getBackstoresList();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).getStoreCase() == type && all.get(i).getName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether a LUN may name {@code object}: a backstore, or a library's changer or drive. */
    private static boolean objectExists(Config.Builder b, String object) {
        if (backstoreIndex(b, object) >= 0) {
            return true;
        }
        for (TapeLibrary library : b.getLibrariesList()) {
            if (ConfigValidator.changerPath(library).equals(object)) {
                return true;
            }
            for (TapeDrive drive : library.getDrivesList()) {
                if (ConfigValidator.drivePath(library, drive).equals(object)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isChanger(Config.Builder b, String object) {
        for (TapeLibrary library : b.getLibrariesList()) {
            if (ConfigValidator.changerPath(library).equals(object)) {
                return true;
            }
        }
        return false;
    }

    /** A LUN or TCMU device that names the storage object at {@code path}, as a tree path; null if none does. */
    private static String userOf(Config.Builder b, String path) {
        for (IscsiTarget t : b.getIscsiTargetsList()) {
            for (PortalGroup g : t.getPortalGroupsList()) {
                for (Lun l : g.getLunsList()) {
                    if (l.getObject().equals(path)) {
                        return lunPath(t.getIqn(), g.getTag(), l.getLun());
                    }
                }
            }
        }
        for (TcmuDevice d : b.getTcmuDevicesList()) {
            if (d.getObject().equals(path)) {
                return "/tcmu/" + d.getName();
            }
        }
        return null;
    }

    private static ConfigException refused(String source, String path, String reason) {
        return new ConfigException(source, 0, path, reason);
    }

    public static String lunPath(String iqn, int tag, int lun) {
        return "/iscsi/" + iqn + "/tpg" + tag + "/luns/lun" + lun;
    }

    public static String aclPath(String iqn, int tag, String initiator) {
        return "/iscsi/" + iqn + "/tpg" + tag + "/acls/" + initiator;
    }

    /**
     * The changes that turn {@code from} into {@code to}: backstores, LUNs and ACLs created, replaced or deleted, in
     * an order {@link #apply} accepts (what is referred to made before, and deleted after, what refers to it). Null
     * when anything else differs (a target, a portal group's own settings, a library, ...), or when applying the
     * changes would not give exactly {@code to}: then the whole configuration is the change. Changes that break a
     * rule are returned as they are, for the daemon to refuse with the reason.
     */
    public static List<ObjectChange> between(Config from, Config to) {
        if (from.getIscsiTargetsCount() != to.getIscsiTargetsCount()
                || !from.toBuilder().clearBackstores().clearIscsiTargets().build()
                        .equals(to.toBuilder().clearBackstores().clearIscsiTargets().build())) {
            return null;
        }
        List<ObjectChange> makeBackstores = new ArrayList<>();
        List<ObjectChange> makeLuns = new ArrayList<>();
        List<ObjectChange> acls = new ArrayList<>();
        List<ObjectChange> dropLuns = new ArrayList<>();
        List<ObjectChange> dropBackstores = new ArrayList<>();
        if (!backstores(from.getBackstoresList(), to.getBackstoresList(), makeBackstores, dropBackstores)) {
            return null;
        }
        for (int t = 0; t < from.getIscsiTargetsCount(); t++) {
            IscsiTarget a = from.getIscsiTargets(t);
            IscsiTarget z = to.getIscsiTargets(t);
            if (a == z) {
                continue;
            }
            if (!a.getIqn().equals(z.getIqn()) || a.getIqn().contains("/")
                    || !a.getAlias().equals(z.getAlias())
                    || a.getPortalGroupsCount() != z.getPortalGroupsCount()) {
                return null;
            }
            for (int g = 0; g < a.getPortalGroupsCount(); g++) {
                PortalGroup ga = a.getPortalGroups(g);
                PortalGroup gz = z.getPortalGroups(g);
                if (ga == gz) {
                    continue;
                }
                if (!ga.toBuilder().clearLuns().clearAcls().build().equals(gz.toBuilder().clearLuns().clearAcls()
                        .build())) {
                    return null;
                }
                if (!luns(a.getIqn(), ga, gz, makeLuns, dropLuns) || !acls(a.getIqn(), ga, gz, acls)) {
                    return null;
                }
            }
        }
        List<ObjectChange> all = new ArrayList<>();
        all.addAll(makeBackstores);
        all.addAll(makeLuns);
        all.addAll(acls);
        all.addAll(dropLuns);
        all.addAll(dropBackstores);
        try {
            Config result = apply(from, all, "change", false).config();
            // Order inside the lists is part of the configuration (the saved file keeps it): send a change only when
            // it gives exactly what was asked for.
            return result.equals(to) ? all : null;
        } catch (ConfigException refused) {
            // The daemon refuses it the same way, with the reason.
            return all;
        }
    }

    private static boolean backstores(List<Backstore> from, List<Backstore> to, List<ObjectChange> make,
                                      List<ObjectChange> drop) {
        Middle<Backstore> middle = Middle.of(from, to);
        Map<String, Backstore> before = new HashMap<>();
        for (Backstore b : middle.from()) {
            before.put(ConfigValidator.backstorePath(b), b);
        }
        Set<String> kept = new HashSet<>();
        for (Backstore b : middle.to()) {
            String path = ConfigValidator.backstorePath(b);
            if (!BACKSTORE.matcher(path).matches() || !kept.add(path)) {
                return false;
            }
            Backstore old = before.get(path);
            if (old == null) {
                make.add(put(ObjectChange.Action.CREATE, path).setBackstore(b).build());
            } else if (old != b && !old.equals(b)) {
                make.add(put(ObjectChange.Action.REPLACE, path).setBackstore(b).build());
            }
        }
        for (String path : before.keySet()) {
            if (!kept.contains(path)) {
                drop.add(put(ObjectChange.Action.DELETE, path).build());
            }
        }
        return true;
    }

    private static boolean luns(String iqn, PortalGroup from, PortalGroup to, List<ObjectChange> make,
                                List<ObjectChange> drop) {
        Middle<Lun> middle = Middle.of(from.getLunsList(), to.getLunsList());
        Map<Integer, Lun> before = new HashMap<>();
        middle.from().forEach(l -> before.put(l.getLun(), l));
        Set<Integer> kept = new HashSet<>();
        for (Lun l : middle.to()) {
            if (!kept.add(l.getLun())) {
                return false;
            }
            Lun old = before.get(l.getLun());
            String path = lunPath(iqn, to.getTag(), l.getLun());
            if (old == null) {
                make.add(put(ObjectChange.Action.CREATE, path).setLun(l).build());
            } else if (!old.equals(l)) {
                make.add(put(ObjectChange.Action.REPLACE, path).setLun(l).build());
            }
        }
        for (Integer n : before.keySet()) {
            if (!kept.contains(n)) {
                drop.add(put(ObjectChange.Action.DELETE, lunPath(iqn, to.getTag(), n)).build());
            }
        }
        return true;
    }

    private static boolean acls(String iqn, PortalGroup from, PortalGroup to, List<ObjectChange> changes) {
        Middle<Acl> middle = Middle.of(from.getAclsList(), to.getAclsList());
        Map<String, Acl> before = new HashMap<>();
        middle.from().forEach(a -> before.put(a.getInitiator().toLowerCase(Locale.ROOT), a));
        Set<String> kept = new HashSet<>();
        for (Acl a : middle.to()) {
            String key = a.getInitiator().toLowerCase(Locale.ROOT);
            if (!kept.add(key)) {
                return false;
            }
            Acl old = before.get(key);
            String path = aclPath(iqn, to.getTag(), a.getInitiator());
            if (old == null) {
                changes.add(put(ObjectChange.Action.CREATE, path).setAcl(a).build());
            } else if (!old.equals(a)) {
                if (!old.getInitiator().equals(a.getInitiator())) {
                    return false;
                }
                changes.add(put(ObjectChange.Action.REPLACE, path).setAcl(a).build());
            }
        }
        for (Map.Entry<String, Acl> e : before.entrySet()) {
            if (!kept.contains(e.getKey())) {
                changes.add(put(ObjectChange.Action.DELETE, aclPath(iqn, to.getTag(), e.getValue().getInitiator()))
                        .build());
            }
        }
        return true;
    }

    /**
     * What differs between two lists: the parts between their longest common prefix and suffix of the very same
     * elements (an edit keeps the untouched elements as they were, so a disk added at the end leaves one element to
     * compare, not a thousand). An object that moved from one part to the other shows as deleted and created; the
     * check that the changes give exactly the wanted configuration catches a reordering.
     */
    private record Middle<T>(List<T> from, List<T> to) {
        static <T> Middle<T> of(List<T> from, List<T> to) {
            int start = 0;
            int max = Math.min(from.size(), to.size());
            while (start < max && from.get(start) == to.get(start)) {
                start++;
            }
            int endFrom = from.size();
            int endTo = to.size();
            while (endFrom > start && endTo > start && from.get(endFrom - 1) == to.get(endTo - 1)) {
                endFrom--;
                endTo--;
            }
            return new Middle<>(from.subList(start, endFrom), to.subList(start, endTo));
        }
    }

    private static ObjectChange.Builder put(ObjectChange.Action action, String path) {
        return ObjectChange.newBuilder().setAction(action).setPath(Objects.requireNonNull(path));
    }
}
