package org.lunforge.backstore.rbd;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Which RBD image a store opens and how it reaches the cluster.
 *
 * @param pool the RADOS pool holding the image
 * @param image the image's name in the pool
 * @param conf the ceph.conf naming the monitors (and, usually, the keyring)
 * @param keyring the keyring holding the client's key, or null to take the one ceph.conf names
 * @param clientId the cephx user without its "client." prefix ("admin" for client.admin)
 * @param readOnly open the image read-only
 * @param cluster the image is one logical unit served by several nodes (the config's {@code cluster} names it): the
 *     connection gets the settings that sharing needs ({@link RbdBlockStore#CLUSTER_SETTINGS})
 */
public record RbdImageSpec(String pool, String image, Path conf, Path keyring, String clientId, boolean readOnly,
                           boolean cluster) {
    public RbdImageSpec {
        Objects.requireNonNull(conf, "conf");
        if (pool == null || pool.isEmpty() || image == null || image.isEmpty()) {
            throw new IllegalArgumentException("an rbd image needs a pool and an image name");
        }
        if (clientId == null || clientId.isEmpty() || clientId.startsWith("client.")) {
            throw new IllegalArgumentException("client id '" + clientId + "': the cephx user without 'client.'");
        }
    }

    /** An image this node alone serves. */
    public RbdImageSpec(String pool, String image, Path conf, Path keyring, String clientId, boolean readOnly) {
        this(pool, image, conf, keyring, clientId, readOnly, false);
    }

    @Override
    public String toString() {
        return "rbd:" + pool + "/" + image;
    }
}
