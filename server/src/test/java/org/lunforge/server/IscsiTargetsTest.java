package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.device.disk.DiskConfig;
import org.lunforge.device.disk.SbcDisk;
import org.lunforge.iscsi.IscsiAcl;
import org.lunforge.iscsi.IscsiChapCredentials;
import org.lunforge.iscsi.IscsiPortal;
import org.lunforge.iscsi.IscsiPortalGroup;
import org.lunforge.iscsi.IscsiServer;
import org.lunforge.iscsi.IscsiServerOptions;
import org.lunforge.iscsi.IscsiTarget;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.StateStore;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigException;
import org.lunforge.server.config.ConfigJson;

/** The daemon's mapping from configured targets to the iSCSI server's model, first and on live changes. */
class IscsiTargetsTest {
    static final String IQN = "iqn.2026-11.org.lunforge:disks";
    static final String HOST = "iqn.2026-11.org.example:host";

    /** Not started: targets are added and changed without binding portals. */
    private final IscsiServer server = new IscsiServer(IscsiServerOptions.defaults(), 1);
    private final IscsiTargets targets = new IscsiTargets(server);
    private final Map<String, LogicalUnit> units = new HashMap<>();

    @AfterEach
    void close() {
        server.close();
        units.values().forEach(LogicalUnit::close);
    }

    private LogicalUnit unit(String path) {
        return units.computeIfAbsent(path, p -> new LogicalUnit(p, LogicalUnitIdentity.of("LUNFORGE", "DISK", "0001",
                UUID.nameUUIDFromBytes(p.getBytes())), new SbcDisk(p, new MemoryBlockStore(1 << 20),
                DiskConfig.defaults()), StateStore.inMemory()));
    }

    private void apply(String groups) throws ConfigException {
        Config c = ConfigJson.read("t.json", """
                { "iscsi_targets": [ { "iqn": "%s", "portal_groups": [ %s ] } ] }
                """.formatted(IQN, groups)).config();
        targets.reconcile(c.getIscsiTargetsList(), this::unit);
    }

    private static final String FIRST = """
            { "tag": 1, "relative_port_id": 1, "portals": ["127.0.0.1:3260"], "generate_node_acls": true,
              "luns": [ { "lun": 0, "object": "/backstores/memory/a" } ] }""";
    private static final String SECOND = """
            { "tag": 2, "relative_port_id": 2, "portals": ["127.0.0.2:3260"], "authentication": true,
              "chap": { "userid": "tpg2", "password": "tpg2-secret-123" },
              "luns": [ { "lun": 0, "object": "/backstores/memory/b" }, { "lun": 7, "object": "/backstores/memory/a" } ],
              "acls": [ { "initiator": "%s", "mapped_luns": [ { "mapped_lun": 0, "tpg_lun": 7 } ] } ] }"""
            .formatted(HOST);

    @Test
    void eachPortalGroupGetsItsOwnLunsAclsAndAuthentication() throws ConfigException {
        apply(FIRST + "," + SECOND);
        IscsiTarget t = server.target(IQN);
        IscsiPortalGroup one = t.portalGroup(1);
        IscsiPortalGroup two = t.portalGroup(2);
        assertEquals(Map.of(0, unit("/backstores/memory/a")), one.luns());
        assertTrue(one.generateNodeAcls());
        assertFalse(one.authenticationRequired());
        assertTrue(one.acls().isEmpty());
        assertNull(one.chap());
        assertEquals(Map.of(0, unit("/backstores/memory/b"), 7, unit("/backstores/memory/a")), two.luns());
        assertFalse(two.generateNodeAcls());
        assertTrue(two.authenticationRequired());
        assertEquals(new IscsiChapCredentials("tpg2", "tpg2-secret-123"), two.chap());
        assertEquals(List.of(new IscsiAcl(HOST, Map.of(0, 7), null, null)), two.acls());
        assertEquals(List.of(new IscsiPortal("127.0.0.2", 3260)), two.portals());
    }

    @Test
    void targetResetsAreServedUnlessAGroupRefusesThem() throws ConfigException {
        apply(FIRST + "," + SECOND.replace("\"authentication\": true",
                "\"authentication\": true, \"tmr_cold_reset\": false"));
        IscsiTarget t = server.target(IQN);
        assertTrue(t.portalGroup(1).warmResetAllowed(), "allowed when not configured");
        assertTrue(t.portalGroup(1).coldResetAllowed());
        assertTrue(t.portalGroup(2).warmResetAllowed());
        assertFalse(t.portalGroup(2).coldResetAllowed());
        apply(FIRST.replace("\"generate_node_acls\": true", "\"generate_node_acls\": true, \"tmr_warm_reset\": false")
                + "," + SECOND);
        assertFalse(t.portalGroup(1).warmResetAllowed(), "a live change applies");
        assertTrue(t.portalGroup(2).coldResetAllowed());
    }

