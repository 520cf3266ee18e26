package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.AsymmetricAccessState.ACTIVE_OPTIMIZED;
import static org.lunforge.scsi.AsymmetricAccessState.STANDBY;
import static org.lunforge.scsi.AsymmetricAccessState.TRANSITIONING;
import static org.lunforge.scsi.AsymmetricAccessState.UNAVAILABLE;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SharedState;
import org.lunforge.scsi.TargetPortGroup;
import org.lunforge.scsi.TargetPortGroups;

/**
 * ClusterAlua's state machine over a fake lease (one value and one lease that the test's nodes share, as the rbd
 * image's RADOS object is for real nodes): lease held → active/optimized, lease lost → transitioning, fenced →
 * unavailable, implicit takeover after a lapse, rejoin as standby. Steps run one at a time, by the test; the real
 * proof (two lunforged nodes on a real Ceph cluster) is bin/check cluster.
 */
class ClusterAluaTest {
    /** What real nodes keep in RADOS: the ALUA value, the lease's holder, the nodes blocklisted. */
    static final class FakeCluster {
        byte[] value;
        String holder;
        /** The holder that let the lease lapse: taking over with fencing blocklists it. */
        String lapsed;
        final Set<String> fenced = ConcurrentHashMap.newKeySet();
        /** Nodes cut off from the cluster: their calls return ETIMEDOUT (rados_osd_op_timeout). */
        final Set<String> timingOut = ConcurrentHashMap.newKeySet();
        final Map<String, SharedState.Listener> listeners = new ConcurrentHashMap<>();
        final List<String> log = new ArrayList<>();

        /** The holder dies or stops: its lease runs out. */
        synchronized void lapse() {
            lapsed = holder;
            holder = null;
        }

        synchronized Map<Integer, AsymmetricAccessState> states() {
            return ClusterAlua.decode(value);
        }

        SharedState node(String name) {
            return new SharedState() {
                @Override
                public byte[] read() throws IOException {
                    check();
                    synchronized (FakeCluster.this) {
                        return value;
                    }
                }

                @Override
                public long update(Function<byte[], Change> change) throws IOException {
                    check();
                    byte[] next;
                    synchronized (FakeCluster.this) {
                        Change c = change.apply(value);
                        if (c == null) {
                            return -1;
                        }
                        value = next = c.value();
                        log.add(name + " stored " + new String(next));
                    }
                    listeners.forEach((other, l) -> {
                        if (!other.equals(name)) {
                            l.changed(0, next, new byte[0]);
                        }
                    });
                    return 0;
                }

                @Override
                public void listen(Listener listener) {
                    listeners.put(name, listener);
                }

                @Override
                public boolean holdLease(int seconds, boolean fence) throws IOException {
                    check();
                    synchronized (FakeCluster.this) {
                        if (holder != null && !holder.equals(name)) {
                            return false;
                        }
                        if (holder == null && lapsed != null && !lapsed.equals(name)) {
                            if (!fence) {
                                return false; // the lapsed holder is not known to have given up
                            }
                            fenced.add(lapsed);
                            log.add(name + " fenced " + lapsed);
                        }
                        lapsed = null;
                        holder = name;
                        return true;
                    }
                }

                @Override
                public boolean leaseHeld() throws IOException {
                    check();
                    synchronized (FakeCluster.this) {
                        return holder != null;
                    }
                }

                @Override
                public void dropLease() throws IOException {
                    check();
                    synchronized (FakeCluster.this) {
                        if (name.equals(holder)) {
                            holder = null;
                        }
                    }
                }

                private void check() throws IOException {
                    if (fenced.contains(name)) {
                        throw new IOException(name + ": client blocklisted");
                    }
                    if (timingOut.contains(name)) {
                        throw new IOException(name + ": Connection timed out");
                    }
                }
            };
        }
    }

    static TargetPortGroups groups() {
        return TargetPortGroups.builder().group(1, STANDBY, false, 1).group(2, STANDBY, false, 2).build();
    }

