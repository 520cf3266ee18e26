package org.lunforge.backstore.rbd;

import java.io.IOException;
import java.util.List;

/**
 * One RADOS object as the shared state of a logical unit uses it: a versioned value, written only if nobody wrote
 * since it was read; watch/notify with acknowledgements; and fencing of a client that stopped acknowledging. The seam
 * between {@link RadosSharedState}'s rules and librados ({@link LibradosObject}), so the rules can be tested alone.
 */
interface RadosObject extends AutoCloseable {
    /**
     * The object's content and version.
     *
     * @param value the content; null if the object does not exist
     * @param version the object's version (0 if it does not exist)
     */
    record Versioned(byte[] value, long version) {
    }

    /** Receives the notifies of every client watching the object, this one's own included. */
    interface Watcher {
        /** Runs before the notify is acknowledged; must not wait for a notify of this client. */
        void notified(long notifierId, byte[] payload);

        /** The watch lapsed and was made again: notifies may have been missed in between. */
        void rewatched();
    }

    Versioned read() throws IOException;

    /**
     * Replaces the content if the object is still at {@code version} (0: still does not exist).
     *
     * @return the object's new version, or -1 if another client wrote first
     */
    long writeIfUnchanged(long version, byte[] value) throws IOException;

    /**
     * Tells every watcher and waits for their acknowledgements, at most {@code timeoutMillis}.
     *
     * @return the ids of the clients whose watch did not acknowledge in time
     */
    List<Long> notify(byte[] payload, long timeoutMillis) throws IOException;

    /** Blocklists the client: the OSDs refuse everything it sends from now on (its writes in flight included). */
    void fence(long clientId) throws IOException;

    /** Starts watching; notifies go to {@code watcher} until {@link #close()}. */
    void watch(Watcher watcher) throws IOException;

    /**
     * Takes or renews the exclusive lock {@code name} on the object for {@code seconds}. A lock that lapsed while
     * another client held it is taken only after that client is fenced, unless {@code fence} is false (that client
     * is known to have released it).
     *
     * @return true if this client holds the lock now
     */
    boolean lease(String name, int seconds, boolean fence) throws IOException;

    /** True if some client holds the lock {@code name} now. */
    boolean leaseHeld(String name) throws IOException;

    /** Releases the lock {@code name} if this client holds it. */
    void dropLease(String name) throws IOException;

    /** This client's id (the {@code client.<id>} of its notifies). */
    long clientId();

    @Override
    void close();
}