    @Test
    void aLiveChangeUpdatesTheGroupInPlace() throws ConfigException {
        apply(FIRST + "," + SECOND);
        IscsiTarget t = server.target(IQN);
        IscsiPortalGroup one = t.portalGroup(1);
        IscsiPortalGroup two = t.portalGroup(2);
        apply(FIRST.replace("\"luns\": [", "\"luns\": [ { \"lun\": 1, \"object\": \"/backstores/memory/b\" },")
                .replace("127.0.0.1:3260", "127.0.0.1:3261")
                + "," + SECOND.replace("\"authentication\": true", "\"authentication\": false"));
        assertSame(t, server.target(IQN), "the target is kept");
        assertSame(one, t.portalGroup(1), "so are its groups, and with them their sessions");
        assertSame(two, t.portalGroup(2));
        assertEquals(Map.of(0, unit("/backstores/memory/a"), 1, unit("/backstores/memory/b")), one.luns());
        assertEquals(List.of(new IscsiPortal("127.0.0.1", 3261)), one.portals());
        assertFalse(two.authenticationRequired());
        assertEquals(2, two.luns().size(), "the other group is as it was");
    }

    @Test
    void removedGroupsGoAndANewRelativePortIdIsANewPort() throws ConfigException {
        apply(FIRST + "," + SECOND);
        IscsiTarget t = server.target(IQN);
        IscsiPortalGroup one = t.portalGroup(1);
        IscsiPortalGroup two = t.portalGroup(2);
        apply(FIRST.replace("\"relative_port_id\": 1", "\"relative_port_id\": 9"));
        assertNull(t.portalGroup(2));
        assertNull(two.target());
        assertNotSame(one, t.portalGroup(1));
        assertEquals(9, t.portalGroup(1).relativeTargetPortId());
        assertEquals(Map.of(0, unit("/backstores/memory/a")), t.portalGroup(1).luns());
    }

    @Test
    void anAclThatDidNotChangeIsNotReplaced() throws ConfigException {
        apply(SECOND);
        IscsiAcl before = server.target(IQN).portalGroup(2).acls().getFirst();
        apply(SECOND);
        assertSame(before, server.target(IQN).portalGroup(2).acls().getFirst());
        apply(SECOND.replace("\"mapped_lun\": 0", "\"mapped_lun\": 3"));
        assertEquals(Map.of(3, 7), server.target(IQN).portalGroup(2).acls().getFirst().lunMapping());
    }

    @Test
    void aMappedLunsWriteProtectionReachesTheAcl() throws ConfigException {
        apply(SECOND.replace("\"tpg_lun\": 7 }", "\"tpg_lun\": 7, \"write_protect\": true }"));
        IscsiAcl acl = server.target(IQN).portalGroup(2).acls().getFirst();
        assertEquals(java.util.Set.of(0), acl.writeProtectedLuns());
        apply(SECOND);
        assertEquals(java.util.Set.of(), server.target(IQN).portalGroup(2).acls().getFirst().writeProtectedLuns(),
                "clearing write_protect is a change the group applies");
    }

    @Test
    void oneLunOrAclAtATimeTouchesNothingElse() throws ConfigException {
        apply(FIRST + "," + SECOND);
        IscsiPortalGroup one = server.target(IQN).portalGroup(1);
        IscsiPortalGroup two = server.target(IQN).portalGroup(2);
        IscsiAcl acl = two.acls().getFirst();
        targets.lun(IQN.toUpperCase(), 1, 5, unit("/backstores/memory/c"));
        assertEquals(Map.of(0, unit("/backstores/memory/a"), 5, unit("/backstores/memory/c")), one.luns());
        targets.lun(IQN, 1, 0, null);
        assertEquals(Map.of(5, unit("/backstores/memory/c")), one.luns());
        assertEquals(2, two.luns().size());
        assertSame(acl, two.acls().getFirst());
        targets.acl(IQN, 1, org.lunforge.server.config.Acl.newBuilder().setInitiator(HOST).build());
        assertEquals(List.of(new IscsiAcl(HOST, null, null, null)), one.acls());
        targets.removeAcl(IQN, 1, HOST.toUpperCase());
        assertTrue(one.acls().isEmpty());
        assertSame(acl, two.acls().getFirst());
        assertThrows(IllegalStateException.class, () -> targets.lun(IQN, 9, 0, unit("/backstores/memory/a")));
    }

    @Test
    void aReopenedUnitTakesOverEveryLunOfTheOldOne() throws ConfigException {
        apply(FIRST + "," + SECOND);
        LogicalUnit old = unit("/backstores/memory/a");
        LogicalUnit reopened = new LogicalUnit("/backstores/memory/a", old.identity(), new SbcDisk("a",
                new MemoryBlockStore(1 << 20), DiskConfig.defaults()), StateStore.inMemory());
        units.put("reopened", reopened);
        targets.remap(old, reopened);
        assertEquals(Map.of(0, reopened), server.target(IQN).portalGroup(1).luns());
        assertEquals(Map.of(0, unit("/backstores/memory/b"), 7, reopened), server.target(IQN).portalGroup(2).luns());
    }
}
