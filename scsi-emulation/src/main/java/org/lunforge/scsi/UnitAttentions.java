package org.lunforge.scsi;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Pending unit attention conditions per I_T nexus (SAM-5 5.14, SPC-4 5.8.7). A nexus is known from its first command
 * on; conditions established later queue for it, oldest first, one entry per code, and each is reported once: as the
 * CHECK CONDITION of the next command that does not ignore unit attentions, or as REQUEST SENSE data.
 *
 * <p>Precedence (SAM-5 5.14): a power on or reset condition (ASC 29h) replaces everything pending for the nexus, since
 * the reset undid whatever those conditions announced; an initiator then needs one command to clear it.
 *
 * <p>Concurrency: each nexus has its own queue, locked only to change it; {@link #take} reads a volatile count first,
 * so a command with nothing pending (the hot path) takes no lock.
 */
public final class UnitAttentions {
    /** SAM-5 does not bound the queue; a nexus that never sends a command must not grow it without limit. */
    private static final int MAX_PENDING = 16;
    private static final int RESET_ASC = 0x29;

    private final Map<Nexus, Pending> pending = new ConcurrentHashMap<>();

    private static final class Pending {
        private final ArrayDeque<SenseCode> codes = new ArrayDeque<>();
        /** codes.size(), written under the lock, read without it. */
        private volatile int size;

        synchronized void add(SenseCode code) {
            if (code.asc() == RESET_ASC) {
                codes.clear();
            }
            if (!codes.contains(code) && codes.size() < MAX_PENDING) {
                codes.addLast(code);
            }
            size = codes.size();
        }

        SenseCode poll() {
            if (size == 0) {
                return null;
            }
            synchronized (this) {
                SenseCode c = codes.pollFirst();
                size = codes.size();
                return c;
            }
        }

        synchronized void remove(SenseCode code) {
            codes.remove(code);
            size = codes.size();
        }
    }

    /** Makes the nexus known; it sees conditions established from now on. Returns true if it was not known. */
    public boolean register(Nexus nexus) {
        return !pending.containsKey(nexus) && pending.putIfAbsent(nexus, new Pending()) == null;
    }

    /**
     * Makes the nexus known with {@code firstCondition} already pending, atomically: no command of the nexus can run
     * between the two. Returns true if the nexus was not known (and the condition was established).
     */
    public boolean register(Nexus nexus, SenseCode firstCondition) {
        checkUnitAttention(firstCondition);
        if (pending.containsKey(nexus)) {
            return false;
        }
        Pending p = new Pending();
        p.add(firstCondition);
        return pending.putIfAbsent(nexus, p) == null;
    }

    /** The I_T nexus is gone (session closed): forget its conditions. */
    public void forget(Nexus nexus) {
        pending.remove(nexus);
    }

    /** Every known I_T nexus (a live view). */
    public Set<Nexus> nexuses() {
        return pending.keySet();
    }

    /** Establishes the condition for one nexus (making it known if it was not). */
    public void establish(Nexus nexus, SenseCode code) {
        checkUnitAttention(code);
        pending.computeIfAbsent(nexus, n -> new Pending()).add(code);
    }

    /** Establishes the condition for every known nexus except {@code except} (null: for all of them). */
    public void establishForAllExcept(Nexus except, SenseCode code) {
        establishFor(n -> !n.equals(except), code);
    }

    /** Establishes the condition for every known nexus the predicate selects. */
    public void establishFor(Predicate<Nexus> which, SenseCode code) {
        checkUnitAttention(code);
        for (Map.Entry<Nexus, Pending> e : pending.entrySet()) {
            if (which.test(e.getKey())) {
                e.getValue().add(code);
            }
        }
    }

    /** Removes and returns the oldest pending condition for the nexus, or null. */
    public SenseCode take(Nexus nexus) {
        Pending p = pending.get(nexus);
        return p == null ? null : p.poll();
    }

    /** True if a condition is pending for the nexus (not consumed). */
    public boolean isPending(Nexus nexus) {
        Pending p = pending.get(nexus);
        return p != null && p.size > 0;
    }

    /** Drops one pending condition of this code for the nexus, if present (e.g. superseded by a reset). */
    public void clear(Nexus nexus, SenseCode code) {
        Pending p = pending.get(nexus);
        if (p != null) {
            p.remove(code);
        }
    }

    private static void checkUnitAttention(SenseCode code) {
        if (code.key() != SenseKey.UNIT_ATTENTION) {
            throw new IllegalArgumentException(code + " is not a unit attention");
        }
    }
}
