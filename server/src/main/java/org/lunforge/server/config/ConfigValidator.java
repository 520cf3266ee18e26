package org.lunforge.server.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks a configuration passes before anything is built from it: names unique, references resolvable, numbers
 * in range, names in the forms the standards define. Each refusal names the line to fix.
 */
public final class ConfigValidator {
    /** RFC 7143 4.2.7.2 and 4.2.7.3-4: iqn., eui. (16 hex digits) and naa. (16 or 32 hex digits) names. */
    private static final Pattern ISCSI_NAME = Pattern.compile(
            "iqn\\.[0-9]{4}-[0-9]{2}\\.[a-z0-9.-]+(:[^\\s]+)?|eui\\.[0-9A-Fa-f]{16}|naa\\.([0-9A-Fa-f]{16}){1,2}");
    private static final Pattern OBJECT_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private ConfigValidator() {
    }

    /** Every storage object the configuration defines, by path: "/backstores/memory/disk0" and so on. */
    public static Set<String> objectPaths(Config config) {
        Set<String> paths = new HashSet<>();
        for (Backstore b : config.getBackstoresList()) {
            paths.add(backstorePath(b));
        }
        return paths;
    }

    public static String backstorePath(Backstore b) {
        String type = switch (b.getStoreCase()) {
            case MEMORY -> "memory";
            case FILEIO -> "fileio";
            case BLOCK -> "block";
            case STORE_NOT_SET -> "?";
        };
        return "/backstores/" + type + "/" + b.getName();
    }

    public static void validate(ConfigJson.Parsed parsed, String source) throws ConfigException {
        Config c = parsed.config();
        Set<String> paths = new HashSet<>();
        for (int i = 0; i < c.getBackstoresCount(); i++) {
            Backstore b = c.getBackstores(i);
            String at = "backstores[" + i + "]";
            if (!OBJECT_NAME.matcher(b.getName()).matches()) {
                throw error(parsed, source, at + ".name", "a name of 1 to 64 letters, digits, '_', '.', ':' or '-'");
            }
            if (b.getStoreCase() == Backstore.StoreCase.STORE_NOT_SET) {
                throw error(parsed, source, at, "set one of memory, fileio, block");
            }
            if (!paths.add(backstorePath(b))) {
                throw error(parsed, source, at + ".name", backstorePath(b) + " is defined twice");
            }
            int blockSize = b.getBlockSize() == 0 ? 512 : b.getBlockSize();
            if (Integer.bitCount(blockSize) != 1 || blockSize < 512 || blockSize > 65536) {
                throw error(parsed, source, at + ".block_size", "a power of two from 512 to 65536");
            }
            switch (b.getStoreCase()) {
                case MEMORY -> requireSize(parsed, source, at + ".memory.size", b.getMemory().getSize(), blockSize);
                case FILEIO -> {
                    if (b.getFileio().getPath().isEmpty()) {
                        throw error(parsed, source, at + ".fileio.path", "a file path is needed");
                    }
                    if (b.getFileio().getSize() != 0) {
                        requireSize(parsed, source, at + ".fileio.size", b.getFileio().getSize(), blockSize);
                    }
                }
                case BLOCK -> {
                    if (!b.getBlock().getPath().startsWith("/")) {
                        throw error(parsed, source, at + ".block.path", "an absolute device path is needed");
                    }
                }
                default -> throw new AssertionError();
            }
            if (!b.getUnitId().isEmpty()) {
                try {
                    java.util.UUID.fromString(b.getUnitId());
                } catch (IllegalArgumentException e) {
                    throw error(parsed, source, at + ".unit_id", "a UUID is needed");
                }
            }
        }

        Set<String> iqns = new HashSet<>();
        Map<Integer, String> relativeIds = new HashMap<>();
        for (int t = 0; t < c.getIscsiTargetsCount(); t++) {
            IscsiTarget target = c.getIscsiTargets(t);
            String at = "iscsi_targets[" + t + "]";
            if (!ISCSI_NAME.matcher(target.getIqn()).matches()) {
                throw error(parsed, source, at + ".iqn", "not an iSCSI name (iqn.YYYY-MM.reversed.domain[:id])");
            }
            if (!iqns.add(target.getIqn().toLowerCase(java.util.Locale.ROOT))) {
                throw error(parsed, source, at + ".iqn", "target defined twice");
            }
            if (target.getPortalGroupsCount() == 0) {
                throw error(parsed, source, at, "a target needs at least one portal group");
            }
            PortalGroup first = target.getPortalGroups(0);
            Set<Integer> tags = new HashSet<>();
            for (int g = 0; g < target.getPortalGroupsCount(); g++) {
                PortalGroup tpg = target.getPortalGroups(g);
                String gat = at + ".portal_groups[" + g + "]";
                if (tpg.getTag() < 1 || tpg.getTag() > 0xFFFF || !tags.add(tpg.getTag())) {
                    throw error(parsed, source, gat + ".tag", "a tag from 1 to 65535, unique in the target");
                }
                if (tpg.getRelativePortId() > 0xFFFF) {
                    throw error(parsed, source, gat + ".relative_port_id", "at most 65535");
                }
                if (tpg.getRelativePortId() != 0) {
                    String other = relativeIds.put(tpg.getRelativePortId(), gat);
                    if (other != null) {
                        throw error(parsed, source, gat + ".relative_port_id", "already used by " + other);
                    }
                }
                for (int p = 0; p < tpg.getPortalsCount(); p++) {
                    try {
                        Portals.parse(tpg.getPortals(p));
                    } catch (IllegalArgumentException e) {
                        throw error(parsed, source, gat + ".portals[" + p + "]", e.getMessage());
                    }
                }
                Set<Integer> luns = new HashSet<>();
                for (int l = 0; l < tpg.getLunsCount(); l++) {
                    Lun lun = tpg.getLuns(l);
                    String lat = gat + ".luns[" + l + "]";
                    if (lun.getLun() > 16383 || !luns.add(lun.getLun())) {
                        throw error(parsed, source, lat + ".lun", "a LUN from 0 to 16383, unique in the group");
                    }
                    if (!paths.contains(lun.getObject())) {
                        throw error(parsed, source, lat + ".object", "no storage object " + lun.getObject());
                    }
                }
                for (int a = 0; a < tpg.getAclsCount(); a++) {
                    Acl acl = tpg.getAcls(a);
                    String aat = gat + ".acls[" + a + "]";
                    if (!ISCSI_NAME.matcher(acl.getInitiator()).matches()) {
                        throw error(parsed, source, aat + ".initiator", "not an iSCSI name");
                    }
                    for (int m = 0; m < acl.getMappedLunsCount(); m++) {
                        if (!luns.contains(acl.getMappedLuns(m).getTpgLun())) {
                            throw error(parsed, source, aat + ".mapped_luns[" + m + "].tpg_lun",
                                    "the group has no LUN " + acl.getMappedLuns(m).getTpgLun());
                        }
                    }
                    checkChap(parsed, source, aat + ".chap", acl.getChap());
                }
                checkChap(parsed, source, gat + ".chap", tpg.getChap());
                // The iSCSI target keeps one LUN map, ACL list and authentication for all its ports.
                if (!tpg.getLunsList().equals(first.getLunsList()) || !tpg.getAclsList().equals(first.getAclsList())
                        || tpg.getGenerateNodeAcls() != first.getGenerateNodeAcls()
                        || tpg.getAuthentication() != first.getAuthentication()
                        || !tpg.getChap().equals(first.getChap())) {
                    throw error(parsed, source, gat, "every portal group of a target must have the same LUNs, ACLs"
                            + " and authentication as the first (per-group LUN maps are not supported yet)");
                }
            }
        }
    }

