package org.lunforge.scsi;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a logical unit keeps what must survive a restart: saved mode pages, persistent reservations with APTPL,
 * unit serial state. Keys are short names ("mode-pages", "pr"); values are opaque bytes. {@link #save} is atomic:
 * after a crash a key holds either its old or its new value (the file implementation lives in backstores).
 */
public interface StateStore {
    /** The saved value, or null if none. */
    byte[] load(String key) throws IOException;

    void save(String key, byte[] value) throws IOException;

    /**
     * True if {@link #save} may wait for a device (a file store's fsync): the logical unit then saves off the
     * caller's thread, which may be a network event loop. A store that only touches memory says false.
     */
    default boolean mayBlock() {
        return true;
    }

    /**
     * The value under {@code key} that every node serving this logical unit shares, or null when this store serves
     * one node only (the default): then the value lives in the logical unit's memory and, when saved, here.
     */
    default SharedState shared(String key) {
        return null;
    }

    /** A store that forgets everything at exit: for memory-backed logical units and tests. */
    static StateStore inMemory() {
        Map<String, byte[]> map = new ConcurrentHashMap<>();
        return new StateStore() {
            @Override
            public byte[] load(String key) {
                byte[] v = map.get(key);
                return v == null ? null : v.clone();
            }

            @Override
            public void save(String key, byte[] value) {
                map.put(key, value.clone());
            }

            @Override
            public boolean mayBlock() {
                return false;
            }
        };
    }
}
