package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.server.config.Config;
import org.lunforge.server.control.ControlClient;
import org.lunforge.server.control.ControlServer;
import org.lunforge.server.control.ControlService;
import org.lunforge.server.shell.Shell;
import org.lunforge.server.shell.ShellControl;
import org.lunforge.tcmu.ConfigfsOps;

/**
 * The errors a person meets in the shell, as the shell meets them: over the control socket, against a daemon in this
 * process whose host has no kernel target. Each says what is wrong, and leaves the running configuration as it was.
 */
class ShellOverControlSocketTest {
    private static final String IQN = "iqn.2026-11.org.example:disk1";
    @TempDir
    Path dir;
    Daemon daemon;
    ControlServer server;
    ControlClient client;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Shell shell;

    @BeforeEach
    void start() throws IOException {
        KernelExports.Host noConfigfs = new KernelExports.Host(dir.resolve("sys/kernel/config"),
                dir.resolve("sys/module"), ConfigfsOps.kernel());
        daemon = new Daemon(dir.resolve("state"), noConfigfs, f -> fail("nothing may be served without configfs"));
        daemon.apply(Config.newBuilder().setStateDir(dir.resolve("state").toString()).build());
        server = ControlServer.start(dir.resolve("run/control.sock"), new ControlService(daemon,
                dir.resolve("config.json")));
        client = ControlClient.connect(dir.resolve("run/control.sock"));
        ShellControl control = client::call;
        shell = new Shell(control, new PrintWriter(out), new PrintWriter(err), dir);
        ok("/backstores/memory create disk0 size=4M");
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.close();
        daemon.close();
    }

    private String ok(String line) {
        out.getBuffer().setLength(0);
        assertTrue(shell.run(line), line + " failed: " + err);
        return out.toString();
    }

    /** Runs a command that must fail and change nothing; returns its error message. */
    private String refused(String line) {
        err.getBuffer().setLength(0);
        Config before = daemon.running();
        assertFalse(shell.run(line), line + " should have failed");
        assertEquals(before, daemon.running(), line + " changed the running configuration");
        return err.toString();
    }

    @Test
    void aBadPathNamesThePath() {
        String e = refused("/iscsi/" + IQN + "/tpg1/luns create /backstores/memory/disk0");
        assertTrue(e.contains("no such path: /iscsi/" + IQN + "/tpg1/luns"), e);
        e = refused("cd /backstores/memroy");
        assertTrue(e.contains("no such path: /backstores/memroy"), e);
    }

    @Test
    void aDuplicateNameSaysWhichExists() {
        ok("/iscsi create " + IQN + " portal=127.0.0.1:" + freePort());
        String e = refused("/backstores/memory create disk0 size=8M");
        assertTrue(e.contains("/backstores/memory/disk0 exists"), e);
        e = refused("/iscsi create " + IQN + " portal=127.0.0.1:" + freePort());
        assertTrue(e.contains("target " + IQN + " exists"), e);
    }

    @Test
    void aFileThatCannotBeCreatedSaysWhichAndWhy() {
        String e = refused("/backstores/fileio create f " + dir.resolve("no/such/folder/f.img") + " size=1M");
        assertTrue(e.contains("not changed"), e);
        assertTrue(e.contains(dir.resolve("no/such/folder").toString()), e);
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void aPortInUseSaysWhichPort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String portal = "127.0.0.1:" + taken.getLocalPort();
            String e = refused("/iscsi create " + IQN + " portal=" + portal);
            assertTrue(e.contains(portal) && e.contains("in use"), e);
        }
    }

    @Test
    void aKernelExportWithoutConfigfsSaysTheHostLacksIt() {
        String e = refused("/tcmu create disk0 /backstores/memory/disk0");
        assertTrue(e.contains("this host lacks " + dir.resolve("sys/kernel/config/target")
                + " (mount configfs on " + dir.resolve("sys/kernel/config") + " and load target_core_mod)"), e);
        assertEquals(0, daemon.running().getTcmuDevicesCount());
    }

    @Test
    void saveconfigWritesTheSameBytesForTheSameConfiguration() throws IOException {
        ok("/iscsi create " + IQN + " portal=127.0.0.1:" + freePort());
        ok("/iscsi/" + IQN + "/tpg1/luns create /backstores/memory/disk0");
        ok("/vtl create vtl0 slots=8 import_export=2 drives=2");
        ok("/vtl/vtl0/cartridges create LF0001L8..LF0004L8");
        ok("saveconfig");
        byte[] first = Files.readAllBytes(dir.resolve("config.json"));
        ok("restoreconfig " + dir.resolve("config.json"));
        ok("saveconfig " + dir.resolve("again.json"));
        assertArrayEquals(first, Files.readAllBytes(dir.resolve("again.json")));
        ok("saveconfig");
        assertArrayEquals(first, Files.readAllBytes(dir.resolve("config.json")));
    }

    /** The operator panel from the shell, each control visible in info; a capacity out of range says its range. */
    @Test
    void operatorControlsAndCartridgeCapacityInTheShell() {
        ok("/vtl create vtl0 slots=8 import_export=2 drives=1 model=IBM_LTO9");
        ok("/vtl/vtl0/cartridges create LF0001L9 capacity=16M");
        assertTrue(ok("/vtl/vtl0/cartridges/LF0001L9 info").contains("capacity: 16777216 bytes"));
        String e = refused("/vtl/vtl0/cartridges create LF0002L9 capacity=512K");
        assertTrue(e.contains("out of range") && e.contains("1 MiB"), e);
        ok("/vtl/vtl0 offline");
        assertTrue(ok("/vtl/vtl0 info").contains("state: offline"));
        ok("/vtl/vtl0 online");
        ok("/vtl/vtl0 open_mail_slot");
        assertTrue(ok("/vtl/vtl0 info").contains("mail slot: open"));
        ok("/vtl/vtl0 close_mail_slot");
        assertTrue(ok("/vtl/vtl0 info").contains("mail slot: closed"));
        ok("/vtl/vtl0/drives/drive0 inject_tapealert flag=clean_now");
        ok("/vtl/vtl0/drives/drive0 inject_medium_error");
        String info = ok("/vtl/vtl0/drives/drive0 info");
        assertTrue(info.contains("TapeAlert flags set (not yet read): 20"), info);
        assertTrue(info.contains("injected medium error: the next READ or WRITE fails"), info);
        e = refused("/vtl/vtl0/drives/drive0 inject_tapealert flag=70");
        assertTrue(e.contains("1..64"), e);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
