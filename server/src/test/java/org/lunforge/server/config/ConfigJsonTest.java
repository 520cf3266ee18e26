package org.lunforge.server.config;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ConfigJsonTest {
    private static final String SAMPLE = """
            {
              "state_dir": "state",
              "backstores": [
                { "name": "disk0", "memory": { "size": "64M" } },
                { "name": "disk1", "fileio": { "path": "disk1.img", "size": 1073741824 }, "block_size": 4096 }
              ],
              "iscsi_targets": [
                { "iqn": "iqn.2026-11.org.lunforge:disks",
                  "portal_groups": [ { "tag": 1, "portals": ["127.0.0.1:3260"],
                                       "parameters": { "MaxBurstLength": "1048576", "FirstBurstLength": "65536" },
                                       "luns": [ { "lun": 0, "object": "/backstores/memory/disk0" } ] } ] }
              ]
            }
            """;

    @Test
    void readsSnakeCaseAndSizeSuffixes() throws ConfigException {
        Config c = ConfigJson.read("t.json", SAMPLE).config();
        assertEquals(64L << 20, c.getBackstores(0).getMemory().getSize());
        assertEquals(4096, c.getBackstores(1).getBlockSize());
        assertEquals("/backstores/memory/disk0", c.getIscsiTargets(0).getPortalGroups(0).getLuns(0).getObject());
    }

    @Test
    void sameConfigSameBytesWhateverTheMapOrder() throws ConfigException {
        Config a = ConfigJson.read("a", SAMPLE).config();
        Config b = ConfigJson.read("b", SAMPLE.replace(
                "{ \"MaxBurstLength\": \"1048576\", \"FirstBurstLength\": \"65536\" }",
                "{ \"FirstBurstLength\": \"65536\", \"MaxBurstLength\": \"1048576\" }")).config();
        assertEquals(ConfigJson.write(a), ConfigJson.write(b));
        assertEquals(a, ConfigJson.read("c", ConfigJson.write(a)).config()); // round trip
    }

    @Test
    void unknownFieldIsRefusedWithItsLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigJson.read("t.json", SAMPLE.replace("\"block_size\"", "\"blok_size\"")));
        assertEquals(5, e.line());
        assertTrue(e.getMessage().contains("backstores[1].blok_size"), e.getMessage());
    }

    @Test
    void syntaxErrorIsRefusedWithItsLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigJson.read("t.json", SAMPLE.replace("\"disk0\", \"memory\"", "\"disk0\" \"memory\"")));
        assertEquals(4, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("expected ',' or '}'"), e.getMessage());
    }

    @Test
    void wrongTypesAndTwoStoresAreRefused() {
        assertEquals(4, assertThrows(ConfigException.class, () -> ConfigJson.read("t",
                SAMPLE.replace("\"64M\"", "\"lots\""))).line());
        assertEquals(4, assertThrows(ConfigException.class, () -> ConfigJson.read("t",
                SAMPLE.replace("\"memory\": { \"size\": \"64M\" }",
                        "\"memory\": { \"size\": 1 }, \"block\": { \"path\": \"/dev/x\" }"))).line());
        assertThrows(ConfigException.class, () -> ConfigJson.read("t", SAMPLE.replace("\"tag\": 1", "\"tag\": -1")));
    }
}
