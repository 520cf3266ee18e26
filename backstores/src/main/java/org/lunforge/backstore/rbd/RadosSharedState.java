package org.lunforge.backstore.rbd;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;
import org.lunforge.scsi.SharedState;

/**
 * A logical unit's shared value in one RADOS object: every change a read-modify-write guarded by the object's version
 * (a lost race reads again and recomputes), then a notify carrying the new value, acknowledged by each node after it
 * has taken the value. A node whose watch does not acknowledge within {@link #NOTIFY_TIMEOUT_MILLIS} is taken for
 * dead or partitioned and fenced (blocklisted) before the change is reported done: whatever it still holds, its
 * writes can no longer reach the cluster, so no initiator can act on the state it missed.
 *
 * <p>Notify payload: the version (8 bytes), the value's length (4) and the value, then the notice.
 */
final class RadosSharedState implements SharedState, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RadosSharedState.class.getName());
    /** How long a change waits for the other nodes; also the longest a dead node delays a change. */
    static final long NOTIFY_TIMEOUT_MILLIS = 5_000;
    /** Lost races in a row before the change gives up (each is another node's completed change). */
    static final int MAX_RACES = 64;

    private final RadosObject object;
    private final String name;
    private volatile Listener listener;

    RadosSharedState(RadosObject object, String name) throws IOException {
        this.object = object;
        this.name = name;
        object.watch(new RadosObject.Watcher() {
            @Override
            public void notified(long notifierId, byte[] payload) {
                RadosSharedState.this.notified(notifierId, payload);
            }

            @Override
            public void rewatched() {
                refresh();
            }
        });
    }

    @Override
    public byte[] read() throws IOException {
        return object.read().value();
    }

    @Override
    public long update(Function<byte[], Change> change) throws IOException {
        for (int race = 0; race < MAX_RACES; race++) {
            RadosObject.Versioned current = object.read();
            Change next = change.apply(current.value());
            if (next == null) {
                return -1;
            }
            long version = object.writeIfUnchanged(current.version(), next.value());
            if (version < 0) {
                continue; // another node changed it since the read: recompute on its value
            }
            List<Long> silent = object.notify(payload(version, next), NOTIFY_TIMEOUT_MILLIS);
            for (long client : silent) {
                if (client == object.clientId()) {
                    continue; // our own watch: it lapsed, we acknowledge nothing of ours anyway
                }
                LOG.log(WARNING, () -> name + ": client." + client + " did not acknowledge a change: fencing it");
                object.fence(client);
                LOG.log(INFO, () -> name + ": client." + client + " blocklisted");
            }
            return version;
        }
        throw new IOException(name + ": " + MAX_RACES + " lost races in a row");
    }

    /** The lock whose holder is the active node (Ceph's own lease: an exclusive lock with a duration). */
    static final String LEASE = "lunforge.active";

    @Override
    public boolean holdLease(int seconds, boolean fence) throws IOException {
        return object.lease(LEASE, seconds, fence);
    }

    @Override
    public boolean leaseHeld() throws IOException {
        return object.leaseHeld(LEASE);
    }

    @Override
    public void dropLease() throws IOException {
        object.dropLease(LEASE);
    }

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
    }

    private void notified(long notifier, byte[] payload) {
        if (notifier == object.clientId()) {
            return; // our own change, published by the node that made it
        }
        Listener l = listener;
        if (l == null || payload.length < 12) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        long version = b.getLong();
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            LOG.log(WARNING, () -> name + ": a malformed notify from client." + notifier);
            return;
        }
        byte[] value = new byte[length];
        b.get(value);
        byte[] notice = new byte[b.remaining()];
        b.get(notice);
        l.changed(version, value, notice);
    }

    /** After a lapsed watch: the current value, as if it had been notified (without unit attentions). */
    private void refresh() {
        Listener l = listener;
        try {
            RadosObject.Versioned current = object.read();
            if (l != null && current.value() != null) {
                l.changed(current.version(), current.value(), new byte[0]);
            }
        } catch (IOException e) {
            LOG.log(WARNING, () -> name + ": reading after the watch lapsed: " + e.getMessage());
        }
    }

    static byte[] payload(long version, Change change) {
        return ByteBuffer.allocate(12 + change.value().length + change.notice().length).putLong(version)
                .putInt(change.value().length).put(change.value()).put(change.notice()).array();
    }

    @Override
    public void close() {
        object.close();
    }
}
