package org.lunforge.scsi;

import java.io.IOException;
import java.util.function.Function;

/**
 * One value that several nodes serving the same logical unit keep in common (for an rbd logical unit: a RADOS
 * object), with the rule that makes it one fact across the nodes: every change is a guarded read-modify-write, and
 * returns only after every other node has seen it (or has been fenced off the cluster).
 *
 * <p>A logical unit finds it through {@link StateStore#shared(String)}; a store that serves one node only has none,
 * and the logical unit keeps its state in memory as before.
 */
public interface SharedState {
    /**
     * What one change stores and tells the other nodes.
     *
     * @param value the next value
     * @param notice what the other nodes act on besides the value (unit attentions), possibly empty
     */
    record Change(byte[] value, byte[] notice) {
        public Change {
            if (value == null || notice == null) {
                throw new IllegalArgumentException("a change needs a value and a notice");
            }
        }
    }

    /** Hears of the changes other nodes made, before this node acknowledges them. */
    interface Listener {
        /**
         * Called on the shared state's own thread; must not wait for a change of this node's. Versions grow with
         * every change stored; the same version is never reported twice, but reports may arrive out of order.
         */
        void changed(long version, byte[] value, byte[] notice);
    }

    /** The current value, read from the shared store (null if none was ever stored). */
    byte[] read() throws IOException;

    /**
     * Applies {@code change} to the current value (null if none) and stores the result unless another node stored
     * first, in which case it runs again on that node's value; then tells the other nodes and waits for their
     * acknowledgements. {@code change} returns null to store nothing (nobody is told); what it throws propagates and
     * nothing is stored.
     *
     * @return the version of the value stored, greater than every version stored before; -1 if nothing was stored
     * @throws IOException if the store could not be reached or a node that did not acknowledge could not be fenced;
     *     whether the change was stored is then unknown
     */
    long update(Function<byte[], Change> change) throws IOException;

    /** Registers the one listener for the other nodes' changes. */
    void listen(Listener listener);

    /**
     * Takes or renews this node's lease (the shared store's own, e.g. a Ceph lock with a duration) for
     * {@code seconds}. With {@code fence}, taking over a lease another node let lapse fences that node first, so
     * nothing it still sends reaches the store after this returns true; without, the other node is known to have
     * given the lease up.
     *
     * @return true if this node holds the lease now
     * @throws IOException if the store cannot be reached, or this node has been fenced
     */
    default boolean holdLease(int seconds, boolean fence) throws IOException {
        throw new UnsupportedOperationException("no leases in this shared state");
    }

    /** True if some node (this one included) holds the lease now. */
    default boolean leaseHeld() throws IOException {
        throw new UnsupportedOperationException("no leases in this shared state");
    }

    /** Gives the lease up, if this node holds it. */
    default void dropLease() throws IOException {
    }
}