    static Map<Integer, AsymmetricAccessState> states(TargetPortGroups g) {
        Map<Integer, AsymmetricAccessState> m = new TreeMap<>();
        for (TargetPortGroup group : g.groups()) {
            m.put(group.id(), group.state());
        }
        return m;
    }

    final FakeCluster cluster = new FakeCluster();
    final AtomicLong clock = new AtomicLong();
    final TargetPortGroups groupsA = groups();
    final TargetPortGroups groupsB = groups();

    ClusterAlua node(String name, TargetPortGroups g, int group) throws IOException {
        ClusterAlua alua = new ClusterAlua(g, cluster.node(name), group, false, 5, name, clock::get);
        assertTrue(alua.enroll(), "active/standby: a lease loop");
        return alua;
    }

    /** Waits until the shared value says {@code expected} (a takeover stores it off the lease loop). */
    void awaitShared(Map<Integer, AsymmetricAccessState> expected) throws InterruptedException {
        for (int i = 0; i < 500 && !expected.equals(cluster.states()); i++) {
            Thread.sleep(10);
        }
        assertEquals(expected, cluster.states(), () -> "shared value; " + cluster.log);
    }

    /** Node a takes the free lease at its second look and is active/optimized; b, enrolled after, stays standby. */
    ClusterAlua[] aHoldsTheLease() throws Exception {
        ClusterAlua a = node("a", groupsA, 1);
        assertEquals(Map.of(1, STANDBY, 2, STANDBY), states(groupsA), "standby until the lease is ours");
        a.step();
        assertEquals(STANDBY, states(groupsA).get(1), "one free look is not enough");
        a.step();
        assertEquals(Map.of(1, ACTIVE_OPTIMIZED, 2, STANDBY), states(groupsA));
        awaitShared(Map.of(1, ACTIVE_OPTIMIZED, 2, STANDBY));
        ClusterAlua b = node("b", groupsB, 2);
        b.step();
        b.step();
        b.step();
        assertEquals(Map.of(1, ACTIVE_OPTIMIZED, 2, STANDBY), states(groupsB), "the lease is held: b stays standby");
        assertEquals("a", cluster.holder);
        return new ClusterAlua[] {a, b};
    }

    @Test
    void leaseHeldIsActiveOptimizedEverywhere() throws Exception {
        ClusterAlua[] nodes = aHoldsTheLease();
        nodes[0].step(); // a renewal changes nothing
        assertEquals(Map.of(1, ACTIVE_OPTIMIZED, 2, STANDBY), states(groupsA));
        assertTrue(cluster.fenced.isEmpty());
    }

    @Test
    void leaseTakenByAnotherIsTransitioning() throws Exception {
        ClusterAlua a = aHoldsTheLease()[0];
        synchronized (cluster) {
            cluster.holder = "b"; // a's lease lapsed while it was paused, and b took it
        }
        a.step();
        assertEquals(TRANSITIONING, states(groupsA).get(1));
    }

    /** A node cut off from the cluster: its renewals time out; once its lease may have lapsed it is transitioning. */
    @Test
    void renewalsFailingLongerThanTheLeaseIsTransitioning() throws Exception {
        ClusterAlua a = aHoldsTheLease()[0];
        cluster.timingOut.add("a");
        clock.addAndGet(4_000_000_000L);
        a.step();
        assertEquals(ACTIVE_OPTIMIZED, states(groupsA).get(1), "4 s since the last renewal: the 5 s lease holds");
        clock.addAndGet(1_000_000_000L);
        a.step();
        assertEquals(TRANSITIONING, states(groupsA).get(1), "5 s: another node may be taking over");
    }

    @Test
    void aFencedNodeIsUnavailableAndRefusesSetTargetPortGroups() throws Exception {
        ClusterAlua a = aHoldsTheLease()[0];
        cluster.fenced.add("a");
        a.step();
        assertEquals(UNAVAILABLE, states(groupsA).get(1));
        CheckCondition refused = assertThrows(CheckCondition.class,
                () -> groupsA.setAccessStates(Map.of(1, ACTIVE_OPTIMIZED), null));
        assertEquals(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE, refused.sense().code());
        a.step();
        assertEquals(UNAVAILABLE, states(groupsA).get(1), "fenced until restarted");
    }

