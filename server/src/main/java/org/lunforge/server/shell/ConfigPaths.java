package org.lunforge.server.shell;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.LioIscsiTarget;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.TapeLibrary;
import org.lunforge.server.control.Error;

/**
 * Turns a field path of the configuration ("iscsi_targets[0].portal_groups[0].luns[1].object") into the shell's tree
 * path ("/iscsi/iqn.../tpg1/luns/lun1"), so that an error about a change made in the shell names the node to look at.
 */
final class ConfigPaths {
    private static final Pattern STEP = Pattern.compile("([a-z_]+)(?:\\[(\\d+)])?");

    private ConfigPaths() {
    }

    /** The error as a person reads it: the daemon's message when it came from a file, else the node and the reason. */
    static String explain(Error error, Config submitted) {
        if (error.getKind() != Error.Kind.INVALID || error.getPath().isEmpty() || error.getLine() > 0) {
            return error.getMessage();
        }
        String reason = error.getMessage();
        int at = reason.indexOf(error.getPath() + ": ");
        if (at >= 0) {
            reason = reason.substring(at + error.getPath().length() + 2);
        }
        String[] node = treePath(submitted, error.getPath());
        return node[0] + ": " + (node[1].isEmpty() ? "" : node[1] + ": ") + reason;
    }

    /**
     * The error of a change of a few objects as a person reads it: the object's tree path, the field, the reason
     * ("/iscsi/IQN/tpg1/luns/lun1: object: no storage object /backstores/memory/nothing").
     */
    static String explain(Error error, java.util.List<org.lunforge.server.control.ObjectChange> changes) {
        if (error.getKind() != Error.Kind.INVALID || error.getPath().isEmpty()) {
            return error.getMessage();
        }
        String path = error.getPath();
        String reason = error.getMessage();
        int at = reason.indexOf(path + ": ");
        if (at >= 0) {
            reason = reason.substring(at + path.length() + 2);
        }
        for (var change : changes) {
            String node = change.getPath();
            if (path.startsWith(node + ".")) {
                return node + ": " + path.substring(node.length() + 1) + ": " + reason;
            }
        }
        return path + ": " + reason;
    }

    /** {tree path, the field left over ("object", "" when the path names a node)}. */
    static String[] treePath(Config c, String fieldPath) {
        StringBuilder tree = new StringBuilder();
        String rest = "";
        Object at = c;
        for (String part : fieldPath.split("\\.")) {
            Matcher m = STEP.matcher(part);
            if (!m.matches()) {
                rest = rest.isEmpty() ? part : rest + "." + part;
                continue;
            }
            String field = m.group(1);
            int i = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
            String step = null;
            Object next = null;
            try {
                switch (at) {
                    case Config cfg when i >= 0 -> {
                        switch (field) {
                            case "backstores" -> {
                                var b = cfg.getBackstores(i);
                                step = ConfigValidator.backstorePath(b).substring(1);
                                next = b;
                            }
                            case "libraries" -> {
                                next = cfg.getLibraries(i);
                                step = "vtl/" + cfg.getLibraries(i).getName();
                            }
                            case "iscsi_targets" -> {
                                next = cfg.getIscsiTargets(i);
                                step = "iscsi/" + cfg.getIscsiTargets(i).getIqn();
                            }
                            case "tcmu_devices" -> step = "tcmu/" + cfg.getTcmuDevices(i).getName();
                            case "loopback_targets" -> {
                                next = cfg.getLoopbackTargets(i);
                                step = "loopback/" + cfg.getLoopbackTargets(i).getWwn();
                            }
                            case "lio_iscsi_targets" -> {
                                next = cfg.getLioIscsiTargets(i);
                                step = "lio_iscsi/" + cfg.getLioIscsiTargets(i).getIqn();
                            }
                            default -> { }
                        }
                    }
                    case TapeLibrary lib when i >= 0 -> {
                        if (field.equals("drives")) {
                            step = "drives/" + lib.getDrives(i).getName();
                        } else if (field.equals("cartridges")) {
                            step = "cartridges/" + lib.getCartridges(i).getBarcode();
                        }
                    }
                    case IscsiTarget t when i >= 0 && field.equals("portal_groups") -> {
                        next = t.getPortalGroups(i);
                        step = "tpg" + t.getPortalGroups(i).getTag();
                    }
                    case PortalGroup g when i >= 0 -> {
                        switch (field) {
                            case "luns" -> step = "luns/lun" + g.getLuns(i).getLun();
                            case "acls" -> {
                                next = g.getAcls(i);
                                step = "acls/" + g.getAcls(i).getInitiator();
                            }
                            case "portals" -> step = "portals/" + g.getPortals(i);
                            default -> { }
                        }
                    }
                    case org.lunforge.server.config.Acl a when i >= 0 && field.equals("mapped_luns") ->
                            step = "mapped_lun" + a.getMappedLuns(i).getMappedLun();
                    case org.lunforge.server.config.LoopbackTarget lb when i >= 0 && field.equals("luns") ->
                            step = "luns/lun" + lb.getLuns(i).getLun();
                    case LioIscsiTarget t when i >= 0 -> {
                        switch (field) {
                            case "luns" -> step = "luns/lun" + t.getLuns(i).getLun();
                            case "portals" -> step = "portals/" + t.getPortals(i);
                            case "acls" -> step = "acls/" + t.getAcls(i);
                            default -> { }
                        }
                    }
                    case null, default -> { }
                }
            } catch (IndexOutOfBoundsException e) {
                step = null;
            }
            if (step == null || !rest.isEmpty()) {
                rest = rest.isEmpty() ? part : rest + "." + part;
                at = null;
            } else {
                tree.append('/').append(step);
                at = next;
            }
        }
        return new String[] {tree.isEmpty() ? "/" : tree.toString(), rest};
    }
}
