package org.lunforge.server.shell;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.lunforge.server.config.Backstore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.Lun;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.TapeLibrary;
import org.lunforge.server.config.TcmuDevice;

/** Finding objects of a configuration by what the shell calls them, for edits; a miss says what exists. */
final class ShellEdits {
    private ShellEdits() {
    }

    static <T> int indexOf(List<T> list, Predicate<T> which) {
        for (int i = 0; i < list.size(); i++) {
            if (which.test(list.get(i))) {
                return i;
            }
        }
        return -1;
    }

    static int backstore(Config c, String path) throws ShellException {
        int i = indexOf(c.getBackstoresList(), b -> ConfigValidator.backstorePath(b).equals(path));
        if (i < 0) {
            throw new ShellException("no storage object " + path + " (it went away meanwhile?)");
        }
        return i;
    }

    static int target(Config c, String iqn) throws ShellException {
        int i = indexOf(c.getIscsiTargetsList(), t -> t.getIqn().equalsIgnoreCase(iqn));
        if (i < 0) {
            throw new ShellException("no target " + iqn + " under /iscsi");
        }
        return i;
    }

    static int portalGroup(IscsiTarget t, int tag) throws ShellException {
        int i = indexOf(t.getPortalGroupsList(), g -> g.getTag() == tag);
        if (i < 0) {
            throw new ShellException(t.getIqn() + " has no tpg" + tag);
        }
        return i;
    }

    static int library(Config c, String name) throws ShellException {
        int i = indexOf(c.getLibrariesList(), l -> l.getName().equals(name));
        if (i < 0) {
            throw new ShellException("no library " + name + " under /vtl");
        }
        return i;
    }

    /** An edit of one portal group of one target. */
    interface GroupEdit {
        void apply(PortalGroup.Builder group) throws ShellException;
    }

    static Config editGroup(Config c, String iqn, int tag, GroupEdit edit) throws ShellException {
        Config.Builder b = c.toBuilder();
        IscsiTarget.Builder t = b.getIscsiTargetsBuilder(target(c, iqn));
        edit.apply(t.getPortalGroupsBuilder(portalGroup(t.build(), tag)));
        return b.build();
    }

    interface LibraryEdit {
        void apply(TapeLibrary.Builder library) throws ShellException;
    }

    static Config editLibrary(Config c, String name, LibraryEdit edit) throws ShellException {
        Config.Builder b = c.toBuilder();
        edit.apply(b.getLibrariesBuilder(library(c, name)));
        return b.build();
    }

    interface BackstoreEdit {
        void apply(Backstore.Builder backstore) throws ShellException;
    }

    static Config editBackstore(Config c, String path, BackstoreEdit edit) throws ShellException {
        Config.Builder b = c.toBuilder();
        edit.apply(b.getBackstoresBuilder(backstore(c, path)));
        return b.build();
    }

    /** Every place a storage object is a LUN: "/iscsi/IQN/tpg1/luns/lun0", and TCMU devices serving it. */
    static List<String> usersOf(Config c, String objectPath) {
        return usersByObject(c).getOrDefault(objectPath, List.of());
    }

    /**
     * {@link #usersOf} for every storage object at once, in one pass over the configuration: a tree of n disks is
     * built in O(n), where asking per disk took O(n^2) and made each shell command slower as disks were added.
     */
    static Map<String, List<String>> usersByObject(Config c) {
        Map<String, List<String>> users = new HashMap<>();
        for (IscsiTarget t : c.getIscsiTargetsList()) {
            for (PortalGroup g : t.getPortalGroupsList()) {
                for (Lun l : g.getLunsList()) {
                    users.computeIfAbsent(l.getObject(), o -> new ArrayList<>())
                            .add("/iscsi/" + t.getIqn() + "/tpg" + g.getTag() + "/luns/lun" + l.getLun());
                }
            }
        }
        for (TcmuDevice d : c.getTcmuDevicesList()) {
            users.computeIfAbsent(d.getObject(), o -> new ArrayList<>()).add("/tcmu/" + d.getName());
        }
        return users;
    }

    /** {@code c} without any iSCSI LUN of {@code objectPath}, nor an ACL's mapping of such a LUN. */
    static Config withoutLunsOf(Config c, String objectPath) {
        Config.Builder b = c.toBuilder();
        for (IscsiTarget.Builder t : b.getIscsiTargetsBuilderList()) {
            for (PortalGroup.Builder g : t.getPortalGroupsBuilderList()) {
                java.util.Set<Integer> gone = new java.util.HashSet<>();
                for (int l = g.getLunsCount() - 1; l >= 0; l--) {
                    if (g.getLuns(l).getObject().equals(objectPath)) {
                        gone.add(g.getLuns(l).getLun());
                        g.removeLuns(l);
                    }
                }
                for (var acl : g.getAclsBuilderList()) {
                    for (int m = acl.getMappedLunsCount() - 1; m >= 0; m--) {
                        if (gone.contains(acl.getMappedLuns(m).getTpgLun())) {
                            acl.removeMappedLuns(m);
                        }
                    }
                }
            }
        }
        return b.build();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
