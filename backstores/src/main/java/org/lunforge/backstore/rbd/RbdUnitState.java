package org.lunforge.backstore.rbd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import org.lunforge.scsi.SharedState;
import org.lunforge.scsi.StateStore;

/**
 * The state store of a logical unit on an rbd image: what one node saves (mode pages) stays in the node's own store;
 * each shared value is one RADOS object in the image's pool, named from the pool and image id
 * ({@code lunforge.<pool>.<image id>.<key>}), so every node serving the image finds the same object.
 */
final class RbdUnitState implements StateStore, AutoCloseable {
    private final StateStore local;
    private final MemorySegment cluster;
    private final String pool;
    private final String imageId;
    private final Map<String, RadosSharedState> shared = new HashMap<>();

    RbdUnitState(StateStore local, MemorySegment cluster, String pool, String imageId) {
        this.local = local;
        this.cluster = cluster;
        this.pool = pool;
        this.imageId = imageId;
    }

    static String objectName(String pool, String imageId, String key) {
        return "lunforge." + pool + "." + imageId + "." + key;
    }

    @Override
    public byte[] load(String key) throws IOException {
        return local.load(key);
    }

    @Override
    public void save(String key, byte[] value) throws IOException {
        local.save(key, value);
    }

    @Override
    public boolean mayBlock() {
        return true; // shared values wait for the cluster
    }

    @Override
    public synchronized SharedState shared(String key) {
        RadosSharedState s = shared.get(key);
        if (s == null) {
            String oid = objectName(pool, imageId, key);
            try {
                LibradosObject object = new LibradosObject(cluster, pool, oid);
                try {
                    s = new RadosSharedState(object, oid);
                } catch (IOException | RuntimeException e) {
                    object.close();
                    throw e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            shared.put(key, s);
        }
        return s;
    }

    @Override
    public synchronized void close() {
        shared.values().forEach(RadosSharedState::close);
        shared.clear();
    }
}
