package org.lunforge.scsi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The asymmetric logical unit access model (ALUA, SPC-4 5.16) of the target ports one or more logical units are
 * reached through: target port groups, each with an access state and the relative target port identifiers in it.
 * Every logical unit reached through the same ports shares one instance, so that a state change is seen on every
 * path and every logical unit reports the same groups (multipath software compares them).
 *
 * <p>Ports are assigned to groups when the model is built; a port not named there belongs to the first group, which
 * is how {@link #single()} holds every port. Ports become known when configured with {@link Builder#port} or when a
 * command first arrives through them ({@link #portSeen}); REPORT TARGET PORT GROUPS lists the known ones.
 *
 * <p>Concurrency: the groups are an immutable array replaced on each transition (copy on write). The hot path,
 * {@link #allActive()}, is one volatile read.
 */
public final class TargetPortGroups {
    // The configured layout: replaced together, under transitionLock, by reconfigure.
    private volatile boolean explicitTransitions;
    private volatile int implicitTransitionSeconds;
    /** Relative target port identifier to group id, as configured; immutable, replaced by reconfigure. */
    private volatile Map<Integer, Integer> assignedPorts;
    /** The group holding every port not assigned to another one. */
    private volatile int firstGroup;
    private final Map<Integer, TargetPort> knownPorts = new ConcurrentHashMap<>();
    private final List<Consumer<Nexus>> listeners = new CopyOnWriteArrayList<>();
    private final Object transitionLock = new Object();
    /** Sorted by id; replaced, never modified. */
    private volatile TargetPortGroup[] groups;
    /** True when every group is active/optimized or active/non-optimized: no command is refused for ALUA. */
    private volatile boolean allActive;

    private TargetPortGroups(Builder b) {
        this.explicitTransitions = b.explicitTransitions;
        this.implicitTransitionSeconds = b.implicitTransitionSeconds;
        this.assignedPorts = Map.copyOf(b.assignedPorts);
        this.firstGroup = b.groups.keySet().iterator().next();
        TargetPortGroup[] sorted = b.groups.values().toArray(TargetPortGroup[]::new);
        Arrays.sort(sorted, (x, y) -> Integer.compare(x.id(), y.id()));
        publish(sorted);
        for (TargetPort p : b.ports) {
            knownPorts.put(p.relativeId(), p);
        }
    }

    /** One group (id 1) holding every port, active/optimized and preferred; implicit and explicit transitions. */
    public static TargetPortGroups single() {
        return builder().group(1, AsymmetricAccessState.ACTIVE_OPTIMIZED, true).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True if no port is in a state that refuses commands: the access check has nothing to do. */
    public boolean allActive() {
        return allActive;
    }

    /** SET TARGET PORT GROUPS is supported (TPGS bit 1 of standard INQUIRY data). Implicit transitions always are. */
    public boolean explicitTransitions() {
        return explicitTransitions;
    }

    /** The TPGS field of standard INQUIRY data (SPC-4 6.6.2): 01b implicit only, 11b implicit and explicit. */
    public int tpgs() {
        return explicitTransitions ? 0b11 : 0b01;
    }

    /** The IMPLICIT TRANSITION TIME of the extended header format (seconds, 0: unspecified). */
    public int implicitTransitionSeconds() {
        return implicitTransitionSeconds;
    }

    /** The groups, ascending by id. */
    public List<TargetPortGroup> groups() {
        return List.of(groups);
    }

    /** The group a target port belongs to. */
    public TargetPortGroup groupOf(int relativeTargetPortId) {
        TargetPortGroup[] now = groups;
        TargetPortGroup g = find(now, assignedPorts.getOrDefault(relativeTargetPortId, firstGroup));
        // Null only while reconfigure swaps the layout under this read: the first group is as good an answer.
        return g != null ? g : now[0];
    }

    /** The access state of the port a command arrived through. */
    public AsymmetricAccessState accessState(TargetPort port) {
        return allActive ? AsymmetricAccessState.ACTIVE_OPTIMIZED : groupOf(port.relativeId()).state();
    }

    /** The known relative target port identifiers of a group, ascending. */
    public int[] portsOf(int groupId) {
        TreeSet<Integer> ids = new TreeSet<>();
        for (Map.Entry<Integer, Integer> e : assignedPorts.entrySet()) {
            if (e.getValue() == groupId) {
                ids.add(e.getKey());
            }
        }
        if (groupId == firstGroup) {
            for (int id : knownPorts.keySet()) {
                if (!assignedPorts.containsKey(id)) {
                    ids.add(id);
                }
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Every known target port, configured or seen. */
    public Collection<TargetPort> knownPorts() {
        return List.copyOf(knownPorts.values());
    }

    /** The known target port with this relative identifier, or null. */
    public TargetPort port(int relativeTargetPortId) {
        return knownPorts.get(relativeTargetPortId);
    }

    /** A command arrived through this port: it becomes known (REPORT TARGET PORT GROUPS, REGISTER AND MOVE). */
    public void portSeen(TargetPort port) {
        knownPorts.putIfAbsent(port.relativeId(), port);
    }

    /**
     * An implicit transition (SPC-4 5.16.2.6): the target itself, or its administrator, changes a group's state.
     * Every logical unit sharing this model establishes ASYMMETRIC ACCESS STATE CHANGED for every I_T nexus.
     */
    public void setAccessState(int groupId, AsymmetricAccessState state) {
        transition(Map.of(groupId, state), TargetPortGroup.ALTERED_BY_IMPLICIT_TRANSITION, null);
    }

    /**
     * An explicit transition (SET TARGET PORT GROUPS, SPC-4 6.45): every named group takes its new state at once.
     * The unit attention goes to every I_T nexus except {@code requestedBy}.
     *
     * @throws IllegalArgumentException if a group id is unknown; then nothing changes
     */
    public void setAccessStates(Map<Integer, AsymmetricAccessState> states, Nexus requestedBy) {
        for (int id : states.keySet()) {
            if (find(groups, id) == null) {
                throw new IllegalArgumentException("unknown target port groups " + id);
            }
        }
        Coordinator c = coordinator;
        transition(c != null ? c.propose(states) : states, TargetPortGroup.ALTERED_BY_SET_TARGET_PORT_GROUPS,
                requestedBy);
    }

    /**
     * Where SET TARGET PORT GROUPS goes first when several nodes serve these groups: the states become the
     * cluster's before this node takes them (and the other nodes {@link #adopt} them).
     */
    public interface Coordinator {
        /**
         * Makes the states every node's; returns the states this node takes now, among the groups it knows (the
         * cluster may change unnamed groups too, as SPC-4 5.16.2.4 lets a device server do, or hold a state back
         * until it is this node's to report). Throws a {@link CheckCondition} if the cluster could not be told.
         */
        Map<Integer, AsymmetricAccessState> propose(Map<Integer, AsymmetricAccessState> states);
    }

    private volatile Coordinator coordinator;

    public void coordinate(Coordinator c) {
        this.coordinator = c;
    }

    /**
     * States decided elsewhere (another node, or this node's cluster role): an implicit transition of the groups
     * whose state differs; groups this node does not know are ignored. Nothing happens and nobody is told when no
     * state differs.
     *
     * @return true if a state changed
     */
    public boolean adopt(Map<Integer, AsymmetricAccessState> states) {
        Map<Integer, AsymmetricAccessState> changed = new HashMap<>();
        synchronized (transitionLock) {
            for (TargetPortGroup g : groups) {
                AsymmetricAccessState s = states.get(g.id());
                if (s != null && s != g.state()) {
                    changed.put(g.id(), s);
                }
            }
        }
        if (changed.isEmpty()) {
            return false;
        }
        transition(changed, TargetPortGroup.ALTERED_BY_IMPLICIT_TRANSITION, null);
        return true;
    }

    /**
     * Takes over the groups, port assignments and options of {@code next} (the administrator changed the
     * configuration); ports already known stay known. If a group appeared, went away, or changed its state, preference
     * or ports, that is an implicit transition (SPC-4 5.16.2.6): the groups whose state changed say so in their status
     * code, and every logical unit sharing this model establishes ASYMMETRIC ACCESS STATE CHANGED for every I_T nexus.
     * An equal layout changes nothing and tells nobody.
     */
    public void reconfigure(TargetPortGroups next) {
        synchronized (transitionLock) {
            if (sameLayout(next)) {
                return;
            }
            TargetPortGroup[] adopted = next.groups.clone();
            for (int i = 0; i < adopted.length; i++) {
                TargetPortGroup before = find(groups, adopted[i].id());
                if (before != null && before.state() != adopted[i].state()) {
                    adopted[i] = adopted[i].withState(adopted[i].state(),
                            TargetPortGroup.ALTERED_BY_IMPLICIT_TRANSITION);
                }
            }
            explicitTransitions = next.explicitTransitions;
            implicitTransitionSeconds = next.implicitTransitionSeconds;
            assignedPorts = next.assignedPorts;
            firstGroup = next.firstGroup;
            next.knownPorts.forEach(knownPorts::putIfAbsent);
            publish(adopted);
        }
        for (Consumer<Nexus> l : listeners) {
            l.accept(null);
        }
    }

    /** The same groups (ids, states, preference), port assignments and options; status codes do not count. */
    public boolean sameLayout(TargetPortGroups other) {
        return explicitTransitions == other.explicitTransitions
                && implicitTransitionSeconds == other.implicitTransitionSeconds
                && assignedPorts.equals(other.assignedPorts) && firstGroup == other.firstGroup
                && sameGroups(groups, other.groups);
    }

    /** Same ids, states and preference, in the same order; status codes do not count. */
    private static boolean sameGroups(TargetPortGroup[] a, TargetPortGroup[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i].id() != b[i].id() || a[i].state() != b[i].state() || a[i].preferred() != b[i].preferred()) {
                return false;
            }
        }
        return true;
    }

    private static TargetPortGroup find(TargetPortGroup[] in, int id) {
        for (TargetPortGroup g : in) {
            if (g.id() == id) {
                return g;
            }
        }
        return null;
    }

    private void transition(Map<Integer, AsymmetricAccessState> states, int statusCode, Nexus requestedBy) {
        synchronized (transitionLock) {
            TargetPortGroup[] next = groups.clone();
            Map<Integer, AsymmetricAccessState> pending = new HashMap<>(states);
            for (int i = 0; i < next.length; i++) {
                AsymmetricAccessState s = pending.remove(next[i].id());
                if (s != null) {
                    next[i] = next[i].withState(Objects.requireNonNull(s, "state"), statusCode);
                }
            }
            if (!pending.isEmpty()) {
                throw new IllegalArgumentException("unknown target port groups " + pending.keySet());
            }
            publish(next);
        }
        for (Consumer<Nexus> l : listeners) {
            l.accept(requestedBy);
        }
    }

    private void publish(TargetPortGroup[] next) {
        boolean active = true;
        for (TargetPortGroup g : next) {
            active &= g.state().active();
        }
        groups = next;
        allActive = active;
    }

    /** Called after every transition with the nexus that requested it (null for an implicit one). */
    public void addListener(Consumer<Nexus> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public void removeListener(Consumer<Nexus> listener) {
        listeners.remove(listener);
    }

    @Override
    public String toString() {
        return "TargetPortGroups" + Arrays.toString(groups);
    }

    /** Builds a model; the first group named also holds every port not assigned to a group. */
    public static final class Builder {
        private final Map<Integer, TargetPortGroup> groups = new LinkedHashMap<>();
        private final Map<Integer, Integer> assignedPorts = new HashMap<>();
        private final List<TargetPort> ports = new ArrayList<>();
        private boolean explicitTransitions = true;
        private int implicitTransitionSeconds;

        private Builder() {
        }

        public Builder group(int id, AsymmetricAccessState state, boolean preferred, int... relativeTargetPortIds) {
            if (groups.putIfAbsent(id, new TargetPortGroup(id, state, preferred, TargetPortGroup.NO_STATUS)) != null) {
                throw new IllegalArgumentException("target port group " + id + " listed twice");
            }
            for (int port : relativeTargetPortIds) {
                if (port < 1 || port > 0xFFFF || assignedPorts.putIfAbsent(port, id) != null) {
                    throw new IllegalArgumentException("target port " + port + " invalid or in two groups");
                }
            }
            return this;
        }

        /** A port known before any command arrives through it. */
        public Builder port(TargetPort port) {
            ports.add(Objects.requireNonNull(port));
            return this;
        }

        public Builder explicitTransitions(boolean explicit) {
            this.explicitTransitions = explicit;
            return this;
        }

        public Builder implicitTransitionSeconds(int seconds) {
            if (seconds < 0 || seconds > 0xFF) {
                throw new IllegalArgumentException("implicit transition time " + seconds);
            }
            this.implicitTransitionSeconds = seconds;
            return this;
        }

        public TargetPortGroups build() {
            if (groups.isEmpty()) {
                throw new IllegalArgumentException("at least one target port group");
            }
            return new TargetPortGroups(this);
        }
    }
}
