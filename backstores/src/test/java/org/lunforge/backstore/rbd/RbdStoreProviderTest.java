package org.lunforge.backstore.rbd;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.BlockStores;

/** The rbd plug-in's identity and configuration checks, with no cluster. */
class RbdStoreProviderTest {
    @TempDir
    Path dir;

    Map<String, String> config() throws Exception {
        Path conf = Files.writeString(dir.resolve("ceph.conf"), "[global]\nmon_host = 127.0.0.1:1\n");
        Map<String, String> c = new HashMap<>(Map.of("pool", "rbd", "image", "vm1", "conf", conf.toString()));
        return c;
    }

    @Test
    void serviceLoaderFindsTheRbdType() {
        assertInstanceOf(RbdStoreProvider.class, BlockStores.load().provider("rbd"));
    }

    @Test
    void aCompleteConfigurationPassesWithTheDefaultClient() throws Exception {
        RbdImageSpec spec = RbdStoreProvider.spec(config());
        assertEquals("admin", spec.clientId());
        assertNull(spec.keyring());
        assertFalse(spec.readOnly());
    }

    @Test
    void clusterIsABooleanAndOffUnlessSet() throws Exception {
        assertFalse(RbdStoreProvider.spec(config()).cluster());
        Map<String, String> c = config();
        c.put("cluster", "true");
        assertTrue(RbdStoreProvider.spec(c).cluster());
        c.put("cluster", "sometimes");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RbdStoreProvider().checkConfig(c))
                .getMessage().contains("cluster is not a boolean"));
    }

    @Test
    void eachMissingKeyIsNamed() throws Exception {
        for (String key : new String[] {"pool", "image", "conf"}) {
            Map<String, String> c = config();
            c.remove(key);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new RbdStoreProvider().checkConfig(c));
            assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
        }
    }

    @Test
    void confAndKeyringMustExist() throws Exception {
        Map<String, String> c = config();
        c.put("conf", dir.resolve("none.conf").toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RbdStoreProvider().checkConfig(c))
                .getMessage().contains("no ceph.conf at"));
        Map<String, String> k = config();
        k.put("keyring", dir.resolve("none.keyring").toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RbdStoreProvider().checkConfig(k))
                .getMessage().contains("no keyring at"));
    }

    @Test
    void clientIdIsTheUserWithoutItsPrefixAndUnknownKeysAreRefused() throws Exception {
        Map<String, String> c = config();
        c.put("client_id", "client.lunforge");
        assertThrows(IllegalArgumentException.class, () -> new RbdStoreProvider().checkConfig(c));
        Map<String, String> u = config();
        u.put("images", "vm2");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RbdStoreProvider().checkConfig(u))
                .getMessage().contains("unknown key 'images'"));
    }

    /** No monitor answers: open fails with an IOException naming the step, and leaves nothing open. */
    @Test
    void openWithoutAClusterFailsSayingWhere() throws Exception {
        Path conf = Files.writeString(dir.resolve("nomon.conf"),
                "[global]\nmon_host = 127.0.0.1:1\nclient_mount_timeout = 1\nlog_to_stderr = false\n");
        Map<String, String> c = config();
        c.put("conf", conf.toString());
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> new RbdStoreProvider().open(c));
        assertTrue(e.getMessage().startsWith("rbd:rbd/vm1: "), e.getMessage());
        assertTrue(e.getMessage().contains("rados_connect") || e.getMessage().contains("librbd.so.1"),
                e.getMessage());
    }

    /** Only Ceph's own 300 s is shortened to 30 s; a ceph.conf's value is left alone ("300" as ceph-conf prints it). */
    @Test
    void onlyCephsDefaultMountTimeoutIsShortened() {
        assertTrue(RbdBlockStore.isCephDefaultMountTimeout("300"));
        assertTrue(RbdBlockStore.isCephDefaultMountTimeout("300.000000"));
        assertFalse(RbdBlockStore.isCephDefaultMountTimeout("1"));
        assertFalse(RbdBlockStore.isCephDefaultMountTimeout("five minutes"));
    }
}
