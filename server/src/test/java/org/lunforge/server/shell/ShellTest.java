package org.lunforge.server.shell;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.server.Daemon;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigJson;
import org.lunforge.server.control.ControlService;

/** The shell against a daemon in this process (the control service without its socket). */
class ShellTest {
    private static final String IQN = "iqn.2026-11.org.example:disk1";
    @TempDir
    Path dir;
    Daemon daemon;
    ControlService service;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Shell shell;
    int port;

    @BeforeEach
    void start() throws IOException {
        daemon = new Daemon(dir.resolve("state"));
        daemon.apply(Config.newBuilder().setStateDir(dir.resolve("state").toString()).build());
        service = new ControlService(daemon, dir.resolve("config.json"));
        shell = new Shell(service::handle, new PrintWriter(out), new PrintWriter(err), dir);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    /** Runs a command that must succeed; returns what it printed. */
    private String ok(String line) {
        out.getBuffer().setLength(0);
        boolean done = shell.run(line);
        assertTrue(done, line + " failed: " + err);
        return out.toString();
    }

    /** Runs a command that must fail; returns its error message. */
    private String fails(String line) {
        err.getBuffer().setLength(0);
        Config before = daemon.running();
        assertFalse(shell.run(line), line + " should have failed");
        assertEquals(before, daemon.running(), "a failed command changed the configuration");
        return err.toString();
    }

    private void diskTarget() {
        ok("/backstores/memory create disk0 size=4M");
        ok("/iscsi create " + IQN + " portal=127.0.0.1:" + port);
        ok("/iscsi/" + IQN + "/tpg1/luns create /backstores/memory/disk0");
        ok("/iscsi/" + IQN + "/tpg1 set attribute generate_node_acls=true");
    }

    @Test
    void createGivesADiskARandomIdentityThatTheSavedFileKeeps() throws IOException {
        ok("/backstores/memory create disk0 size=4M");
        String unitId = daemon.running().getBackstores(0).getUnitId();
        UUID.fromString(unitId);
        assertNotEquals(UUID.nameUUIDFromBytes("lunforge:/backstores/memory/disk0".getBytes()).toString(), unitId);
        assertEquals(4 << 20, daemon.running().getBackstores(0).getMemory().getSize());
        ok("saveconfig");
        assertTrue(Files.readString(dir.resolve("config.json")).contains(unitId));
        assertTrue(ok("/backstores/memory/disk0 info").contains("unit serial number (VPD 80h): "
                + unitId.replace("-", "")));
    }

    @Test
    void portalGroupsGetTheLowestFreeRelativePortIds() {
        diskTarget();
        ok("/iscsi create iqn.2026-11.org.example:other portal=127.0.0.1:" + port);
        ok("/iscsi/" + IQN + " create portal=127.0.0.2:" + port);
        var targets = daemon.running().getIscsiTargetsList();
        assertEquals(1, targets.get(0).getPortalGroups(0).getRelativePortId());
        assertEquals(2, targets.get(1).getPortalGroups(0).getRelativePortId());
        assertEquals(3, targets.get(0).getPortalGroups(1).getRelativePortId());
        assertEquals(2, targets.get(0).getPortalGroups(1).getTag());
        // tpg2 was made like tpg1: same LUNs.
        assertEquals(targets.get(0).getPortalGroups(0).getLunsList(), targets.get(0).getPortalGroups(1).getLunsList());
    }

    @Test
    void aluaGroupsTakeTargetPortsAndStates() {
        diskTarget();
        ok("/iscsi/" + IQN + " create portal=127.0.0.2:" + port);
        ok("/alua create 1");
        ok("/alua create 2 state=active_non_optimized name=b");
        ok("/alua/1 add " + IQN + ",t,0x1");
        ok("/alua/2 add " + IQN.toUpperCase() + ",t,0x0002");
        assertTrue(fails("/alua/2 add " + IQN + ",t,0x9").contains("no iSCSI target port"));
        assertTrue(fails("/alua create 1").contains("exists"));
        assertTrue(fails("/alua/1 set attribute state=offline").contains("one of"));
        var groups = daemon.running().getTargetPortGroupsList();
        assertEquals(List.of(IQN + ",t,0x1"), groups.get(0).getMembersList());
        assertEquals(List.of(IQN + ",t,0x2"), groups.get(1).getMembersList());
        // A port moves: it leaves the group it was in.
        ok("/alua/1 add " + IQN + ",t,0x2");
        assertEquals(2, daemon.running().getTargetPortGroups(0).getMembersCount());
        assertEquals(0, daemon.running().getTargetPortGroups(1).getMembersCount());
        ok("/alua/1 set attribute state=standby preferred=true");
        assertEquals(org.lunforge.server.config.AccessState.STANDBY, daemon.running().getTargetPortGroups(0).getState());
        assertTrue(ok("ls /alua").contains("standby, preferred, 2 ports"), out.toString());
        // Deleting a portal group takes its port out of its ALUA group.
        ok("/iscsi/" + IQN + " delete tpg2");
        assertEquals(List.of(IQN + ",t,0x1"), daemon.running().getTargetPortGroups(0).getMembersList());
        ok("/alua delete 2");
        assertEquals(1, daemon.running().getTargetPortGroupsCount());
    }

    @Test
    void eachPortalGroupHasItsOwnLunsAclsAndAuthentication() {
        diskTarget();
        ok("/backstores/memory create disk1 size=4M");
        ok("/iscsi/" + IQN + " create portal=127.0.0.2:" + port + " copy=false");
        String tpg1 = "/iscsi/" + IQN + "/tpg1", tpg2 = "/iscsi/" + IQN + "/tpg2";
        ok(tpg2 + "/luns create /backstores/memory/disk1 lun=5");
        ok(tpg1 + "/acls create iqn.2026-11.org.example:host1");
        ok(tpg2 + " set attribute authentication=true");
        ok(tpg2 + " set auth userid=u2 password=secret-of-tpg2");
        var groups = daemon.running().getIscsiTargets(0).getPortalGroupsList();
        assertEquals(List.of("/backstores/memory/disk0"), groups.get(0).getLunsList().stream()
                .map(l -> l.getObject()).toList());
        assertEquals(5, groups.get(1).getLuns(0).getLun());
        assertEquals(1, groups.get(1).getLunsCount());
        assertEquals(1, groups.get(0).getAclsCount());
        assertEquals(0, groups.get(1).getAclsCount());
        assertFalse(groups.get(0).getAuthentication());
        assertTrue(groups.get(1).getAuthentication());
        assertEquals("u2", groups.get(1).getChap().getUserid());
        assertEquals("", groups.get(0).getChap().getUserid());
        String ls = ok("ls /iscsi/" + IQN);
        assertTrue(ls.contains("lun5") && ls.contains("[/backstores/memory/disk1]"), ls);
        assertTrue(fails(tpg1 + "/luns delete lun5").contains("tpg1 has no LUN 5"));
    }

    @Test
    void aDuplicateNameIsRefusedAndSaysSo() {
        ok("/backstores/memory create disk0 size=4M");
        assertTrue(fails("/backstores/memory create disk0 size=8M").contains("/backstores/memory/disk0 exists"));
    }

    @Test
    void aLunOfNothingIsRefusedNamingTheNode() {
        diskTarget();
        String e = fails("/iscsi/" + IQN + "/tpg1/luns create /backstores/memory/nothing");
        assertTrue(e.contains("/iscsi/" + IQN + "/tpg1/luns/lun1: object: no storage object /backstores/memory/nothing"),
                e);
    }

    @Test
    void aFileThatCannotBeCreatedLeavesEverythingAsItWas() {
        diskTarget();
        String e = fails("/backstores/fileio create f /proc/none/f.img size=1M");
        assertTrue(e.contains("not changed"), e);
    }

    @Test
    void badValuesAreRefusedBeforeAnythingIsSent() {
        assertTrue(fails("/backstores/memory create disk0 size=lots").contains("size=lots: a size such as 1G"));
        assertTrue(fails("/backstores/memory create disk0").contains("size is needed"));
        assertTrue(fails("/nowhere ls").contains("no such path: /nowhere"));
        assertTrue(fails("/backstores frobnicate").contains("no command 'frobnicate'"));
    }

    @Test
    void cdPwdAndAPathAloneMoveAround() {
        diskTarget();
        ok("cd /iscsi/" + IQN + "/tpg1");
        assertEquals("/iscsi/" + IQN + "/tpg1\n", ok("pwd"));
        ok("luns");
        assertEquals("/iscsi/" + IQN + "/tpg1/luns", shell.cwd());
        ok("cd ..");
        ok("cd -");
        assertEquals("/iscsi/" + IQN + "/tpg1/luns", shell.cwd());
        ok("/backstores");
        assertEquals("/backstores", shell.cwd());
        ok("create disk1 size=1M".replace("create", "memory create"));
        assertEquals(2, daemon.running().getBackstoresCount());
    }

    @Test
    void lsDrawsTheTreeWithStatuses() {
        diskTarget();
        String ls = ok("ls");
        assertTrue(ls.startsWith("o- / "), ls);
        assertTrue(ls.lines().anyMatch(l -> l.matches("  \\| \\| o- disk0 \\.+ \\[4\\.0 MiB, mapped: 1 LUN]")), ls);
        assertTrue(ls.lines().anyMatch(l -> l.matches(".*o- lun0 \\.+ \\[/backstores/memory/disk0]")), ls);
        assertTrue(ls.contains("o- 127.0.0.1:" + port), ls);
        assertEquals(2, ok("ls /iscsi 1").lines().count());
    }

    @Test
    void setAppliesSeveralAttributesAsOneChangeAndGetShowsThem() {
        diskTarget();
        String tpg = "/iscsi/" + IQN + "/tpg1";
        // userid alone would be invalid; with the password in the same set it is one valid change.
        ok(tpg + " set auth userid=alice password=secretsecret12");
        assertEquals("alice", daemon.running().getIscsiTargets(0).getPortalGroups(0).getChap().getUserid());
        assertEquals("userid=alice\n", ok(tpg + " get auth userid"));
        assertTrue(fails(tpg + " set auth password=short").contains("CHAP secrets are 12 to 255 characters"));
        assertTrue(fails(tpg + " set attribute relative_port_id=9").contains("read-only"));
        ok(tpg + " set parameter MaxBurstLength=1048576");
        assertEquals("1048576", daemon.running().getIscsiTargets(0).getPortalGroups(0)
                .getParametersOrThrow("MaxBurstLength"));
    }

    @Test
    void targetResetsAreGroupAttributesThatSaveAndRestore() throws IOException {
        diskTarget();
        String tpg = "/iscsi/" + IQN + "/tpg1";
        assertEquals("tmr_warm_reset=true\n", ok(tpg + " get attribute tmr_warm_reset"));
        assertEquals("tmr_cold_reset=true\n", ok(tpg + " get attribute tmr_cold_reset"));
        ok(tpg + " set attribute tmr_cold_reset=false");
        var group = daemon.running().getIscsiTargets(0).getPortalGroups(0);
        assertTrue(group.hasTmrColdReset() && !group.getTmrColdReset());
        assertFalse(group.hasTmrWarmReset(), "the other one stays at its default");
        assertEquals("tmr_cold_reset=false\n", ok(tpg + " get attribute tmr_cold_reset"));
        ok("saveconfig");
        assertTrue(Files.readString(dir.resolve("config.json")).contains("\"tmr_cold_reset\": false"));
        ok(tpg + " set attribute tmr_cold_reset=true");
        ok("restoreconfig config.json");
        assertFalse(daemon.running().getIscsiTargets(0).getPortalGroups(0).getTmrColdReset());
        assertTrue(fails(tpg + " set attribute tmr_warm_reset=maybe").contains("true"));
    }

    @Test
    void sessionsTakesJsonAsAnOptionNotAsATargetName() {
        diskTarget();
        assertEquals("No sessions.\n", ok("sessions"));
        assertEquals("[]\n", ok("sessions --json"), "--json is an option (it used to filter on a target so named)");
        assertEquals("[]\n", ok("sessions --json " + IQN));
        assertTrue(fails("sessions --jsno").contains("unknown option --jsno"));
        assertTrue(fails("sessions " + IQN + " " + IQN).contains("one IQN at most"));
    }

    /** Logs in over TCP with the fewest keys (no security stage) and returns the socket in full feature phase. */
    private java.net.Socket login(String initiator, long isid) throws IOException {
        java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        byte[] text = ("InitiatorName=" + initiator + "\0TargetName=" + IQN + "\0SessionType=Normal\0"
                + "MaxRecvDataSegmentLength=65536\0ImmediateData=No\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.nio.ByteBuffer pdu = java.nio.ByteBuffer.allocate(48 + (text.length + 3) / 4 * 4);
        pdu.put(0, (byte) 0x43).put(1, (byte) 0x87); // Login Request, immediate; T, CSG 1, NSG 3 (RFC 7143 11.12)
        pdu.putInt(4, text.length);
        for (int i = 0; i < 6; i++) {
            pdu.put(8 + i, (byte) (isid >>> (40 - 8 * i)));
        }
        pdu.put(48, text);
        socket.getOutputStream().write(pdu.array());
        java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
        byte[] bhs = new byte[48];
        in.readFully(bhs);
        assertEquals(0x23, bhs[0] & 0x3F, "a Login Response");
        assertEquals(0, bhs[36], "login accepted");
        int length = ((bhs[5] & 0xFF) << 16) | ((bhs[6] & 0xFF) << 8) | (bhs[7] & 0xFF);
        in.readFully(new byte[(length + 3) / 4 * 4]);
        return socket;
    }

    @Test
    void sessionsShowTheWholeSessionAsJsonAndCloseIt() throws Exception {
        diskTarget();
        try (java.net.Socket s = login("iqn.1994-05.com.example:tester", 0x400001370000L)) {
            var array = com.google.gson.JsonParser.parseString(ok("sessions --json")).getAsJsonArray();
            assertEquals(1, array.size());
            var session = array.get(0).getAsJsonObject();
            assertEquals("iqn.1994-05.com.example:tester", session.get("initiator").getAsString());
            assertEquals("400001370000", session.get("isid").getAsString());
            assertEquals(IQN, session.get("target").getAsString());
            assertEquals(1, session.get("portal_group_tag").getAsInt());
            assertEquals("127.0.0.1:" + port, session.get("portal").getAsString());
            assertEquals("None", session.get("auth_method").getAsString());
            var keys = session.getAsJsonObject("negotiated");
            assertEquals(65536, keys.get("initiator_max_recv_data_segment_length").getAsInt());
            assertFalse(keys.get("immediate_data").getAsBoolean());
            assertEquals("None", keys.get("header_digest").getAsString());
            var connection = session.getAsJsonArray("connections").get(0).getAsJsonObject();
            assertEquals("127.0.0.1:" + s.getLocalPort(), connection.get("peer_address").getAsString());
            var lun = session.getAsJsonArray("luns").get(0).getAsJsonObject();
            assertEquals("/backstores/memory/disk0", lun.get("object").getAsString());
            assertEquals(0, lun.get("lun").getAsInt());
            String text = ok("sessions");
            assertTrue(text.contains("ImmediateData=No") && text.contains("LUNs: 0=/backstores/memory/disk0"), text);
            int tsih = session.get("tsih").getAsInt();
            assertTrue(fails("sessions close " + (tsih + 1)).contains("no session with TSIH"));
            assertTrue(ok("sessions close " + tsih).contains("asked to log out"));
            byte[] bhs = new byte[48];
            new java.io.DataInputStream(s.getInputStream()).readFully(bhs);
            assertEquals(0x32, bhs[0] & 0x3F, "an Async Message");
            assertEquals(1, bhs[36], "AsyncEvent 1: the target requests a logout (RFC 7143 11.9.1)");
        }
    }

    @Test
    void faultsAreArmedListedShownInInfoAndDisarmed() throws Exception {
        diskTarget();
        String disk = "/backstores/memory/disk0";
        assertTrue(ok("faults").contains("No faults armed"));
        assertTrue(ok("faults arm " + disk + " medium-error reads lba=100-107").contains("fault 1 armed"));
        assertTrue(ok("faults arm " + disk + " hold writes limit=3 port=" + IQN + ",1").contains("fault 2 armed"));
        assertTrue(ok("faults arm " + disk + " unit-attention sense=POWER_ON_OCCURRED").contains("fault 3"));
        String list = ok("faults");
        assertTrue(list.contains(disk + " fault 1: medium-error on reads lba 100-107; fired 0"), list);
        assertTrue(list.contains("hold on writes through " + IQN + ",t,0x0001 at most 3 times"), list);
        String info = ok(disk + " info");
        assertTrue(info.contains("fault 3: sense POWER_ON_OCCURRED on all"), "info: [" + info + "]");
        assertTrue(fails("faults arm " + disk + " unit-attention sense=WRITE_ERROR").contains("sense key"));
        assertTrue(fails("faults arm " + disk + " latency").contains("how long"));
        assertTrue(fails("faults arm " + disk + " medium-error all").contains("reads and writes"));
        assertTrue(fails("faults arm " + disk + " medium-error lba=9-3").contains("first <= last"));
        assertTrue(fails("faults arm " + disk + " explode").contains("no fault kind"));
        assertTrue(fails("faults arm /backstores/memory/nothing busy").contains("no logical unit"));
        assertTrue(ok("faults disarm " + disk + " 2").contains("disarmed"));
        assertTrue(fails("faults disarm " + disk + " 2").contains("no fault 2"));
        assertTrue(ok("faults disarm all").contains("2 fault(s) disarmed"));
        for (int i = 0; i < org.lunforge.scsi.fault.LogicalUnitFaults.MAX_ARMED; i++) {
            ok("faults arm " + disk + " busy");
        }
        assertTrue(fails("faults arm " + disk + " busy").contains("disarm one first"));
        ok("saveconfig");
        assertFalse(Files.readString(dir.resolve("config.json")).contains("fault"), "faults are never saved");
    }

    @Test
    void aPortTakenDownStopsListeningAndComesBack() throws Exception {
        diskTarget();
        assertTrue(ok("faults port " + IQN + " 1 down").contains("is down"));
        assertTrue(ok("status").contains("iSCSI portals listening: none"));
        assertTrue(ok("/iscsi/" + IQN + "/tpg1 info").contains("port: DOWN"));
        assertThrows(java.net.ConnectException.class, () -> login("iqn.1994-05.com.example:tester", 1));
        assertTrue(ok("faults port " + IQN + " 1 up").contains("is up"));
        login("iqn.1994-05.com.example:tester", 1).close();
        assertTrue(ok("faults").contains("tpg1: up, taken down 1 time(s)"));
        assertTrue(fails("faults port " + IQN + " 7 down").contains("no iSCSI target port"));
    }

    @Test
    void deletingADiskTakesItsLunsWithIt() {
        diskTarget();
        ok("/backstores/memory delete disk0");
        assertEquals(0, daemon.running().getBackstoresCount());
        assertEquals(0, daemon.running().getIscsiTargets(0).getPortalGroups(0).getLunsCount());
    }

    @Test
    void aTapeLibraryWithCartridgesAndOperatorActions() {
        ok("/vtl create vtl0 slots=8 import_export=2 drives=2");
        String created = ok("/vtl/vtl0/cartridges create LF0001L8..LF0003L8");
        assertEquals(List.of("LF0001L8 is in slot 1", "LF0002L8 is in slot 2", "LF0003L8 is in slot 3"),
                created.lines().toList());
        assertEquals(3, daemon.running().getLibraries(0).getCartridgesCount(), "recorded for a fresh state folder");
        ok("/vtl/vtl0/cartridges create LF0009L8 count=2 shelf=true");
        assertTrue(ok("ls /vtl/vtl0/cartridges").contains("LF0010L8 ...."));
        ok("/vtl/vtl0/import_export import LF0009L8");
        assertTrue(ok("ls /vtl/vtl0/import_export").lines().anyMatch(l -> l.matches(".*o- ie1 \\.+ \\[LF0009L8]")));
        assertTrue(ok("/vtl/vtl0/cartridges/LF0002L8 info").contains("in slot 2"));
        ok("/vtl/vtl0/import_export export ie1");
        assertTrue(ok("ls /vtl/vtl0/cartridges").lines().anyMatch(l -> l.matches(".*LF0009L8 \\.+ \\[on the shelf.*")));
        assertTrue(fails("/vtl/vtl0/cartridges create LF0001L8").contains("exists"));
        assertTrue(fails("/vtl/vtl0/cartridges create LF0100L8..LF0200L8").contains("free storage slot"));
        assertTrue(fails("/vtl/vtl0/cartridges create NOTABARCODE").contains("not an LTO barcode"));
        ok("/vtl/vtl0/drives create drive9 model=HP_LTO7");
        assertEquals(3, daemon.running().getLibraries(0).getDrivesCount());
    }

    @Test
    void restoreconfigOfABrokenFileSaysTheLineAndChangesNothing() throws IOException {
        diskTarget();
        ok("saveconfig");
        Path broken = dir.resolve("broken.json");
        String text = Files.readString(dir.resolve("config.json")).replace("/backstores/memory/disk0\"",
                "/backstores/memory/disk7\"");
        Files.writeString(broken, text);
        int line = 1 + (int) text.substring(0, text.indexOf("disk7")).chars().filter(c -> c == '\n').count();
        String e = fails("restoreconfig broken.json");
        assertTrue(e.contains(broken + ":" + line + ": iscsi_targets[0].portal_groups[0].luns[0].object"), e);
        assertTrue(e.contains("The running configuration is unchanged."), e);
    }

    @Test
    void theSavedFileIsTheSameBytesForTheSameConfiguration() throws IOException {
        diskTarget();
        ok("saveconfig");
        byte[] first = Files.readAllBytes(dir.resolve("config.json"));
        assertTrue(ok("saveconfig").startsWith("Configuration unchanged"));
        assertArrayEquals(first, Files.readAllBytes(dir.resolve("config.json")));
        assertEquals(ConfigJson.write(daemon.running()), new String(first));
    }

    @Test
    void clearconfigWantsConfirmation() {
        diskTarget();
        assertTrue(fails("clearconfig").contains("confirm=true"));
        ok("clearconfig confirm=true");
        assertEquals(0, daemon.running().getIscsiTargetsCount());
    }

    @Test
    void kernelExportsSayWhetherTheHostHasAKernelTarget() {
        String ls = ok("ls / 1");
        boolean present = Files.isDirectory(Path.of("/sys/kernel/config/target"));
        assertEquals(!present, ls.contains("no kernel target on this host"), ls);
    }

    @Test
    void completionProposesCommandsPathsParametersAndAttributes() {
        diskTarget();
        assertTrue(ShellCompletion.complete(shell, "").containsAll(List.of("ls", "cd", "backstores/", "iscsi/")));
        assertEquals(List.of("/backstores/memory/"), ShellCompletion.complete(shell, "cd /backstores/me"));
        assertEquals(List.of("/backstores/memory/disk0"), ShellCompletion.complete(shell, "ls /backstores/memory/d"));
        assertTrue(ShellCompletion.complete(shell, "/backstores/memory ").contains("create"));
        assertEquals(List.of("size="), ShellCompletion.complete(shell, "/backstores/memory create disk1 s"));
        assertTrue(ShellCompletion.complete(shell, "/iscsi/" + IQN + "/tpg1/luns create ")
                .contains("/backstores/memory/disk0"));
        assertEquals(List.of("generate_node_acls="),
                ShellCompletion.complete(shell, "/iscsi/" + IQN + "/tpg1 set attribute gen"));
        assertEquals(List.of("generate_node_acls=false", "generate_node_acls=true"),
                ShellCompletion.complete(shell, "/iscsi/" + IQN + "/tpg1 set attribute generate_node_acls="));
        assertTrue(ShellCompletion.complete(shell, "/iscsi/" + IQN + "/tpg1 get ").containsAll(
                List.of("attribute", "parameter", "auth")));
        assertEquals(List.of("MaxBurstLength="),
                ShellCompletion.complete(shell, "/iscsi/" + IQN + "/tpg1 set parameter MaxB"));
    }

    @Test
    void helpSaysWhatANodeOffers() {
        String help = ok("/backstores/fileio help");
        assertTrue(help.contains("create name file [size=...] [block_size=...] [unit_id=...]"), help);
        assertTrue(ok("/backstores/fileio help create").contains("file: the file (created, sparse"));
    }

    @Test
    void wordsAndValues() throws ShellException {
        assertEquals(List.of("set", "alias=my disk", "x"), ShellWords.split("set 'alias=my disk' x"));
        assertEquals(List.of("a b", "c"), ShellWords.split("\"a b\" c"));
        assertThrows(ShellException.class, () -> ShellWords.split("set 'open"));
        assertEquals(1L << 30, ShellWords.size("size", "1G"));
        assertEquals(512L << 20, ShellWords.size("size", "512MiB"));
        assertEquals(List.of("LF0009L8", "LF0010L8", "LF0011L8"), VtlNodes.barcodes("LF0009L8..LF0011L8", 0));
        assertEquals(List.of("AB0998L9", "AB0999L9"), VtlNodes.barcodes("AB0998L9", 2));
        assertThrows(ShellException.class, () -> VtlNodes.barcodes("LF9999L8", 2));
        assertThrows(ShellException.class, () -> VtlNodes.barcodes("LF0002L8..LF0001L8", 0));
    }

    @Test
    void rbdCreateNamesWhatIsMissingAndChangesNothing() {
        assertTrue(fails("/backstores/rbd create r0 pool=rbd image=vm1").contains("conf"));
        String e = fails("/backstores/rbd create r0 pool=rbd image=vm1 conf=" + dir.resolve("no/ceph.conf"));
        assertTrue(e.contains("no ceph.conf at"), e);
        assertTrue(ok("/backstores/rbd help create").contains("the ceph.conf naming the monitors"));
    }

    @Test
    void aDiskAndItsLunCrossTheSocketAsTheChangeOnlyAndTheCopyIsKept() {
        java.util.List<org.lunforge.server.control.Request> sent = new java.util.ArrayList<>();
        java.util.List<org.lunforge.server.control.Response> answers = new java.util.ArrayList<>();
        Shell recorded = new Shell(r -> {
            sent.add(r);
            org.lunforge.server.control.Response a = service.handle(r);
            answers.add(a);
            return a;
        }, new PrintWriter(out), new PrintWriter(err), dir);
        assertTrue(recorded.run("/iscsi create " + IQN + " portal=127.0.0.1:" + port), err.toString());
        sent.clear();
        answers.clear();
        assertTrue(recorded.run("/backstores/memory create disk0 size=4M"), err.toString());
        assertTrue(recorded.run("/iscsi/" + IQN + "/tpg1/luns create /backstores/memory/disk0"), err.toString());
        // A command that only edits runs on the shell's copy: one round trip, the change alone.
        var kinds = sent.stream().map(org.lunforge.server.control.Request::getKindCase).toList();
        assertEquals(List.of(org.lunforge.server.control.Request.KindCase.CHANGE_CONFIG,
                org.lunforge.server.control.Request.KindCase.CHANGE_CONFIG), kinds);
        assertTrue(answers.stream().noneMatch(a -> a.getConfig().hasConfig()), "no answer carried the configuration");
        assertEquals("/backstores/memory/disk0", daemon.running().getIscsiTargets(0).getPortalGroups(0).getLuns(0)
                .getObject());
        // Another client's change: the next command reads the configuration afresh and sees it.
        Config other = daemon.running().toBuilder().addBackstores(org.lunforge.server.config.Backstore.newBuilder()
                .setName("disk1").setMemory(org.lunforge.server.config.MemoryStore.newBuilder().setSize(1 << 20)))
                .build();
        assertFalse(service.handle(org.lunforge.server.control.Request.newBuilder().setApplyConfig(
                org.lunforge.server.control.ApplyConfig.newBuilder().setConfig(other)).build()).hasError());
        out.getBuffer().setLength(0);
        assertTrue(recorded.run("ls /backstores/memory"), err.toString());
        assertTrue(out.toString().contains("disk1"), out.toString());
        // Another client's changes, and commands of this shell run on its copy, now stale: a disk of the same name
        // is refused as existing, and a LUN on a target the copy does not know is made on the running configuration.
        String other2 = "iqn.2026-11.org.example:other";
        Config more = daemon.running().toBuilder().addBackstores(org.lunforge.server.config.Backstore.newBuilder()
                .setName("disk2").setMemory(org.lunforge.server.config.MemoryStore.newBuilder().setSize(1 << 20)))
                .addIscsiTargets(org.lunforge.server.config.IscsiTarget.newBuilder().setIqn(other2).addPortalGroups(
                        org.lunforge.server.config.PortalGroup.newBuilder().setTag(1)
                                .addPortals("127.0.0.1:" + port))).build();
        assertFalse(service.handle(org.lunforge.server.control.Request.newBuilder().setApplyConfig(
                org.lunforge.server.control.ApplyConfig.newBuilder().setConfig(more)).build()).hasError());
        err.getBuffer().setLength(0);
        assertFalse(recorded.run("/backstores/memory create disk2 size=1M"));
        assertTrue(err.toString().contains("/backstores/memory/disk2 exists"), err.toString());
        assertTrue(daemon.running().getBackstoresList().stream().filter(b -> b.getName().equals("disk2")).count() == 1);
        Config third = daemon.running().toBuilder().addIscsiTargets(org.lunforge.server.config.IscsiTarget
                .newBuilder().setIqn("iqn.2026-11.org.example:third").addPortalGroups(org.lunforge.server.config
                        .PortalGroup.newBuilder().setTag(1).addPortals("127.0.0.1:" + port))).build();
        assertFalse(service.handle(org.lunforge.server.control.Request.newBuilder().setApplyConfig(
                org.lunforge.server.control.ApplyConfig.newBuilder().setConfig(third)).build()).hasError());
        assertTrue(recorded.run("/iscsi/iqn.2026-11.org.example:third/tpg1/luns create /backstores/memory/disk2"),
                err.toString());
        assertEquals("/backstores/memory/disk2", daemon.running().getIscsiTargets(2).getPortalGroups(0).getLuns(0)
                .getObject());
        // A refusal comes from the daemon's check of the change, naming the node.
        err.getBuffer().setLength(0);
        assertFalse(recorded.run("/iscsi/" + IQN + "/tpg1/luns create /backstores/memory/nothing lun=3"));
        assertTrue(err.toString().contains("/iscsi/" + IQN + "/tpg1/luns/lun3: object: no storage object"
                + " /backstores/memory/nothing"), err.toString());
        assertEquals(org.lunforge.server.control.Request.KindCase.CHANGE_CONFIG, sent.getLast().getKindCase());
    }
}
