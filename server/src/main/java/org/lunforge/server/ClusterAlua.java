package org.lunforge.server;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SharedState;
import org.lunforge.scsi.TargetPortGroup;
import org.lunforge.scsi.TargetPortGroups;

/**
 * This node's part in the ALUA of a cluster (SPC-4 5.16, implicit and explicit transitions): the access state of
 * every node's target port group is one value shared through the rbd image's RADOS object, and which node is
 * active/optimized is decided by Ceph's own lease, an exclusive lock with a duration on that object.
 *
 * <ul>
 *   <li>The node whose group the shared value makes active/optimized holds the lease and renews it every
 *       {@link #POLL_MILLIS}. The others watch the lease; when it has had no holder at two looks in a row (its node
 *       died, stopped or lost the cluster), one of them takes it, which blocklists the lapsed holder first (so none
 *       of its held writes reaches the image), reports active/optimized at once with ASYMMETRIC ACCESS STATE
 *       CHANGED, and then makes that the shared value (the other nodes report it too, having acknowledged).</li>
 *   <li>A node that cannot renew its lease before it lapses reports its group transitioning, and unavailable once
 *       it knows it is fenced: it then answers no command that touches the medium until restarted, when it rejoins
 *       with the state it reads.</li>
 *   <li>SET TARGET PORT GROUPS through any node changes the shared value first ({@link #propose}); a node whose group
 *       is no longer active/optimized gives up the lease, and the designated one takes it without fencing.</li>
 *   <li>Active/active: every group active/optimized, no lease.</li>
 * </ul>
 *
 * <p>Shared value: "id=STATE" pairs, comma-separated, in UTF-8 (readable with {@code rados get}).
 */
