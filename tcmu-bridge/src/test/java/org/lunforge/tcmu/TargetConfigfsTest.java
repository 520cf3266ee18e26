package org.lunforge.tcmu;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetConfigfsTest {
    @TempDir
    Path tmp;
    private FakeConfigfs fs;
    private TargetConfigfs configfs;
    private final UserBackstore disk = new UserBackstore(1, "disk0", "lunforge", "disk/0f7c", 64L << 20, 512, 2048,
            0, true, Map.of("emulate_write_cache", "1"));

    @BeforeEach
    void setUp() throws IOException {
        fs = new FakeConfigfs(tmp.resolve("target"));
        configfs = new TargetConfigfs(fs.root, fs);
    }

    @Test
    void backstoreIsConfiguredOneOptionPerWriteThenEnabled() throws IOException {
        configfs.createBackstore(disk);
        assertEquals(List.of(
                "mkdir core/user_1",
                "mkdir core/user_1/disk0",
                "write core/user_1/disk0/control dev_config=lunforge/disk/0f7c",
                "write core/user_1/disk0/control dev_size=67108864",
                "write core/user_1/disk0/control hw_block_size=512",
                "write core/user_1/disk0/control hw_max_sectors=2048",
                "write core/user_1/disk0/attrib/tmr_notification 1",
                "write core/user_1/disk0/enable 1",
                "write core/user_1/disk0/attrib/emulate_write_cache 1"), fs.log);
        configfs.removeBackstore(disk);
        assertEquals(List.of(), fs.leftovers());
    }

    @Test
    void loopbackMakesTheNexusBeforeLinkingAndUnlinksBeforeDroppingIt() throws IOException {
        configfs.createBackstore(disk);
        LoopbackExport loop = new LoopbackExport("naa.5001405aaaaaaaa1", "naa.5001405bbbbbbbb1",
                List.of(new LoopbackExport.Lun(0, disk)));
        fs.log.clear();
        configfs.createLoopback(loop);
        assertEquals(List.of(
                "mkdir loopback/naa.5001405aaaaaaaa1",
                "mkdir loopback/naa.5001405aaaaaaaa1/tpgt_1",
                "write loopback/naa.5001405aaaaaaaa1/tpgt_1/nexus naa.5001405bbbbbbbb1",
                "mkdir loopback/naa.5001405aaaaaaaa1/tpgt_1/lun/lun_0",
                "link loopback/naa.5001405aaaaaaaa1/tpgt_1/lun/lun_0/disk0 -> core/user_1/disk0"), fs.log);

        // The backstore cannot go while exported: teardown is in reverse order.
        assertThrows(IOException.class, () -> configfs.removeBackstore(disk));
        fs.log.clear();
        configfs.removeLoopback(loop);
        assertEquals(List.of(
                "unlink loopback/naa.5001405aaaaaaaa1/tpgt_1/lun/lun_0/disk0",
                "rmdir loopback/naa.5001405aaaaaaaa1/tpgt_1/lun/lun_0",
                "write loopback/naa.5001405aaaaaaaa1/tpgt_1/nexus NULL",
                "rmdir loopback/naa.5001405aaaaaaaa1/tpgt_1",
                "rmdir loopback/naa.5001405aaaaaaaa1"), fs.log);
        configfs.removeBackstore(disk);
        assertEquals(List.of(), fs.leftovers());
    }

    @Test
    void iscsiTargetWithAclsAndChapIsEnabledLastAndDisabledFirst() throws IOException {
        configfs.createBackstore(disk);
        String iqn = "iqn.2003-01.org.lunforge:disk";
        String initiator = "iqn.2005-03.org.open-iscsi:lab";
        IscsiExport export = new IscsiExport(iqn, 1, List.of("127.0.0.1:3260", "[::1]:3260"),
                List.of(new IscsiExport.Lun(0, disk)),
                List.of(new IscsiExport.Acl(initiator, List.of(0), false,
                        new IscsiExport.Chap("user", "secretsecret", "target", "othersecret"))),
                false, null);
        fs.log.clear();
        configfs.createIscsi(export);
        String tpg = "iscsi/" + iqn + "/tpgt_1";
        assertEquals("write " + tpg + "/enable 1", fs.log.getLast());
        assertTrue(fs.log.contains("mkdir " + tpg + "/np/[::1]:3260"));
        assertTrue(fs.log.contains("write " + tpg + "/attrib/authentication 1"));
        assertTrue(fs.log.contains("write " + tpg + "/attrib/generate_node_acls 0"));
        assertTrue(fs.log.contains("link " + tpg + "/acls/" + initiator + "/lun_0/lun_0 -> " + tpg + "/lun/lun_0"));
        assertTrue(fs.log.contains("write " + tpg + "/acls/" + initiator + "/auth/password_mutual othersecret"));
        assertTrue(fs.log.indexOf("link " + tpg + "/lun/lun_0/disk0 -> core/user_1/disk0")
                < fs.log.indexOf("mkdir " + tpg + "/acls/" + initiator + "/lun_0"));

        fs.log.clear();
        configfs.removeIscsi(export);
        assertEquals("write " + tpg + "/enable 0", fs.log.getFirst());
        assertEquals("rmdir iscsi/" + iqn, fs.log.getLast());
        configfs.removeBackstore(disk);
        assertEquals(List.of(), fs.leftovers());
    }

    @Test
    void demoModeTargetWritesItsChapOnThePortalGroup() throws IOException {
        configfs.createBackstore(disk);
        IscsiExport export = new IscsiExport("iqn.2003-01.org.lunforge:demo", 2, List.of("127.0.0.1:3260"),
                List.of(new IscsiExport.Lun(0, disk)), List.of(), true, IscsiExport.Chap.oneWay("u", "p12345678901"));
        configfs.createIscsi(export);
        String tpg = "iscsi/iqn.2003-01.org.lunforge:demo/tpgt_2";
        assertTrue(fs.log.contains("write " + tpg + "/attrib/generate_node_acls 1"));
        assertTrue(fs.log.contains("write " + tpg + "/attrib/cache_dynamic_acls 1"));
        assertTrue(fs.log.contains("write " + tpg + "/attrib/demo_mode_write_protect 0"));
        assertTrue(fs.log.contains("write " + tpg + "/auth/userid u"));
        configfs.removeIscsi(export);
        configfs.removeBackstore(disk);
        assertEquals(List.of(), fs.leftovers());
    }

    @Test
    void dbrootGetsPrAndAluaAndIsSetBeforeAnyDevice() throws IOException {
        Path dbroot = tmp.resolve("etc-target");
        configfs.setDbroot(dbroot);
        assertTrue(Files.isDirectory(dbroot.resolve("pr")));
        assertTrue(Files.isDirectory(dbroot.resolve("alua")));
        assertEquals("write dbroot " + dbroot, fs.log.getLast());
        configfs.createBackstore(disk);
        configfs.setDbroot(dbroot); // unchanged: no write, so no refusal
        assertThrows(IOException.class, () -> configfs.setDbroot(tmp.resolve("elsewhere")));
    }

    @Test
    void failedBackstoreSetUpLeavesNoDevice() throws IOException {
        UserBackstore bad = new UserBackstore(1, "disk1", "lunforge", "x", 1 << 20, 0, 0, 0, false,
                Map.of("no_such_attribute", "1"));
        assertThrows(IOException.class, () -> configfs.createBackstore(bad));
        assertFalse(Files.exists(fs.root.resolve("core/user_1/disk1")));
    }

    @Test
    void handlerConfigTheKernelCannotParseIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> UserBackstore.of(1, "d", "lunforge", "a,b", 1 << 20));
        assertThrows(IllegalArgumentException.class,
                () -> UserBackstore.of(1, "d", "lunforge", "x".repeat(250), 1 << 20));
        assertThrows(IllegalArgumentException.class,
                () -> UserBackstore.of(1, "d/e", "lunforge", "x", 1 << 20));
        assertThrows(IllegalArgumentException.class,
                () -> new LoopbackExport("naa.123", "naa.5001405bbbbbbbb1", List.of()));
    }
}
