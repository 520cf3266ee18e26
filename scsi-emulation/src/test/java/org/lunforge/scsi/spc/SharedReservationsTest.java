package org.lunforge.scsi.spc;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;
import static org.lunforge.scsi.spc.Pr.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SharedState;
import org.lunforge.scsi.StateStore;
import org.lunforge.scsi.TargetPortGroups;

/**
 * Two nodes serving one logical unit through a shared reservation value: what one node's initiators do holds for the
 * other's. The shared store here is a fake of the RADOS object's rules (a version per change, a guarded write, every
 * other node told before the change returns); the real one is proved on a Ceph cluster by conformance/ceph/run.
 */
class SharedReservationsTest {
    private static final long K1 = 0x1111, K2 = 0x2222;

    /** The shared object: a value, its version, and each node's listener. */
    static final class FakeObject {
        byte[] value;
        long version;
        final List<SharedState.Listener> listeners = new ArrayList<>();
        /** Runs once between a node's read and its guarded write: another node's change winning the race. */
        Runnable interference;
        int lostRaces;

        StateStore node() {
            SharedState[] mine = new SharedState[1];
            mine[0] = new SharedState() {
                SharedState.Listener listener;

                @Override
                public byte[] read() {
                    return value;
                }

                @Override
                public long update(Function<byte[], Change> change) {
                    while (true) {
                        long read = version;
                        Change c = change.apply(value);
                        if (c == null) {
                            return -1;
                        }
                        Runnable r = interference;
                        interference = null;
                        if (r != null) {
                            r.run();
                        }
                        if (read != version) {
                            lostRaces++;
                            continue;
                        }
                        value = c.value();
                        long v = ++version;
                        for (SharedState.Listener l : listeners) {
                            if (l != listener) {
                                l.changed(v, c.value(), c.notice());
                            }
                        }
                        return v;
                    }
                }

                @Override
                public void listen(Listener l) {
                    listener = l;
                    listeners.add(l);
                }
            };
            StateStore local = StateStore.inMemory();
            return new StateStore() {
                @Override
                public byte[] load(String key) throws java.io.IOException {
                    return local.load(key);
                }

                @Override
                public void save(String key, byte[] v) throws java.io.IOException {
                    local.save(key, v);
                }

                @Override
                public boolean mayBlock() {
                    return false; // the tests run commands on their own thread
                }

                @Override
                public SharedState shared(String key) {
                    return PersistentReservations.STORE_KEY.equals(key) ? mine[0] : null;
                }
            };
        }
    }

    private final FakeObject object = new FakeObject();
    private final Harness nodeA = new Harness(new FakeDisk(), object.node(), TargetPortGroups.single());
    private final Harness nodeB = new Harness(new FakeDisk(), object.node(), TargetPortGroups.single());
    private final Pr prA = new Pr(nodeA);
    private final Pr prB = new Pr(nodeB);
    private final Nexus xOnA = nodeA.login(nexus("iqn.1994-05.com.redhat:x", 0x23D000000001L, PORT_1));
    private final Nexus yOnB = nodeB.login(nexus("iqn.1994-05.com.redhat:y", 0x23D000000002L, PORT_2));

    @Test
    void reservationThroughOneNodeConflictsThroughTheOther() {
        assertGood(prA.registerAndIgnore(xOnA, K1));
        assertGood(prA.reserve(xOnA, K1, WE));
        assertConflict(prB.write(yOnB));
        assertGood(prB.read(yOnB)); // WRITE EXCLUSIVE lets everyone read
        assertArrayEquals(new long[] {K1, WE}, prB.reservation(yOnB));
        assertEquals(List.of(K1), prB.keys(yOnB));
        assertGood(prA.out(xOnA, RELEASE, WE, K1, 0, 0));
        assertGood(prB.write(yOnB));
    }

    @Test
    void ofTwoNodesRacingToReserveOneWins() {
        assertGood(prA.registerAndIgnore(xOnA, K1));
        assertGood(prB.registerAndIgnore(yOnB, K2));
        // B reserves between A's read and A's write: A's write loses, A recomputes on B's value and conflicts.
        object.interference = () -> assertGood(prB.reserve(yOnB, K2, EA));
        assertConflict(prA.reserve(xOnA, K1, EA));
        assertEquals(1, object.lostRaces);
        assertArrayEquals(new long[] {K2, EA}, prA.reservation(xOnA));
        assertConflict(prA.write(xOnA));
        assertGood(prB.write(yOnB));
    }

    @Test
    void preemptThroughOneNodeRaisesUnitAttentionsOnTheOther() {
        assertGood(prA.registerAndIgnore(xOnA, K1));
        assertGood(prA.reserve(xOnA, K1, EA));
        assertGood(prB.registerAndIgnore(yOnB, K2));
        long g = prB.generation(yOnB);
        assertGood(prB.preempt(yOnB, K2, K1, EA));
        assertCheck(nodeA.run(xOnA, 0x00, 0, 0, 0, 0, 0), SenseCode.REGISTRATIONS_PREEMPTED);
        assertEquals(g + 1, prA.generation(xOnA));
        assertConflict(prA.write(xOnA));
    }

    @Test
    void clearThroughOneNodeTellsTheOthersRegistrants() {
        assertGood(prA.registerAndIgnore(xOnA, K1));
        assertGood(prB.registerAndIgnore(yOnB, K2));
        assertGood(prB.out(yOnB, CLEAR, 0, K2, 0, 0));
        assertCheck(nodeA.run(xOnA, 0x00, 0, 0, 0, 0, 0), SenseCode.RESERVATIONS_PREEMPTED);
        assertEquals(List.of(), prA.keys(xOnA));
    }

    @Test
    void spc2ReservationThroughOneNodeConflictsThroughTheOther() {
        assertGood(nodeA.run(xOnA, 0x16, 0, 0, 0, 0, 0));
        assertConflict(nodeB.run(yOnB, 0x00, 0, 0, 0, 0, 0));
        assertConflict(nodeB.run(yOnB, 0x16, 0, 0, 0, 0, 0));
        assertGood(nodeA.run(xOnA, 0x17, 0, 0, 0, 0, 0));
        assertGood(nodeB.run(yOnB, 0x16, 0, 0, 0, 0, 0));
        assertConflict(nodeA.run(xOnA, 0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0));
    }

    /** MultipathIO.Reset with its paths on two nodes: the reset through one reaches every nexus of the other. */
    @Test
    void logicalUnitResetThroughOneNodeReachesTheOthersNexuses() {
        assertGood(nodeA.run(xOnA, 0x16, 0, 0, 0, 0, 0));
        assertTrue(nodeB.lu.reset(yOnB).isDone());
        assertCheck(nodeA.run(xOnA, 0x00, 0, 0, 0, 0, 0), SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertCheck(nodeB.run(yOnB, 0x00, 0, 0, 0, 0, 0), SenseCode.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        assertGood(nodeB.run(yOnB, 0x16, 0, 0, 0, 0, 0)); // the reset released node a's SPC-2 reservation
    }

    @Test
    void aNodeStartingLaterSeesTheReservationsAlreadyMade() {
        assertGood(prA.registerAndIgnore(xOnA, K1));
        assertGood(prA.reserve(xOnA, K1, WE));
        Harness nodeC = new Harness(new FakeDisk(), object.node(), TargetPortGroups.single());
        Nexus z = nodeC.login(nexus("iqn.1994-05.com.redhat:z", 0x23D000000003L, PORT_2));
        assertConflict(new Pr(nodeC).write(z));
    }
}
