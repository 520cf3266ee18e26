package org.lunforge.scsi;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pending unit attention conditions per I_T nexus (SAM-5 5.14, SPC-4 5.8.7). A nexus is known from its first command
 * on; conditions established later queue for it, oldest first, one entry per code, and each is reported once: as the
 * CHECK CONDITION of the next command that does not ignore unit attentions, or as REQUEST SENSE data.
 */
public final class UnitAttentions {
    /** SAM-5 does not bound the queue; a nexus that never sends a command must not grow it without limit. */
    private static final int MAX_PENDING = 16;

    private final Map<Nexus, Deque<SenseCode>> pending = new ConcurrentHashMap<>();

    /** Makes the nexus known; it sees conditions established from now on. Idempotent. */
    public void register(Nexus nexus) {
        pending.computeIfAbsent(nexus, n -> new ArrayDeque<>());
    }

    /** The I_T nexus is gone (session closed): forget its conditions. */
    public void forget(Nexus nexus) {
        pending.remove(nexus);
    }

    /** Establishes the condition for one nexus. */
    public void establish(Nexus nexus, SenseCode code) {
        checkUnitAttention(code);
        Deque<SenseCode> queue = pending.computeIfAbsent(nexus, n -> new ArrayDeque<>());
        synchronized (queue) {
            if (!queue.contains(code) && queue.size() < MAX_PENDING) {
                queue.addLast(code);
            }
        }
    }

    /** Establishes the condition for every known nexus except {@code except} (null: for all of them). */
    public void establishForAllExcept(Nexus except, SenseCode code) {
        checkUnitAttention(code);
        for (Nexus nexus : pending.keySet()) {
            if (!nexus.equals(except)) {
                establish(nexus, code);
            }
        }
    }

    /** Removes and returns the oldest pending condition for the nexus, or null. */
    public SenseCode take(Nexus nexus) {
        Deque<SenseCode> queue = pending.get(nexus);
        if (queue == null) {
            return null;
        }
        synchronized (queue) {
            return queue.pollFirst();
        }
    }

    /** True if a condition is pending for the nexus (not consumed). */
    public boolean isPending(Nexus nexus) {
        Deque<SenseCode> queue = pending.get(nexus);
        if (queue == null) {
            return false;
        }
        synchronized (queue) {
            return !queue.isEmpty();
        }
    }

    /** Drops one pending condition of this code for the nexus, if present (e.g. superseded by a reset). */
    public void clear(Nexus nexus, SenseCode code) {
        Deque<SenseCode> queue = pending.get(nexus);
        if (queue != null) {
            synchronized (queue) {
                queue.remove(code);
            }
        }
    }

    private static void checkUnitAttention(SenseCode code) {
        if (code.key() != SenseKey.UNIT_ATTENTION) {
            throw new IllegalArgumentException(code + " is not a unit attention");
        }
    }
}
