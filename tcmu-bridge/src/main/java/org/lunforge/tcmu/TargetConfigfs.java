package org.lunforge.tcmu;

import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sets LIO up through configfs the way targetcli does: the dbroot, TCMU user backstores, and their exports through
 * tcm_loop (a local SCSI device) and LIO's iSCSI fabric; and takes it all down in reverse order.
 *
 * <p>Order matters: a user backstore's uio device must be served before any export links it, or the kernel's first
 * commands (the initiator's scan) sit in the ring until cmd_time_out; the daemon calls
 * {@link TcmuBridge#awaitServing} between {@link #createBackstore} and the export. The dbroot must be set before the
 * first device exists and must contain {@code pr/} (PERSISTENT RESERVE OUT fails otherwise) and {@code alua/}.
 */
public final class TargetConfigfs {
    private static final System.Logger LOG = System.getLogger(TargetConfigfs.class.getName());

    private final Path root;
    private final ConfigfsOps fs;

    /** @param root the configfs target directory, {@code /sys/kernel/config/target} */
    public TargetConfigfs(Path root, ConfigfsOps fs) {
        this.root = root;
        this.fs = fs;
    }

    public static TargetConfigfs system() {
        return new TargetConfigfs(Path.of("/sys/kernel/config/target"), ConfigfsOps.kernel());
    }

    public Path root() {
        return root;
    }

    /**
     * Points LIO's dbroot (where it keeps persistent reservations and ALUA state) at {@code dbroot}, creating
     * {@code pr/} and {@code alua/} in it. The kernel refuses a change once a device exists; an equal value is fine.
     */
    public void setDbroot(Path dbroot) throws IOException {
        java.nio.file.Files.createDirectories(dbroot.resolve("pr"));
        java.nio.file.Files.createDirectories(dbroot.resolve("alua"));
        Path attribute = root.resolve("dbroot");
        String current = fs.exists(attribute) ? fs.read(attribute).strip() : "";
        if (!current.equals(dbroot.toString())) {
            fs.write(attribute, dbroot.toString());
        }
    }

    /** Creates and enables the backstore; its uio device appears when this returns. */
    public void createBackstore(UserBackstore b) throws IOException {
        Path hba = root.resolve("core/user_" + b.hbaIndex());
        if (!fs.exists(hba)) {
            fs.mkdir(hba);
        }
        Path dev = root.resolve(b.path());
        fs.mkdir(dev);
        try {
            // One option per write, as targetcli does: the kernel parses each control write on its own.
            Path control = dev.resolve("control");
            fs.write(control, "dev_config=" + b.devConfig());
            fs.write(control, "dev_size=" + b.sizeBytes());
            if (b.blockSize() > 0) {
                fs.write(control, "hw_block_size=" + b.blockSize());
            }
            if (b.maxSectors() > 0) {
                fs.write(control, "hw_max_sectors=" + b.maxSectors());
            }
            if (b.maxDataAreaMb() > 0) {
                fs.write(control, "max_data_area_mb=" + b.maxDataAreaMb());
            }
            // Never nl_reply_supported: we send no SET_FEATURES, so the kernel waits for no netlink reply.
            fs.write(dev.resolve("attrib/tmr_notification"), b.tmrNotification() ? "1" : "0");
            fs.write(dev.resolve("enable"), "1");
            for (Map.Entry<String, String> a : b.attributes().entrySet()) {
                fs.write(dev.resolve("attrib").resolve(a.getKey()), a.getValue());
            }
        } catch (IOException e) {
            quietly(() -> fs.rmdir(dev));
            throw e;
        }
    }

    /** Removes the backstore (after every export of it) and its HBA directory if that is now empty. */
    public void removeBackstore(UserBackstore b) throws IOException {
        Path dev = root.resolve(b.path());
        if (fs.exists(dev)) {
            fs.rmdir(dev);
        }
        Path hba = root.resolve("core/user_" + b.hbaIndex());
        if (fs.exists(hba)) {
            try {
                fs.rmdir(hba);
            } catch (IOException e) {
                // another device still lives on this HBA
            }
        }
    }

    /** Blocks or unblocks the device's queue (action/block_dev): blocked, new commands fail with BUSY. */
    public void blockDevice(UserBackstore b, boolean block) throws IOException {
        fs.write(root.resolve(b.path()).resolve("action/block_dev"), block ? "1" : "0");
    }

    /**
     * Creates the tcm_loop target and its nexus, then links the LUNs. The order is the kernel's: linking a LUN makes
     * tcm_loop add (scan) the SCSI device at once, and without a nexus every command of that scan fails ("I_T Nexus
     * does not exist") and no /dev/sdX appears.
     */
    public void createLoopback(LoopbackExport e) throws IOException {
        Path tpg = root.resolve(e.path());
        mkdirs(tpg);
        fs.write(tpg.resolve("nexus"), e.initiatorWwn());
        for (LoopbackExport.Lun lun : e.luns()) {
            linkLun(tpg, lun.lun(), lun.backstore());
        }
    }

    /**
     * Unlinks the LUNs (the local SCSI devices go away), then drops the nexus (tcm_loop refuses while a LUN is
     * still linked) and removes the target.
     */
    public void removeLoopback(LoopbackExport e) throws IOException {
        Path tpg = root.resolve(e.path());
        if (!fs.exists(tpg)) {
            return;
        }
        for (LoopbackExport.Lun lun : e.luns()) {
            unlinkLun(tpg, lun.lun(), lun.backstore());
        }
        if (fs.exists(tpg.resolve("nexus"))) {
            quietly(() -> fs.write(tpg.resolve("nexus"), "NULL")); // tcm_loop: "NULL" drops the nexus
        }
        fs.rmdir(tpg);
        fs.rmdir(tpg.getParent());
    }

    /** Creates the iSCSI target portal group: LUNs, portals, ACLs and authentication, then enables it. */
    public void createIscsi(IscsiExport e) throws IOException {
        Path tpg = root.resolve(e.path());
        mkdirs(tpg);
        for (IscsiExport.Lun lun : e.luns()) {
            linkLun(tpg, lun.lun(), lun.backstore());
        }
        for (String portal : e.portals()) {
            fs.mkdir(tpg.resolve("np").resolve(portal));
        }
        Path attrib = tpg.resolve("attrib");
        fs.write(attrib.resolve("authentication"), e.authentication() ? "1" : "0");
        fs.write(attrib.resolve("generate_node_acls"), e.generateNodeAcls() ? "1" : "0");
        if (e.generateNodeAcls()) {
            fs.write(attrib.resolve("cache_dynamic_acls"), "1");
            fs.write(attrib.resolve("demo_mode_write_protect"), "0");
            if (e.chap() != null) {
                writeChap(tpg.resolve("auth"), e.chap());
            }
        }
        for (IscsiExport.Acl acl : e.acls()) {
            Path node = tpg.resolve("acls").resolve(acl.initiatorIqn());
            fs.mkdir(node);
            for (int lun : acl.luns()) {
                Path mapped = node.resolve("lun_" + lun);
                fs.mkdir(mapped);
                fs.symlink(mapped.resolve("lun_" + lun), tpg.resolve("lun").resolve("lun_" + lun));
                fs.write(mapped.resolve("write_protect"), acl.writeProtect() ? "1" : "0");
            }
            if (acl.chap() != null) {
                writeChap(node.resolve("auth"), acl.chap());
            }
        }
        fs.write(tpg.resolve("enable"), "1");
    }

    /**
     * Disables or enables the iSCSI portal group as it stands (its {@code enable} attribute): disabled, LIO ends the
     * group's sessions and refuses logins to it, and its LUNs and ACLs stay as they were for the enabling.
     */
    public void enableIscsi(IscsiExport e, boolean enabled) throws IOException {
        Path tpg = root.resolve(e.path());
        if (!fs.exists(tpg)) {
            throw new IOException(e.path() + ": no such portal group in configfs");
        }
        fs.write(tpg.resolve("enable"), enabled ? "1" : "0");
    }

    /** Disables the portal group, then removes ACLs, portals, LUNs, the group and the target, in that order. */
    public void removeIscsi(IscsiExport e) throws IOException {
        Path tpg = root.resolve(e.path());
        if (!fs.exists(tpg)) {
            return;
        }
        quietly(() -> fs.write(tpg.resolve("enable"), "0"));
        for (IscsiExport.Acl acl : e.acls()) {
            Path node = tpg.resolve("acls").resolve(acl.initiatorIqn());
            for (int lun : acl.luns()) {
                Path mapped = node.resolve("lun_" + lun);
                Path link = mapped.resolve("lun_" + lun);
                if (fs.exists(link)) {
                    fs.unlink(link);
                }
                if (fs.exists(mapped)) {
                    fs.rmdir(mapped);
                }
            }
            if (fs.exists(node)) {
                fs.rmdir(node);
            }
        }
        for (String portal : e.portals()) {
            Path np = tpg.resolve("np").resolve(portal);
            if (fs.exists(np)) {
                fs.rmdir(np);
            }
        }
        for (IscsiExport.Lun lun : e.luns()) {
            unlinkLun(tpg, lun.lun(), lun.backstore());
        }
        fs.rmdir(tpg);
        Path target = tpg.getParent();
        try {
            fs.rmdir(target);
        } catch (IOException ex) {
            // another portal group of the target remains
        }
    }

    // ---- what exists: adopting objects a previous daemon left, sweeping those no configuration wants ----

    /** The dev_config of {@code core/user_<hba>/<name>}, or null if there is no such device. */
    public String devConfig(int hbaIndex, String name) throws IOException {
        Path dev = root.resolve("core/user_" + hbaIndex + "/" + name);
        if (!fs.exists(dev)) {
            return null;
        }
        return fs.read(dev.resolve("attrib/dev_config")).strip();
    }

    /**
     * How the existing backstore differs from {@code b}, as "attribute: is X, want Y" lines; empty if it is the same
     * device (then it can be adopted as it is), or if it does not exist.
     */
    public List<String> differences(UserBackstore b) throws IOException {
        Path dev = root.resolve(b.path());
        List<String> out = new ArrayList<>();
        if (!fs.exists(dev)) {
            return out;
        }
        Map<String, String> want = new java.util.LinkedHashMap<>();
        want.put("dev_config", b.devConfig());
        want.put("dev_size", Long.toString(b.sizeBytes()));
        want.put("hw_block_size", Integer.toString(b.blockSize() > 0 ? b.blockSize() : 512));
        if (b.maxSectors() > 0) {
            want.put("hw_max_sectors", Integer.toString(b.maxSectors()));
        }
        if (b.maxDataAreaMb() > 0) {
            want.put("max_data_area_mb", Integer.toString(b.maxDataAreaMb()));
        }
        want.put("tmr_notification", b.tmrNotification() ? "1" : "0");
        want.putAll(b.attributes());
        for (Map.Entry<String, String> e : want.entrySet()) {
            Path attribute = dev.resolve("attrib").resolve(e.getKey());
            String is = fs.exists(attribute) ? fs.read(attribute).strip() : "(missing)";
            if (!is.equals(e.getValue())) {
                out.add(e.getKey() + ": is " + is + ", want " + e.getValue());
            }
        }
        if (!"1".equals(read(dev.resolve("enable")))) {
            out.add("not enabled");
        }
        return out;
    }

    /** Every user backstore in configfs: {@code core/user_<hba>/<name>} paths relative to the root. */
    public List<String> userBackstores() throws IOException {
        List<String> out = new ArrayList<>();
        for (String hba : fs.list(root.resolve("core"))) {
            if (!hba.matches("user_[0-9]+") || !fs.isObject(root.resolve("core").resolve(hba))) {
                continue;
            }
            for (String dev : fs.list(root.resolve("core").resolve(hba))) {
                Path p = root.resolve("core").resolve(hba).resolve(dev);
                if (fs.isObject(p) && !dev.equals("alua") && fs.exists(p.resolve("control"))) {
                    out.add("core/" + hba + "/" + dev);
                }
            }
        }
        return out;
    }

    /**
     * True if the tcm_loop target is exactly {@code e}: its nexus, and its LUNs each linked to their backstore and
     * nothing else.
     */
    public boolean matches(LoopbackExport e) throws IOException {
        Path tpg = root.resolve(e.path());
        if (!fs.exists(tpg) || !e.initiatorWwn().equals(read(tpg.resolve("nexus")))) {
            return false;
        }
        return lunsMatch(tpg, e.luns().stream().collect(java.util.stream.Collectors.toMap(
                LoopbackExport.Lun::lun, LoopbackExport.Lun::backstore)));
    }

    /**
     * True if the iSCSI portal group is exactly {@code e}: enabled, its LUNs, portals, ACLs (with their LUNs) and
     * authentication settings.
     */
    public boolean matches(IscsiExport e) throws IOException {
        Path tpg = root.resolve(e.path());
        if (!fs.exists(tpg) || !"1".equals(read(tpg.resolve("enable")))) {
            return false;
        }
        if (!lunsMatch(tpg, e.luns().stream().collect(java.util.stream.Collectors.toMap(
                IscsiExport.Lun::lun, IscsiExport.Lun::backstore)))) {
            return false;
        }
        if (!new java.util.TreeSet<>(e.portals()).equals(new java.util.TreeSet<>(fs.list(tpg.resolve("np"))))) {
            return false;
        }
        Path attrib = tpg.resolve("attrib");
        if (!(e.authentication() ? "1" : "0").equals(read(attrib.resolve("authentication")))
                || !(e.generateNodeAcls() ? "1" : "0").equals(read(attrib.resolve("generate_node_acls")))) {
            return false;
        }
        if (e.generateNodeAcls() && e.chap() != null && !chapMatches(tpg.resolve("auth"), e.chap())) {
            return false;
        }
        java.util.Set<String> acls = new java.util.TreeSet<>();
        for (IscsiExport.Acl acl : e.acls()) {
            acls.add(acl.initiatorIqn());
            Path node = tpg.resolve("acls").resolve(acl.initiatorIqn());
            java.util.Set<String> mapped = new java.util.TreeSet<>();
            acl.luns().forEach(l -> mapped.add("lun_" + l));
            if (!fs.exists(node) || !mapped.equals(new java.util.TreeSet<>(objects(node, "lun_")))) {
                return false;
            }
            if (acl.chap() != null && !chapMatches(node.resolve("auth"), acl.chap())) {
                return false;
            }
        }
        return acls.equals(new java.util.TreeSet<>(objects(tpg.resolve("acls"), "")));
    }

    private boolean chapMatches(Path auth, IscsiExport.Chap chap) throws IOException {
        return chap.userid().equals(read(auth.resolve("userid"))) && chap.password().equals(read(auth.resolve(
                "password")));
    }

    private boolean lunsMatch(Path tpg, Map<Integer, UserBackstore> want) throws IOException {
        List<String> luns = objects(tpg.resolve("lun"), "lun_");
        if (luns.size() != want.size()) {
            return false;
        }
        for (Map.Entry<Integer, UserBackstore> e : want.entrySet()) {
            Path dir = tpg.resolve("lun").resolve("lun_" + e.getKey());
            Path link = dir.resolve(e.getValue().name());
            if (!fs.isLink(link) || !fs.linkTarget(link).equals(root.resolve(e.getValue().path()).normalize())
                    || links(dir).size() != 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Removes every fabric LUN (tcm_loop or iSCSI) that links the backstore at {@code backstorePath} (relative to the
     * root), with the ACL mappings of those LUNs, except in the portal groups named in {@code keep}
     * ({@code loopback/<wwn>/tpgt_1}, {@code iscsi/<iqn>/tpgt_<n>}); a tcm_loop target left without LUNs goes too.
     * Returns how many LUNs were removed. Used for backstores no configuration wants any more, or wants elsewhere.
     */
    public int removeExportsOf(String backstorePath, java.util.Set<String> keep) throws IOException {
        Path backstore = root.resolve(backstorePath).normalize();
        int removed = 0;
        for (String fabric : List.of("loopback", "iscsi")) {
            for (String wwn : objects(root.resolve(fabric), "")) {
                for (String tpgName : objects(root.resolve(fabric).resolve(wwn), "tpgt_")) {
                    Path tpg = root.resolve(fabric).resolve(wwn).resolve(tpgName);
                    if (keep.contains(fabric + "/" + wwn + "/" + tpgName)) {
                        continue;
                    }
                    for (String lun : objects(tpg.resolve("lun"), "lun_")) {
                        Path dir = tpg.resolve("lun").resolve(lun);
                        boolean ours = false;
                        for (Path link : links(dir)) {
                            ours |= fs.linkTarget(link).equals(backstore);
                        }
                        if (ours) {
                            removeAclMappings(tpg, dir);
                            for (Path link : links(dir)) {
                                fs.unlink(link);
                            }
                            fs.rmdir(dir);
                            removed++;
                        }
                    }
                    if (fabric.equals("loopback") && objects(tpg.resolve("lun"), "lun_").isEmpty()) {
                        removeLoopbackTree(wwn);
                    }
                }
            }
        }
        return removed;
    }

    /** Removes the tcm_loop target {@code loopback/<wwn>} whatever it holds: LUNs, nexus, portal groups. */
    public void removeLoopbackTree(String wwn) throws IOException {
        Path target = root.resolve("loopback").resolve(wwn);
        for (String tpgName : objects(target, "tpgt_")) {
            Path tpg = target.resolve(tpgName);
            removeLuns(tpg);
            if (fs.exists(tpg.resolve("nexus")) && !read(tpg.resolve("nexus")).isEmpty()) {
                quietly(() -> fs.write(tpg.resolve("nexus"), "NULL"));
            }
            fs.rmdir(tpg);
        }
        if (fs.exists(target)) {
            fs.rmdir(target);
        }
    }

    /** Removes the iSCSI portal group {@code iscsi/<iqn>/tpgt_<tpgt>} whatever it holds, and the target if empty. */
    public void removeIscsiTree(String iqn, int tpgt) throws IOException {
        Path target = root.resolve("iscsi").resolve(iqn);
        Path tpg = target.resolve("tpgt_" + tpgt);
        if (fs.exists(tpg)) {
            quietly(() -> fs.write(tpg.resolve("enable"), "0"));
            for (String acl : objects(tpg.resolve("acls"), "")) {
                Path node = tpg.resolve("acls").resolve(acl);
                for (String mapped : objects(node, "lun_")) {
                    for (Path link : links(node.resolve(mapped))) {
                        fs.unlink(link);
                    }
                    fs.rmdir(node.resolve(mapped));
                }
                fs.rmdir(node);
            }
            for (String np : objects(tpg.resolve("np"), "")) {
                fs.rmdir(tpg.resolve("np").resolve(np));
            }
            removeLuns(tpg);
            fs.rmdir(tpg);
        }
        if (fs.exists(target) && objects(target, "tpgt_").isEmpty()) {
            quietly(() -> fs.rmdir(target));
        }
    }

    private void removeLuns(Path tpg) throws IOException {
        for (String lun : objects(tpg.resolve("lun"), "lun_")) {
            Path dir = tpg.resolve("lun").resolve(lun);
            for (Path link : links(dir)) {
                fs.unlink(link);
            }
            fs.rmdir(dir);
        }
    }

    /** Unmaps the LUN {@code lunDir} of an iSCSI portal group from every ACL that maps it. */
    private void removeAclMappings(Path tpg, Path lunDir) throws IOException {
        for (String acl : objects(tpg.resolve("acls"), "")) {
            Path node = tpg.resolve("acls").resolve(acl);
            for (String mapped : objects(node, "lun_")) {
                Path dir = node.resolve(mapped);
                boolean ours = false;
                for (Path link : links(dir)) {
                    ours |= fs.linkTarget(link).equals(lunDir.normalize());
                }
                if (ours) {
                    for (Path link : links(dir)) {
                        fs.unlink(link);
                    }
                    fs.rmdir(dir);
                }
            }
        }
    }

    /** The child objects (directories) of {@code dir} whose names start with {@code prefix}. */
    private List<String> objects(Path dir, String prefix) throws IOException {
        List<String> out = new ArrayList<>();
        for (String name : fs.list(dir)) {
            if (name.startsWith(prefix) && fs.isObject(dir.resolve(name))) {
                out.add(name);
            }
        }
        return out;
    }

    private List<Path> links(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String name : fs.list(dir)) {
            if (fs.isLink(dir.resolve(name))) {
                out.add(dir.resolve(name));
            }
        }
        return out;
    }

    /** An attribute's value without its trailing newline; empty if it does not exist. */
    private String read(Path attribute) throws IOException {
        return fs.exists(attribute) ? fs.read(attribute).strip() : "";
    }

    private void writeChap(Path auth, IscsiExport.Chap chap) throws IOException {
        fs.write(auth.resolve("userid"), chap.userid());
        fs.write(auth.resolve("password"), chap.password());
        if (chap.mutualUserid() != null) {
            fs.write(auth.resolve("userid_mutual"), chap.mutualUserid());
            fs.write(auth.resolve("password_mutual"), chap.mutualPassword());
        }
    }

    private void linkLun(Path tpg, int lun, UserBackstore b) throws IOException {
        Path dir = tpg.resolve("lun").resolve("lun_" + lun);
        fs.mkdir(dir);
        fs.symlink(dir.resolve(b.name()), root.resolve(b.path()));
    }

    private void unlinkLun(Path tpg, int lun, UserBackstore b) throws IOException {
        Path dir = tpg.resolve("lun").resolve("lun_" + lun);
        Path link = dir.resolve(b.name());
        if (fs.exists(link)) {
            fs.unlink(link);
        }
        if (fs.exists(dir)) {
            fs.rmdir(dir);
        }
    }

    /** mkdir -p below the root: configfs creates each level as an object. */
    private void mkdirs(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !p.equals(root) && !fs.exists(p); p = p.getParent()) {
            missing.addFirst(p);
        }
        for (Path p : missing) {
            fs.mkdir(p);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void quietly(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            LOG.log(WARNING, "configfs clean-up step failed: " + e);
        }
    }
}
