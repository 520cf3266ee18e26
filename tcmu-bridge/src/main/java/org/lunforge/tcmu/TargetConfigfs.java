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