final class ClusterAlua implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterAlua.class.getName());
    static final long POLL_MILLIS = 1000;

    private final TargetPortGroups groups;
    private final SharedState shared;
    private final int ownGroup;
    private final boolean activeActive;
    private final int leaseSeconds;
    private final String name;
    /** System.nanoTime, or a test's clock: when the lease was last renewed, measured against its duration. */
    private final LongSupplier nanoTime;
    /** The shared value last read or learned. */
    private volatile Map<Integer, AsymmetricAccessState> cluster = Map.of();
    private volatile boolean closed;
    /** This client was blocklisted: nothing it sends reaches the cluster until the daemon restarts. */
    private volatile boolean fenced;
    private volatile boolean holding;
    private long lastRenewed;
    private int freeLooks;
    private Thread loop;

    ClusterAlua(TargetPortGroups groups, SharedState shared, int ownGroup, boolean activeActive, int leaseSeconds,
                String name) {
        this(groups, shared, ownGroup, activeActive, leaseSeconds, name, System::nanoTime);
    }

    ClusterAlua(TargetPortGroups groups, SharedState shared, int ownGroup, boolean activeActive, int leaseSeconds,
                String name, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.groups = groups;
        this.shared = shared;
        this.ownGroup = ownGroup;
        this.activeActive = activeActive;
        this.leaseSeconds = leaseSeconds == 0 ? 5 : leaseSeconds;
        this.name = name;
    }

    /** Joins the cluster's ALUA and, unless active/active, looks at the lease every {@link #POLL_MILLIS} from now on. */
    void start() throws IOException {
        if (enroll()) {
            loop = Thread.ofVirtual().name("cluster-alua").start(this::run);
        }
    }

    /**
     * Reads the shared value and listens for its changes; adopts every group active/optimized (active/active, and
     * returns false: there is no lease), or the shared value with this node's own group standby until it holds the
     * lease (and returns true: {@link #step} is to run).
     */
    boolean enroll() throws IOException {
        shared.listen((version, value, notice) -> learned(decode(value)));
        cluster = decode(shared.read());
        if (cluster.isEmpty() && !activeActive) {
            seed();
        }
        groups.coordinate(this::propose);
        if (activeActive) {
            Map<Integer, AsymmetricAccessState> all = new TreeMap<>();
            for (TargetPortGroup g : groups.groups()) {
                all.put(g.id(), AsymmetricAccessState.ACTIVE_OPTIMIZED);
            }
            if (!all.equals(cluster)) {
                store(all);
            }
            groups.adopt(all);
            LOG.log(INFO, () -> name + ": active/active, every group active/optimized");
            return false;
        }
        // Until this node holds the lease its own group is standby, whatever the shared value says of it.
        Map<Integer, AsymmetricAccessState> local = new HashMap<>(cluster);
        local.put(ownGroup, AsymmetricAccessState.STANDBY);
        groups.adopt(local);
        return true;
    }

    /**
     * A fresh image has no shared value: the configured states become it when they name exactly one group
     * active/optimized (the node serving it then takes the free lease at its first look, the others only after two);
     * otherwise (every group active/optimized, the configuration's default) the first node to look twice takes it.
     * Guarded: a value another node stored meanwhile stays.
     */
    private void seed() throws IOException {
        Map<Integer, AsymmetricAccessState> configured = new TreeMap<>();
        for (TargetPortGroup g : groups.groups()) {
            configured.put(g.id(), g.state());
        }
        if (configured.values().stream().filter(s -> s == AsymmetricAccessState.ACTIVE_OPTIMIZED).count() != 1) {
            return;
        }
        long stored = shared.update(current -> decode(current).isEmpty()
                ? new SharedState.Change(encode(configured), new byte[0]) : null);
        cluster = stored >= 0 ? configured : decode(shared.read());
        String whose = stored >= 0 ? "a fresh image; configured here" : "another node stored them first";
        LOG.log(INFO, () -> name + ": the cluster's ALUA states: " + cluster + " (" + whose + ")");
    }

    private void run() {
        while (!closed) {
            try {
                step();
            } catch (RuntimeException e) {
                LOG.log(WARNING, () -> name + ": cluster ALUA step failed", e);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One look at the lease: renew or take it, or notice it is lost. */
    void step() {
        if (fenced) {
            return;
        }
        boolean designated = cluster.get(ownGroup) == AsymmetricAccessState.ACTIVE_OPTIMIZED;
        try {
            if (holding && !designated) { // SET TARGET PORT GROUPS moved the active group elsewhere
                shared.dropLease();
                holding = false;
                return;
            }
            boolean held;
            if (designated || holding) {
                held = shared.holdLease(leaseSeconds, !designated);
            } else {
                freeLooks = shared.leaseHeld() ? 0 : freeLooks + 1;
                held = freeLooks >= 2 && shared.holdLease(leaseSeconds, true);
            }
            // The shared value may have changed during the call (SET TARGET PORT GROUPS through another node).
            boolean designatedNow = cluster.get(ownGroup) == AsymmetricAccessState.ACTIVE_OPTIMIZED;
            if (held) {
                lastRenewed = nanoTime.getAsLong();
                if (designated && !designatedNow) {
                    shared.dropLease(); // the active group moved elsewhere: hand the lease over, unfenced
                    holding = false;
                } else if (!holding) {
                    holding = true;
                    takeOver();
                } else if (ownState() != AsymmetricAccessState.ACTIVE_OPTIMIZED) {
                    groups.adopt(Map.of(ownGroup, AsymmetricAccessState.ACTIVE_OPTIMIZED));
                }
            } else if (holding || ownState() == AsymmetricAccessState.ACTIVE_OPTIMIZED && !designatedNow) {
                holding = false;
                LOG.log(WARNING, () -> name + ": another node holds the lease: this node is no longer active");
                groups.adopt(Map.of(ownGroup, AsymmetricAccessState.TRANSITIONING));
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("blocklisted")) {
                fenced = true;
                holding = false;
                LOG.log(WARNING, () -> name + ": this node has been fenced (blocklisted): its ports are unavailable"
                        + " until lunforged restarts and rejoins");
                groups.adopt(Map.of(ownGroup, AsymmetricAccessState.UNAVAILABLE));
                return;
            }
            LOG.log(WARNING, () -> name + ": the lease could not be renewed: " + e.getMessage());
            if (holding && nanoTime.getAsLong() - lastRenewed >= leaseSeconds * 1_000_000_000L) {
                holding = false; // the lease may have lapsed: another node may be taking over
                groups.adopt(Map.of(ownGroup, AsymmetricAccessState.TRANSITIONING));
            }
        }
    }

    /** This node holds the lease: its group active/optimized here at once, then in the shared value. */
    private void takeOver() throws IOException {
        Map<Integer, AsymmetricAccessState> next = new TreeMap<>();
        for (TargetPortGroup g : groups.groups()) {
            next.put(g.id(), g.id() == ownGroup ? AsymmetricAccessState.ACTIVE_OPTIMIZED
                    : AsymmetricAccessState.STANDBY);
        }
        for (Map.Entry<Integer, AsymmetricAccessState> e : cluster.entrySet()) {
            next.putIfAbsent(e.getKey(), AsymmetricAccessState.STANDBY);
        }
        groups.adopt(next);
        LOG.log(INFO, () -> name + ": target port group " + ownGroup + " active/optimized (this node holds the lease)");
        if (!next.equals(cluster)) {
            // Off the lease loop: telling the other nodes waits for a dead one's watch to time out, which must not
            // delay the renewals.
            Thread.ofVirtual().name("cluster-alua-store").start(() -> {
                try {
                    store(next);
                } catch (IOException e) {
                    LOG.log(WARNING, () -> name + ": the new ALUA states could not be shared: " + e.getMessage());
                }
            });
        }
    }

    /** Another node changed the shared value (already fenced nodes learn nothing). */
    private void learned(Map<Integer, AsymmetricAccessState> states) {
        cluster = states;
        if (fenced || activeActive) {
            return;
        }
        Map<Integer, AsymmetricAccessState> local = new HashMap<>(states);
        if (states.get(ownGroup) == AsymmetricAccessState.ACTIVE_OPTIMIZED && !holding) {
            local.put(ownGroup, AsymmetricAccessState.TRANSITIONING); // until the lease is ours
        }
        groups.adopt(local);
    }

    /**
     * SET TARGET PORT GROUPS through this node: the shared value first. Active/standby keeps one group
     * active/optimized: naming one group active/optimized (as Linux's ALUA handler does, naming only the group it
     * wants) makes every other active/optimized group standby, an implicit transition SPC-4 5.16.2.4 allows for groups
     * the command does not name. This node reports its own group active/optimized only once it holds the lease
     * (transitioning until then), so two nodes never both report it.
     */
    private Map<Integer, AsymmetricAccessState> propose(Map<Integer, AsymmetricAccessState> states) {
        if (fenced) {
            throw new CheckCondition(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE);
        }
        try {
            shared.update(current -> new SharedState.Change(encode(proposed(decode(current), states)), new byte[0]));
            Map<Integer, AsymmetricAccessState> next = proposed(cluster, states);
            cluster = next;
            Map<Integer, AsymmetricAccessState> local = new TreeMap<>();
            for (TargetPortGroup g : groups.groups()) {
                AsymmetricAccessState s = next.get(g.id());
                if (s != null) {
                    local.put(g.id(), g.id() == ownGroup && s == AsymmetricAccessState.ACTIVE_OPTIMIZED
                            && !holding && !activeActive ? AsymmetricAccessState.TRANSITIONING : s);
                }
            }
            return local;
        } catch (IOException e) {
            LOG.log(WARNING, () -> name + ": SET TARGET PORT GROUPS could not reach the cluster", e);
            throw new CheckCondition(SenseCode.ABORTED_COMMAND_LOGICAL_UNIT_COMMUNICATION_FAILURE);
        }
    }

    /** The shared value after a SET TARGET PORT GROUPS asking for {@code states}: see {@link #propose}. */
    private Map<Integer, AsymmetricAccessState> proposed(Map<Integer, AsymmetricAccessState> current,
                                                         Map<Integer, AsymmetricAccessState> states) {
        Map<Integer, AsymmetricAccessState> next = new TreeMap<>(current);
        if (!activeActive && states.containsValue(AsymmetricAccessState.ACTIVE_OPTIMIZED)) {
            next.replaceAll((id, s) -> s == AsymmetricAccessState.ACTIVE_OPTIMIZED && !states.containsKey(id)
                    ? AsymmetricAccessState.STANDBY : s);
        }
        next.putAll(states);
        return next;
    }

    private AsymmetricAccessState ownState() {
        for (TargetPortGroup g : groups.groups()) {
            if (g.id() == ownGroup) {
                return g.state();
            }
        }
        return null;
    }

    private void store(Map<Integer, AsymmetricAccessState> states) throws IOException {
        shared.update(current -> new SharedState.Change(encode(states), new byte[0]));
        cluster = states;
    }

    static byte[] encode(Map<Integer, AsymmetricAccessState> states) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(states).forEach((id, s) -> b.append(b.isEmpty() ? "" : ",").append(id).append('=').append(s));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Map<Integer, AsymmetricAccessState> decode(byte[] value) {
        Map<Integer, AsymmetricAccessState> states = new TreeMap<>();
        if (value == null || value.length == 0) {
            return states;
        }
        for (String pair : new String(value, StandardCharsets.UTF_8).split(",")) {
            int eq = pair.indexOf('=');
            try {
                states.put(Integer.parseInt(pair.substring(0, eq)), AsymmetricAccessState.valueOf(pair.substring(eq + 1)));
            } catch (RuntimeException e) {
                LOG.log(WARNING, () -> "ignoring a malformed ALUA state: " + pair);
            }
        }
        return states;
    }

    @Override
    public void close() {
        closed = true;
        groups.coordinate(null);
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (holding) {
            try {
                shared.dropLease(); // a clean stop hands over at once, without fencing
            } catch (IOException e) {
                LOG.log(WARNING, () -> name + ": giving the lease up: " + e.getMessage());
            }
        }
    }
}
