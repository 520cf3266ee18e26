package org.lunforge.backstore.rbd;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.SharedState;

/**
 * The rules of a shared value over one RADOS object, against a fake of the object: a lost race recomputes on the
 * winner's value, a silent watcher is fenced before the change returns, and a node does not hear its own changes.
 * The real object is proved on a Ceph cluster by conformance/ceph/nodes.
 */
class RadosSharedStateTest {
    /** One object, seen by the client {@code me}; {@code silent} clients never acknowledge. */
    static final class FakeObject implements RadosObject {
        byte[] value;
        long version;
        Watcher watcher;
        Runnable beforeNextWrite;
        final List<Long> silent = new ArrayList<>();
        final List<Long> fenced = new ArrayList<>();
        final List<byte[]> notified = new ArrayList<>();
        final long me = 7;

        @Override
        public Versioned read() {
            return new Versioned(value, version);
        }

        @Override
        public long writeIfUnchanged(long expected, byte[] next) {
            Runnable r = beforeNextWrite;
            beforeNextWrite = null;
            if (r != null) {
                r.run();
            }
            if (expected != version) {
                return -1;
            }
            value = next;
            return ++version;
        }

        @Override
        public List<Long> notify(byte[] payload, long timeoutMillis) {
            notified.add(payload);
            return List.copyOf(silent);
        }

        @Override
        public void fence(long clientId) {
            fenced.add(clientId);
        }

        @Override
        public void watch(Watcher w) {
            watcher = w;
        }

        @Override
        public boolean lease(String name, int seconds, boolean fence) {
            return true;
        }

        @Override
        public boolean leaseHeld(String name) {
            return true;
        }

        @Override
        public void dropLease(String name) {
        }

        @Override
        public long clientId() {
            return me;
        }

        @Override
        public void close() {
        }
    }

    private final FakeObject object = new FakeObject();

    @Test
    void aLostRaceRecomputesOnTheWinnersValue() throws IOException {
        RadosSharedState s = new RadosSharedState(object, "unit");
        object.beforeNextWrite = () -> {
            object.value = new byte[] {5};
            object.version++;
        };
        List<byte[]> seen = new ArrayList<>();
        long v = s.update(current -> {
            seen.add(current);
            return new SharedState.Change(new byte[] {(byte) (current == null ? 1 : current[0] + 1)}, new byte[0]);
        });
        assertEquals(2, seen.size());
        assertNull(seen.get(0));
        assertArrayEquals(new byte[] {6}, object.value);
        assertEquals(object.version, v);
    }

    @Test
    void aWatcherThatDoesNotAcknowledgeIsFencedBeforeTheChangeReturns() throws IOException {
        RadosSharedState s = new RadosSharedState(object, "unit");
        object.silent.addAll(List.of(object.me, 42L));
        s.update(current -> new SharedState.Change(new byte[] {1}, new byte[0]));
        assertEquals(List.of(42L), object.fenced); // never itself
    }

    @Test
    void nothingIsStoredOrToldWhenTheChangeIsNone() throws IOException {
        RadosSharedState s = new RadosSharedState(object, "unit");
        assertEquals(-1, s.update(current -> null));
        assertEquals(0, object.version);
        assertTrue(object.notified.isEmpty());
    }

    @Test
    void anotherNodesChangeReachesTheListenerAndOurOwnDoesNot() throws IOException {
        RadosSharedState s = new RadosSharedState(object, "unit");
        List<String> heard = new ArrayList<>();
        s.listen((version, value, notice) -> heard.add(version + ":" + value[0] + ":" + notice.length));
        s.update(current -> new SharedState.Change(new byte[] {3}, new byte[] {9, 9}));
        byte[] payload = object.notified.getFirst();
        object.watcher.notified(object.me, payload);
        assertTrue(heard.isEmpty());
        object.watcher.notified(11, payload);
        assertEquals(List.of("1:3:2"), heard);
    }
}
