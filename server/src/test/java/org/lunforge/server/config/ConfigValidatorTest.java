package org.lunforge.server.config;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The rules a configuration's iSCSI targets pass before anything is built from it. */
class ConfigValidatorTest {
    /** One target, two ports: each with its own LUNs, ACLs and authentication (ALUA: one disk behind both). */
    private static final String TWO_PORTS = """
            {
              "backstores": [
                { "name": "disk0", "memory": { "size": "64M" } },
                { "name": "disk1", "memory": { "size": "64M" } }
              ],
              "iscsi_targets": [
                { "iqn": "iqn.2026-11.org.lunforge:disks",
                  "portal_groups": [
                    { "tag": 1, "portals": ["127.0.0.1:3260"], "generate_node_acls": true,
                      "luns": [ { "lun": 0, "object": "/backstores/memory/disk0" } ] },
                    { "tag": 2, "portals": ["127.0.0.2:3260"], "authentication": true,
                      "chap": { "userid": "tpg2", "password": "tpg2-secret-123" },
                      "luns": [ { "lun": 0, "object": "/backstores/memory/disk1" },
                                { "lun": 7, "object": "/backstores/memory/disk0" } ],
                      "acls": [ { "initiator": "iqn.2026-11.org.example:host",
                                  "mapped_luns": [ { "mapped_lun": 0, "tpg_lun": 7 } ] } ] } ] }
              ]
            }
            """;

    private static void validate(String json) throws ConfigException {
        ConfigValidator.validate(ConfigJson.read("t.json", json), "t.json");
    }

    @Test
    void portalGroupsOfOneTargetMayDifferInLunsAclsAndAuthentication() throws ConfigException {
        validate(TWO_PORTS);
    }

    @Test
    void anAclMapsOnlyLunsOfItsOwnGroup() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> validate(TWO_PORTS.replace("\"tpg_lun\": 7", "\"tpg_lun\": 3")));
        assertTrue(e.getMessage().contains("portal_groups[1].acls[0].mapped_luns[0].tpg_lun"), e.getMessage());
    }

    @Test
    void tagsAndRelativePortIdsStayUnique() {
        assertThrows(ConfigException.class, () -> validate(TWO_PORTS.replace("\"tag\": 2", "\"tag\": 1")));
        assertThrows(ConfigException.class, () -> validate(TWO_PORTS
                .replace("\"tag\": 1,", "\"tag\": 1, \"relative_port_id\": 5,")
                .replace("\"tag\": 2,", "\"tag\": 2, \"relative_port_id\": 5,")));
    }

    @Test
    void physicalBlocksAreAPowerOfTwoOfLogicalBlocks() throws ConfigException {
        validate(TWO_PORTS.replace("\"size\": \"64M\" } },", "\"size\": \"64M\" }, \"physical_block_size\": 4096 },"));
        for (String bad : new String[] {"256", "1536", "33554432"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> validate(TWO_PORTS.replace(
                    "\"size\": \"64M\" } },", "\"size\": \"64M\" }, \"physical_block_size\": " + bad + " },")));
            assertTrue(e.getMessage().contains("backstores[0].physical_block_size"), e.getMessage());
        }
    }

    private static String withGroups(String groups) {
        return TWO_PORTS.replaceFirst("\\{\n", "{ \"target_port_groups\": [" + groups + "],\n");
    }

    @Test
    void targetPortGroupsNameConfiguredPortsOnce() throws ConfigException {
        validate(withGroups("""
                { "id": 1, "state": "ACTIVE_OPTIMIZED", "preferred": true,
                  "members": ["iqn.2026-11.org.lunforge:disks,t,0x1"] },
                { "id": 2, "state": "STANDBY", "members": ["IQN.2026-11.org.lunforge:DISKS,t,0x0002"] }"""));
        ConfigException unknown = assertThrows(ConfigException.class, () -> validate(withGroups("""
                { "id": 1, "members": ["iqn.2026-11.org.lunforge:disks,t,0x3"] }""")));
        assertTrue(unknown.getMessage().contains("target_port_groups[0].members[0]"), unknown.getMessage());
        ConfigException twice = assertThrows(ConfigException.class, () -> validate(withGroups("""
                { "id": 1, "members": ["iqn.2026-11.org.lunforge:disks,t,0x1"] },
                { "id": 2, "members": ["iqn.2026-11.org.lunforge:disks,t,0x01"] }""")));
        assertTrue(twice.getMessage().contains("already in target_port_groups[0]"), twice.getMessage());
        assertThrows(ConfigException.class, () -> validate(withGroups("""
                { "id": 0, "members": [] }""")));
        assertThrows(ConfigException.class, () -> validate(withGroups("""
                { "id": 4, "members": [] }, { "id": 4, "members": [] }""")));
        assertThrows(ConfigException.class, () -> validate(withGroups("""
                { "id": 1, "members": ["disks,tpg1"] }""")));
    }

    private static final String LIBRARY = """
            {
              "libraries": [ { "name": "vtl0", "pool_dir": "/tmp/pool", "drives": [ { "name": "drive0" } ],
                               "slots": 4 } ],
              "iscsi_targets": [
                { "iqn": "iqn.2026-11.org.lunforge:vtl",
                  "portal_groups": [
                    { "tag": 1, "portals": ["127.0.0.1:3260"],
                      "luns": [ { "lun": 0, "object": "/vtl/vtl0/changer" },
                                { "lun": 1, "object": "/vtl/vtl0/drives/drive0" } ],
                      "acls": [ { "initiator": "iqn.2026-11.org.example:host",
                                  "mapped_luns": [ { "mapped_lun": 0, "tpg_lun": 0 },
                                                   { "mapped_lun": 1, "tpg_lun": 1 } ] } ] } ] }
              ]
            }
            """;

    @Test
    void writeProtectIsRefusedWhereItCouldDoNothing() throws ConfigException {
        validate(LIBRARY);
        validate(LIBRARY.replace("\"tpg_lun\": 1 }", "\"tpg_lun\": 1, \"write_protect\": true }"));
        validate(TWO_PORTS.replace("\"tpg_lun\": 7 }", "\"tpg_lun\": 7, \"write_protect\": true }"));
        ConfigException e = assertThrows(ConfigException.class, () -> validate(
                LIBRARY.replace("\"tpg_lun\": 0 }", "\"tpg_lun\": 0, \"write_protect\": true }")));
        assertTrue(e.getMessage().contains("acls[0].mapped_luns[0].write_protect"), e.getMessage());
    }

    @Test
    void anRbdBackstoreNeedsPoolImageAndConfAndSaysWhichIsMissing() throws ConfigException {
        String rbd = """
                { "backstores": [ { "name": "r0", "rbd": { "pool": "rbd", "image": "disk0",
                    "conf": "/etc/ceph/ceph.conf", "client_id": "lunforge" } } ] }
                """;
        validate(rbd);
        for (String[] missing : new String[][] {{"\"pool\": \"rbd\", ", "backstores[0].rbd.pool", "pool"},
                {"\"image\": \"disk0\",", "backstores[0].rbd.image", "image's name"},
                {"\"conf\": \"/etc/ceph/ceph.conf\",", "backstores[0].rbd.conf", "ceph.conf"}}) {
            ConfigException e = assertThrows(ConfigException.class, () -> validate(rbd.replace(missing[0], "")));
            assertTrue(e.getMessage().contains(missing[1]) && e.getMessage().contains(missing[2]), e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> validate(rbd.replace("\"lunforge\"", "\"client.lunforge\"")));
        assertTrue(e.getMessage().contains("backstores[0].rbd.client_id"), e.getMessage());
    }
}
