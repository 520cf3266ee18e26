package org.lunforge.server.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.lunforge.backstore.tape.VolumeTag;
import org.lunforge.device.vtl.CartridgeCapacity;
import org.lunforge.device.vtl.MediaType;

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

    /** Barcodes of the LTO form the cartridge store accepts: six characters and a media identifier. */
    private static final Pattern NAA_WWN = Pattern.compile("naa\\.[0-9a-fA-F]{16}");

    /** Every storage object the configuration defines, by path: "/backstores/memory/disk0" and so on. */
    public static Set<String> objectPaths(Config config) {
        Set<String> paths = new HashSet<>();
        for (Backstore b : config.getBackstoresList()) {
            paths.add(backstorePath(b));
        }
        for (TapeLibrary library : config.getLibrariesList()) {
            paths.add(changerPath(library));
            for (TapeDrive drive : library.getDrivesList()) {
                paths.add(drivePath(library, drive));
            }
        }
        return paths;
    }

    public static String changerPath(TapeLibrary library) {
        return "/vtl/" + library.getName() + "/changer";
    }

    public static String drivePath(TapeLibrary library, TapeDrive drive) {
        return "/vtl/" + library.getName() + "/drives/" + drive.getName();
    }

    public static String backstorePath(Backstore b) {
        String type = switch (b.getStoreCase()) {
            case MEMORY -> "memory";
            case FILEIO -> "fileio";
            case BLOCK -> "block";
            case RBD -> "rbd";
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
            checkBackstoreName(parsed, source, at, b);
            if (!paths.add(backstorePath(b))) {
                throw error(parsed, source, at + ".name", backstorePath(b) + " is defined twice");
            }
            checkBackstore(parsed, source, at, b);
        }

        validateLibraries(parsed, source, paths);
        if (c.hasMetrics()) {
            try {
                MetricsAddress.parse(c.getMetrics().getListen());
            } catch (IllegalArgumentException e) {
                throw error(parsed, source, "metrics.listen", e.getMessage());
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
                Map<Integer, String> objects = new HashMap<>();
                for (int l = 0; l < tpg.getLunsCount(); l++) {
                    Lun lun = tpg.getLuns(l);
                    objects.put(lun.getLun(), lun.getObject());
                    checkLun(parsed, source, gat + ".luns[" + l + "]", lun, !luns.add(lun.getLun()), paths::contains);
                }
                for (int a = 0; a < tpg.getAclsCount(); a++) {
                    checkAcl(parsed, source, gat + ".acls[" + a + "]", tpg.getAcls(a), objects::get,
                            object -> isChanger(c, object));
                }
                checkChap(parsed, source, gat + ".chap", tpg.getChap());
            }
        }
        validateTargetPortGroups(parsed, source);
        validateCluster(parsed, source);
    }

    /** A backstore's name and store type: what its path is made of. */
    public static void checkBackstoreName(ConfigJson.Parsed parsed, String source, String at, Backstore b)
            throws ConfigException {
        if (!OBJECT_NAME.matcher(b.getName()).matches()) {
            throw error(parsed, source, at + ".name", "a name of 1 to 64 letters, digits, '_', '.', ':' or '-'");
        }
        if (b.getStoreCase() == Backstore.StoreCase.STORE_NOT_SET) {
            throw error(parsed, source, at, "set one of memory, fileio, block, rbd");
        }
    }

    /**
     * A backstore's own rules (all but its path being unique): its block sizes, its store's settings, its identity.
     * The whole configuration's check and a change of one object ({@code ConfigChanges}) apply the same ones.
     */
    public static void checkBackstore(ConfigJson.Parsed parsed, String source, String at, Backstore b)
            throws ConfigException {
        int blockSize = b.getBlockSize() == 0 ? 512 : b.getBlockSize();
        if (Integer.bitCount(blockSize) != 1 || blockSize < 512 || blockSize > 65536) {
            throw error(parsed, source, at + ".block_size", "a power of two from 512 to 65536");
        }
        long physical = b.getPhysicalBlockSize() == 0 ? blockSize : b.getPhysicalBlockSize() & 0xFFFFFFFFL;
        if (physical < blockSize || physical % blockSize != 0 || Long.bitCount(physical / blockSize) != 1
                || physical / blockSize > 1 << 15) {
            throw error(parsed, source, at + ".physical_block_size",
                    "block_size times a power of two up to 2^15 (e.g. 4096 over 512-byte blocks)");
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
            case RBD -> {
                RbdStore r = b.getRbd();
                if (r.getPool().isEmpty()) {
                    throw error(parsed, source, at + ".rbd.pool", "the RADOS pool holding the image is needed");
                }
                if (r.getImage().isEmpty()) {
                    throw error(parsed, source, at + ".rbd.image", "the RBD image's name is needed");
                }
                if (r.getConf().isEmpty()) {
                    throw error(parsed, source, at + ".rbd.conf", "the path of a ceph.conf is needed");
                }
                if (r.getClientId().startsWith("client.")) {
                    throw error(parsed, source, at + ".rbd.client_id",
                            "the cephx user without 'client.' (admin for client.admin)");
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

    /**
     * A LUN's rules: its number from 0 to 16383 and not {@code numberTaken} in its group, its object one of
     * {@code objects} (the storage objects, changers and drives the configuration defines).
     */
    public static void checkLun(ConfigJson.Parsed parsed, String source, String at, Lun lun, boolean numberTaken,
                                Predicate<String> objects) throws ConfigException {
        if (lun.getLun() > 16383 || numberTaken) {
            throw error(parsed, source, at + ".lun", "a LUN from 0 to 16383, unique in the group");
        }
        if (!objects.test(lun.getObject())) {
            throw error(parsed, source, at + ".object", "no storage object " + lun.getObject());
        }
    }

    /**
     * An ACL's rules: an iSCSI name, each mapping of one of the group's LUNs ({@code lunObjects}: a LUN's object, null
     * when the group has no such LUN), write protection only of what writes a medium, and its CHAP credentials.
     */
    public static void checkAcl(ConfigJson.Parsed parsed, String source, String at, Acl acl,
                                IntFunction<String> lunObjects, Predicate<String> isChanger) throws ConfigException {
        if (!ISCSI_NAME.matcher(acl.getInitiator()).matches()) {
            throw error(parsed, source, at + ".initiator", "not an iSCSI name");
        }
        for (int m = 0; m < acl.getMappedLunsCount(); m++) {
            MappedLun mapped = acl.getMappedLuns(m);
            String object = lunObjects.apply(mapped.getTpgLun());
            if (object == null) {
                throw error(parsed, source, at + ".mapped_luns[" + m + "].tpg_lun",
                        "the group has no LUN " + mapped.getTpgLun());
            }
            // Write protection refuses the commands that write a medium and shows WP in MODE SENSE (SBC-4, SSC-4); a
            // medium changer has neither, so the setting would do nothing.
            if (mapped.getWriteProtect() && isChanger.test(object)) {
                throw error(parsed, source, at + ".mapped_luns[" + m + "].write_protect",
                        "a medium changer writes no medium: write_protect applies to disks and tape drives only");
            }
        }
        checkChap(parsed, source, at + ".chap", acl.getChap());
    }

    /** Whether {@code object} is the changer of one of the configuration's libraries. */
    public static boolean isChanger(Config c, String object) {
        return object != null && c.getLibrariesList().stream().anyMatch(library -> changerPath(library).equals(object));
    }

    /** cluster: an rbd backstore of this configuration, and this node's group among target_port_groups. */
    private static void validateCluster(ConfigJson.Parsed parsed, String source) throws ConfigException {
        Config c = parsed.config();
        if (!c.hasCluster()) {
            return;
        }
        var cluster = c.getCluster();
        boolean rbd = c.getBackstoresList().stream()
                .anyMatch(b -> b.getName().equals(cluster.getBackstore()) && b.hasRbd());
        if (!rbd) {
            throw error(parsed, source, "cluster.backstore", "the name of an rbd backstore of this configuration");
        }
        boolean group = c.getTargetPortGroupsList().stream()
                .anyMatch(g -> g.getId() == cluster.getTargetPortGroup());
        if (!group) {
            throw error(parsed, source, "cluster.target_port_group",
                    "the id of one of target_port_groups (this node's own group)");
        }
        if (cluster.getLeaseSeconds() > 300) {
            throw error(parsed, source, "cluster.lease_seconds", "at most 300 seconds (0: 5)");
        }
    }

    /**
     * target_port_groups: ids 1..65535, each once; members name configured iSCSI target ports
     * ("&lt;iqn&gt;,t,0x&lt;tag in hex&gt;", RFC 7143 4.2.7.4), each port in at most one group.
     */
    private static void validateTargetPortGroups(ConfigJson.Parsed parsed, String source) throws ConfigException {
        Config c = parsed.config();
        Set<String> ports = new HashSet<>();
        for (IscsiTarget t : c.getIscsiTargetsList()) {
            for (PortalGroup g : t.getPortalGroupsList()) {
                ports.add(targetPortName(t.getIqn(), g.getTag()));
            }
        }
        Set<Integer> ids = new HashSet<>();
        Map<String, String> memberOf = new HashMap<>();
        for (int i = 0; i < c.getTargetPortGroupsCount(); i++) {
            TargetPortGroup g = c.getTargetPortGroups(i);
            String at = "target_port_groups[" + i + "]";
            if (g.getId() < 1 || g.getId() > 0xFFFF || !ids.add(g.getId())) {
                throw error(parsed, source, at + ".id", "a target port group id from 1 to 65535, each used once");
            }
            if (g.getState() == AccessState.UNRECOGNIZED) {
                throw error(parsed, source, at + ".state",
                        "one of ACTIVE_OPTIMIZED, ACTIVE_NON_OPTIMIZED, STANDBY, UNAVAILABLE");
            }
            for (int m = 0; m < g.getMembersCount(); m++) {
                String member = g.getMembers(m);
                String mat = at + ".members[" + m + "]";
                String port = targetPortName(member);
                if (port == null || !ports.contains(port)) {
                    throw error(parsed, source, mat, "no iSCSI target port '" + member
                            + "' (name one as <target iqn>,t,0x<portal group tag in hex>)");
                }
                String other = memberOf.put(port, at);
                if (other != null) {
                    throw error(parsed, source, mat, member + " is already in " + other);
                }
            }
        }
    }

    /**
     * The SCSI target port name of an iSCSI portal group (RFC 7143 4.2.7.4: "&lt;iSCSI name&gt;,t,0x&lt;TPGT in
     * hex&gt;"), normalized: lower case (iSCSI names compare without case), the tag without leading zeros.
     */
    public static String targetPortName(String iqn, int tag) {
        return iqn.toLowerCase(java.util.Locale.ROOT) + ",t,0x" + Integer.toHexString(tag);
    }

    /** A target port name as written in a configuration, normalized as above; null if it is not one. */
    public static String targetPortName(String member) {
        String lower = member.toLowerCase(java.util.Locale.ROOT);
        int at = lower.lastIndexOf(",t,0x");
        if (at <= 0) {
            return null;
        }
        try {
            int tag = Integer.parseInt(lower.substring(at + 5), 16);
            return targetPortName(lower.substring(0, at), tag);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void validateLibraries(ConfigJson.Parsed parsed, String source, Set<String> paths)
            throws ConfigException {
        Config c = parsed.config();
        Set<String> names = new HashSet<>();
        Set<String> barcodes = new HashSet<>();
        for (int i = 0; i < c.getLibrariesCount(); i++) {
            TapeLibrary lib = c.getLibraries(i);
            String at = "libraries[" + i + "]";
            if (!OBJECT_NAME.matcher(lib.getName()).matches() || !names.add(lib.getName())) {
                throw error(parsed, source, at + ".name", "a unique name of 1 to 64 letters, digits, '_', '.', ':' or '-'");
            }
            if (lib.getPoolDir().isEmpty()) {
                throw error(parsed, source, at + ".pool_dir", "a folder for the cartridges is needed");
            }
            if (!List.of("", "STK_L700", "IBM_3584").contains(lib.getChangerModel())) {
                throw error(parsed, source, at + ".changer_model", "STK_L700 or IBM_3584");
            }
            if (lib.getDrivesCount() == 0) {
                throw error(parsed, source, at + ".drives", "a library needs at least one drive");
            }
            if (lib.getSlots() < 1 || lib.getSlots() > 10000 || lib.getImportExportSlots() > 240) {
                throw error(parsed, source, at, "1 to 10000 slots and at most 240 import/export slots");
            }
            long largest = java.util.Arrays.stream(org.lunforge.backstore.tape.TapeFormat.values())
                    .mapToLong(org.lunforge.backstore.tape.TapeFormat::nativeCapacity).max().orElseThrow();
            if (lib.getCartridgeCapacity() != 0 && (lib.getCartridgeCapacity() < CartridgeCapacity.MINIMUM
                    || lib.getCartridgeCapacity() > largest)) {
                throw error(parsed, source, at + ".cartridge_capacity", "0 (native) or 1 MiB ("
                        + CartridgeCapacity.MINIMUM + ") to " + largest + " bytes; a cartridge of a smaller format gets"
                        + " at most its native capacity");
            }
            if (lib.getCleaningSlot() > lib.getSlots()) {
                throw error(parsed, source, at + ".cleaning_slot", "0 (none) or a storage slot from 1 to "
                        + lib.getSlots());
            }
            paths.add(changerPath(lib));
            Set<String> drives = new HashSet<>();
            for (int d = 0; d < lib.getDrivesCount(); d++) {
                TapeDrive drive = lib.getDrives(d);
                String dat = at + ".drives[" + d + "]";
                if (!OBJECT_NAME.matcher(drive.getName()).matches() || !drives.add(drive.getName())) {
                    throw error(parsed, source, dat + ".name", "a unique name of 1 to 64 letters and digits");
                }
                if (!drive.getModel().isEmpty() && !knownDriveModel(drive.getModel())) {
                    throw error(parsed, source, dat + ".model", "IBM_LTO5 .. IBM_LTO10 or HP_LTO5 .. HP_LTO9");
                }
                paths.add(drivePath(lib, drive));
            }
            Set<Integer> slots = new HashSet<>();
            for (int k = 0; k < lib.getCartridgesCount(); k++) {
                Cartridge cart = lib.getCartridges(k);
                String kat = at + ".cartridges[" + k + "]";
                // VolumeTag's rule: an LTO data cartridge, or a cleaning cartridge (CLN label).
                if (!VolumeTag.isValid(cart.getBarcode()) || !VolumeTag.of(cart.getBarcode()).namesMedia()) {
                    throw error(parsed, source, kat + ".barcode", "an LTO cartridge barcode such as LF0001L8 (or"
                            + " LF0001LY: WORM; CLN001CU: a cleaning cartridge)");
                }
                String refusal = CartridgeCapacity.refusal(cart.getCapacity(),
                        MediaType.of(VolumeTag.of(cart.getBarcode())));
                if (refusal != null) {
                    throw error(parsed, source, kat + ".capacity", refusal);
                }
                if (!barcodes.add(cart.getBarcode())) {
                    throw error(parsed, source, kat + ".barcode", "barcode used twice");
                }
                if (cart.getSlot() < 1 || cart.getSlot() > lib.getSlots() || !slots.add(cart.getSlot())) {
                    throw error(parsed, source, kat + ".slot", "a free storage slot from 1 to " + lib.getSlots());
                }
            }
        }
        Set<String> devices = new HashSet<>();
        for (int i = 0; i < c.getTcmuDevicesCount(); i++) {
            TcmuDevice dev = c.getTcmuDevices(i);
            String at = "tcmu_devices[" + i + "]";
            if (!OBJECT_NAME.matcher(dev.getName()).matches() || !devices.add(dev.getName())) {
                throw error(parsed, source, at + ".name", "a unique configfs name of letters, digits, '_', '.', '-'");
            }
            if (!paths.contains(dev.getObject())) {
                throw error(parsed, source, at + ".object", "no storage object " + dev.getObject());
            }
            // dev_config is "lunforge/<object path>", at most 255 characters (TCMU_CONFIG_LEN with its NUL).
            if ("lunforge/".length() + dev.getObject().length() > 255) {
                throw error(parsed, source, at + ".object", "an object path of at most 246 characters");
            }
            for (Map.Entry<String, String> a : dev.getAttributesMap().entrySet()) {
                // Each key names a file under the device's attrib/ folder in configfs.
                if (!a.getKey().matches("[a-z][a-z0-9_]{0,63}") || a.getValue().isEmpty()
                        || !a.getValue().matches("[^\\s,]{1,64}")) {
                    throw error(parsed, source, at + ".attributes." + a.getKey(),
                            "an attrib/ name (lower case, digits, '_') and a value without spaces or commas");
                }
            }
        }
        Set<String> kernelTargets = new HashSet<>();
        for (int i = 0; i < c.getLoopbackTargetsCount(); i++) {
            LoopbackTarget lb = c.getLoopbackTargets(i);
            String at = "loopback_targets[" + i + "]";
            if (!NAA_WWN.matcher(lb.getWwn()).matches()) {
                throw error(parsed, source, at + ".wwn", "naa. and 16 hex digits");
            }
            if (!kernelTargets.add(lb.getWwn().toLowerCase(java.util.Locale.ROOT))) {
                throw error(parsed, source, at + ".wwn", "target defined twice");
            }
            if (!lb.getNexusWwn().isEmpty() && !NAA_WWN.matcher(lb.getNexusWwn()).matches()) {
                throw error(parsed, source, at + ".nexus_wwn", "naa. and 16 hex digits");
            }
            checkKernelLuns(parsed, source, at, lb.getLunsList(), devices);
        }
        for (int i = 0; i < c.getLioIscsiTargetsCount(); i++) {
            LioIscsiTarget t = c.getLioIscsiTargets(i);
            String at = "lio_iscsi_targets[" + i + "]";
            if (!ISCSI_NAME.matcher(t.getIqn()).matches()) {
                throw error(parsed, source, at + ".iqn", "not an iSCSI name");
            }
            for (int p = 0; p < t.getPortalsCount(); p++) {
                try {
                    Portals.parse(t.getPortals(p));
                } catch (IllegalArgumentException e) {
                    throw error(parsed, source, at + ".portals[" + p + "]", e.getMessage());
                }
            }
            if (!kernelTargets.add(t.getIqn().toLowerCase(java.util.Locale.ROOT) + ",t," + Math.max(1, t.getTpgt()))) {
                throw error(parsed, source, at, "portal group " + t.getIqn() + " tpgt " + Math.max(1, t.getTpgt())
                        + " defined twice");
            }
            if (t.getTpgt() > 0xFFFF) {
                throw error(parsed, source, at + ".tpgt", "a portal group tag from 1 to 65535 (0: 1)");
            }
            checkKernelLuns(parsed, source, at, t.getLunsList(), devices);
            checkChap(parsed, source, at + ".chap", t.getChap());
            if (t.getAuthentication() && t.getChap().getUserid().isEmpty()) {
                throw error(parsed, source, at + ".chap", "authentication needs a CHAP userid and password");
            }
            for (int a = 0; a < t.getAclsCount(); a++) {
                if (!ISCSI_NAME.matcher(t.getAcls(a)).matches()) {
                    throw error(parsed, source, at + ".acls[" + a + "]", "not an iSCSI name");
                }
            }
        }
    }

    private static void checkKernelLuns(ConfigJson.Parsed parsed, String source, String at, List<KernelLun> luns,
                                        Set<String> devices) throws ConfigException {
        Set<Integer> numbers = new HashSet<>();
        for (int l = 0; l < luns.size(); l++) {
            if (luns.get(l).getLun() > 255 || !numbers.add(luns.get(l).getLun())) {
                throw error(parsed, source, at + ".luns[" + l + "].lun", "a LUN from 0 to 255, unique here");
            }
            if (!devices.contains(luns.get(l).getTcmuDevice())) {
                throw error(parsed, source, at + ".luns[" + l + "].tcmu_device",
                        "no TCMU device " + luns.get(l).getTcmuDevice());
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

    /** The drive model presets of {@link org.lunforge.device.tape.TapeDriveModel#named}: one list, not a pattern. */
    private static boolean knownDriveModel(String name) {
        try {
            org.lunforge.device.tape.TapeDriveModel.named(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
