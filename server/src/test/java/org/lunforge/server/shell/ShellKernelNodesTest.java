package org.lunforge.server.shell;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.server.Daemon;
import org.lunforge.server.FakeKernelHosts;
import org.lunforge.server.config.Config;
import org.lunforge.server.control.ControlService;
import org.lunforge.tcmu.FakeConfigfs;

/** /tcmu, /loopback and /lio_iscsi against a daemon whose kernel target is a fake configfs. */
class ShellKernelNodesTest {
    private static final String WWN = "naa.5001405000000001";
    private static final String KIQN = "iqn.2003-01.org.example:kernel";
    @TempDir
    Path dir;
    FakeConfigfs fs;
    Daemon daemon;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Shell shell;

    @BeforeEach
    void start() throws IOException {
        fs = FakeKernelHosts.configfs(dir);
        daemon = FakeKernelHosts.daemon(dir, fs);
        daemon.apply(Config.newBuilder().setStateDir(dir.resolve("state").toString()).build());
        ControlService service = new ControlService(daemon, dir.resolve("config.json"));
        shell = new Shell(service::handle, new PrintWriter(out), new PrintWriter(err), dir);
        ok("/backstores/memory create disk0 size=64M");
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private String ok(String line) {
        out.getBuffer().setLength(0);
        assertTrue(shell.run(line), line + " failed: " + err);
        return out.toString();
    }

    private String refused(String line) {
        err.getBuffer().setLength(0);
        Config before = daemon.running();
        assertFalse(shell.run(line), line + " should have failed");
        assertEquals(before, daemon.running(), line + " changed the running configuration");
        return err.toString();
    }

    private void exports() {
        ok("/tcmu create disk0 /backstores/memory/disk0");
        ok("/loopback create " + WWN);
        ok("/loopback/" + WWN + "/luns create disk0");
        ok("/lio_iscsi create " + KIQN + " portal=127.0.0.1:3260");
        ok("/lio_iscsi/" + KIQN + "/luns create disk0 lun=3");
        ok("/lio_iscsi/" + KIQN + " set attribute generate_node_acls=true");
    }

    @Test
    void createSetAndDeleteReachConfigfs() {
        exports();
        Config c = daemon.running();
        assertEquals("/backstores/memory/disk0", c.getTcmuDevices(0).getObject());
        assertEquals("disk0", c.getLoopbackTargets(0).getLuns(0).getTcmuDevice());
        assertEquals(3, c.getLioIscsiTargets(0).getLuns(0).getLun());
        assertTrue(c.getLioIscsiTargets(0).getGenerateNodeAcls());
        assertTrue(Files.isDirectory(fs.root.resolve("core/user_1/disk0")));
        assertTrue(Files.isDirectory(fs.root.resolve("loopback/" + WWN)));
        assertTrue(Files.isDirectory(fs.root.resolve("iscsi/" + KIQN + "/tpgt_1/lun/lun_3")));

        String ls = ok("ls / 3");
        assertTrue(ls.contains("o- disk0") && ls.contains("/backstores/memory/disk0, user_1"), ls);
        assertTrue(ls.contains("o- " + WWN) && ls.contains("o- " + KIQN), ls);
        assertTrue(ok("/lio_iscsi/" + KIQN + " info").contains("portals=127.0.0.1:3260"));

        ok("/lio_iscsi delete " + KIQN);
        ok("/loopback delete " + WWN);
        ok("/tcmu delete disk0");
        assertFalse(Files.exists(fs.root.resolve("core/user_1/disk0")));
        assertFalse(Files.exists(fs.root.resolve("loopback/" + WWN)));
        assertFalse(Files.exists(fs.root.resolve("iscsi/" + KIQN)));
        assertEquals(0, daemon.running().getTcmuDevicesCount());
    }

    @Test
    void duplicatesAndUnknownDevicesAreRefused() {
        exports();
        assertTrue(refused("/tcmu create disk0 /backstores/memory/disk0").contains("TCMU device disk0 exists"));
        String e = refused("/loopback create " + WWN);
        assertTrue(e.contains("/loopback/" + WWN + ": wwn: target defined twice"), e);
        e = refused("/lio_iscsi/" + KIQN + "/luns create nothing");
        assertTrue(e.contains("nothing"), e);
        assertTrue(refused("/loopback/naa.5001405000000009 ls").contains("no such path"));
    }

    @Test
    void completionAndHelpCoverTheKernelNodes() {
        exports();
        assertEquals(List.of("/lio_iscsi/"), ShellCompletion.complete(shell, "cd /lio"));
        assertTrue(ShellCompletion.complete(shell, "/tcmu ").containsAll(List.of("create", "delete")));
        assertEquals(List.of("cmd_time_out="), ShellCompletion.complete(shell, "/tcmu/disk0 set attribute cmd_"));
        assertTrue(ShellCompletion.complete(shell, "/loopback/" + WWN + "/luns create ").contains("disk0"));
        assertTrue(ShellCompletion.complete(shell, "/tcmu create d0 ").contains("/backstores/memory/disk0"));
        assertTrue(ok("/lio_iscsi help").contains("create a kernel iSCSI target"));
        assertTrue(ok("/tcmu/disk0 help").contains("cmd_time_out"));
    }
}
