package org.lunforge.backstore.rbd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.lunforge.backstore.BlockStore;
import org.lunforge.backstore.BlockStoreProvider;
import org.lunforge.backstore.StoreConfig;

/**
 * {@code rbd}: a Ceph RBD image through librbd. Keys: pool, image, conf (a ceph.conf) required; keyring (else the one
 * ceph.conf names), client_id (the cephx user without "client.", default admin), readonly, cluster (the daemon sets
 * it for the backstore its config's {@code cluster} section names: several nodes serve the image).
 */
public final class RbdStoreProvider implements BlockStoreProvider {
    private static final Set<String> KEYS = Set.of("pool", "image", "conf", "keyring", "client_id", "readonly",
            "cluster");

    @Override
    public String type() {
        return "rbd";
    }

    @Override
    public String configHelp() {
        return "pool=<pool> image=<image> conf=<ceph.conf> [keyring=<keyring>] [client_id=<cephx user, default admin>]"
                + " [readonly=true|false] [cluster=true|false (several nodes serve the image: no librbd cache,"
                + " RADOS timeouts)]";
    }

    @Override
    public void checkConfig(Map<String, String> config) {
        spec(config);
    }

    static RbdImageSpec spec(Map<String, String> config) {
        StoreConfig.requireOnly(config, KEYS);
        String pool = StoreConfig.require(config, "pool");
        String image = StoreConfig.require(config, "image");
        Path conf = Path.of(StoreConfig.require(config, "conf"));
        if (!Files.isRegularFile(conf)) {
            throw new IllegalArgumentException("conf: no ceph.conf at " + conf);
        }
        Path keyring = null;
        if (config.containsKey("keyring")) {
            keyring = Path.of(StoreConfig.require(config, "keyring"));
            if (!Files.isRegularFile(keyring)) {
                throw new IllegalArgumentException("keyring: no keyring at " + keyring);
            }
        }
        String clientId = config.containsKey("client_id") ? StoreConfig.require(config, "client_id") : "admin";
        return new RbdImageSpec(pool, image, conf, keyring, clientId,
                StoreConfig.parseBoolean(config, "readonly", false),
                StoreConfig.parseBoolean(config, "cluster", false));
    }

    @Override
    public BlockStore open(Map<String, String> config) throws IOException {
        return RbdBlockStore.open(spec(config));
    }
}