    @Test
    void implicitTakeoverFencesTheLapsedHolderFirstAndRejoinIsStandby() throws Exception {
        ClusterAlua b = aHoldsTheLease()[1];
        cluster.lapse(); // a dies: its lease runs out, its steps stop
        b.step();
        assertEquals(STANDBY, states(groupsB).get(2), "one free look is not enough");
        b.step();
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), states(groupsB));
        assertEquals(Set.of("a"), cluster.fenced, "the lapsed holder is fenced before b takes over");
        assertTrue(cluster.log.indexOf("b fenced a") >= 0, () -> cluster.log.toString());
        awaitShared(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED));

        // a restarts: a new client, no longer blocklisted, learns the new state and stays standby.
        cluster.fenced.remove("a");
        TargetPortGroups restarted = groups();
        ClusterAlua again = node("a", restarted, 1);
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), states(restarted));
        again.step();
        again.step();
        again.step();
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), states(restarted), "rejoined as standby");
        assertEquals("b", cluster.holder);
    }

    @Test
    void setTargetPortGroupsHandsTheLeaseOverWithoutFencing() throws Exception {
        ClusterAlua[] nodes = aHoldsTheLease();
        groupsB.setAccessStates(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), null);
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), cluster.states());
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), states(groupsA), "a learned it at once");
        nodes[0].step(); // a gives the lease up
        nodes[1].step(); // b, designated, takes it
        assertEquals("b", cluster.holder);
        assertEquals(ACTIVE_OPTIMIZED, states(groupsB).get(2));
        assertTrue(cluster.fenced.isEmpty(), "a handover fences nobody");
    }

    @Test
    void setTargetPortGroupsNamingOneGroupLeavesOneActiveOptimized() throws Exception {
        ClusterAlua[] nodes = aHoldsTheLease();
        // Linux's ALUA handler names only the group it wants active/optimized.
        groupsB.setAccessStates(Map.of(2, ACTIVE_OPTIMIZED), null);
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), cluster.states(), "the other group made standby");
        assertEquals(TRANSITIONING, states(groupsB).get(2), "b reports its group active only with the lease");
        assertEquals(STANDBY, states(groupsA).get(1));
        nodes[1].step(); // a still holds the lease: b waits
        assertEquals(TRANSITIONING, states(groupsB).get(2));
        nodes[0].step(); // a gives the lease up
        nodes[1].step(); // b takes it, unfenced
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), states(groupsB));
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), states(groupsA));
        assertEquals("b", cluster.holder);
        assertTrue(cluster.fenced.isEmpty());
    }

    @Test
    void aFreshImageTakesTheConfiguredStatesWhenTheyNameOneActiveGroup() throws Exception {
        TargetPortGroups configuredB = TargetPortGroups.builder()
                .group(1, STANDBY, false, 1).group(2, ACTIVE_OPTIMIZED, false, 2).build();
        ClusterAlua b = node("b", configuredB, 2);
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), cluster.states(), "seeded from b's configuration");
        assertEquals(STANDBY, states(configuredB).get(2), "standby until the lease is b's");
        b.step(); // designated: the free lease at the first look
        assertEquals("b", cluster.holder);
        assertEquals(ACTIVE_OPTIMIZED, states(configuredB).get(2));
        // A node configured otherwise, enrolling later, keeps what the cluster says.
        TargetPortGroups configuredA = TargetPortGroups.builder()
                .group(1, ACTIVE_OPTIMIZED, false, 1).group(2, STANDBY, false, 2).build();
        node("a", configuredA, 1);
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), cluster.states());
        assertEquals(Map.of(1, STANDBY, 2, ACTIVE_OPTIMIZED), states(configuredA));
    }
}