    private static void checkChap(ConfigJson.Parsed parsed, String source, String at, Chap chap)
            throws ConfigException {
        if (chap.getUserid().isEmpty() != chap.getPassword().isEmpty()) {
            throw error(parsed, source, at, "userid and password go together");
        }
        if (chap.getMutualUserid().isEmpty() != chap.getMutualPassword().isEmpty()) {
            throw error(parsed, source, at, "mutual_userid and mutual_password go together");
        }
        if (!chap.getMutualUserid().isEmpty() && chap.getUserid().isEmpty()) {
            throw error(parsed, source, at, "mutual CHAP needs the one-way pair too");
        }
        // RFC 7143 12.1.3 and RFC 1994: a secret of at least 12 bytes is RECOMMENDED; 16 is what LIO asks for.
        for (String secret : new String[] {chap.getPassword(), chap.getMutualPassword()}) {
            if (!secret.isEmpty() && (secret.length() < 12 || secret.length() > 255)) {
                throw error(parsed, source, at, "CHAP secrets are 12 to 255 characters");
            }
        }
    }

    private static void requireSize(ConfigJson.Parsed parsed, String source, String at, long size, int blockSize)
            throws ConfigException {
        if (size <= 0 || size % blockSize != 0) {
            throw error(parsed, source, at, "a positive multiple of the block size (" + blockSize + ")");
        }
    }

    private static ConfigException error(ConfigJson.Parsed parsed, String source, String path, String reason) {
        return new ConfigException(source, parsed.lineOf(path), path, reason);
    }
}
