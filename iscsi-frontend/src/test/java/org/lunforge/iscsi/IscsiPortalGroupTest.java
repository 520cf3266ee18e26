package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.iscsi.IscsiConstants.RESERVED_TAG;
import static org.lunforge.iscsi.IscsiPeer.keys;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.LunAddress;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.StateStore;
import org.lunforge.scsi.TargetPortGroups;

/**
 * Portal groups as target ports with their own LUNs, ACLs and authentication (the LIO/targetcli model): two groups of
 * one target reached at 127.0.0.1:3260 (group 1) and 127.0.0.2:3260 (group 2).
 */
@ExtendWith(LeakCheck.class)
class IscsiPortalGroupTest {
    static final String TARGET = "iqn.2026-11.org.lunforge:groups";
    static final String ALICE = "iqn.2026-11.org.example:alice";
    static final String BOB = "iqn.2026-11.org.example:bob";
    static final InetSocketAddress FIRST = new InetSocketAddress("127.0.0.1", 3260);
    static final InetSocketAddress SECOND = new InetSocketAddress("127.0.0.2", 3260);
    static final Cdb REPORT_LUNS = Cdb.of(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
    static final Cdb READ_CAPACITY = Cdb.of(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    static final Cdb TEST_UNIT_READY = Cdb.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final IscsiServer server = new IscsiServer(IscsiServerOptions.defaults());
    private final LogicalUnit small = RamDisk.logicalUnit("small", 1 << 20, null);
    private final LogicalUnit large = RamDisk.logicalUnit("large", 4 << 20, null);
    private final IscsiPortalGroup first = new IscsiPortalGroup(1, 1, List.of(new IscsiPortal("127.0.0.1", 3260)));
    private final IscsiPortalGroup second = new IscsiPortalGroup(2, 2, List.of(new IscsiPortal("127.0.0.2", 3260)));
    private final IscsiTarget target = new IscsiTarget(TARGET).portalGroup(first).portalGroup(second);
    private final List<IscsiPeer> peers = new ArrayList<>();
    private long nextIsid = 0x23_0000_0000_0100L;

    @AfterEach
    void close() {
        peers.forEach(IscsiPeer::close);
    }

    private IscsiPeer connect(InetSocketAddress portal) {
        IscsiPeer p = new IscsiPeer(server, portal);
        p.isid = nextIsid++;
        peers.add(p);
        return p;
    }

    /** Logs {@code initiator} in through {@code portal}; returns the Login Response's status class and detail. */
    private int login(IscsiPeer p, String initiator, String... extra) {
        Map<String, String> k = keys("InitiatorName", initiator, "TargetName", TARGET, "SessionType", "Normal");
        k.putAll(keys(extra));
        IscsiLoginResponse r = p.login(1, 3, true, k);
        int status = (r.statusClass() << 8) | r.statusDetail();
        if (status == 0) {
            p.tsih = r.tsih();
            p.expStatSN = r.statSN() + 1;
        }
        r.release();
        return status;
    }

    private IscsiPeer loggedIn(InetSocketAddress portal, String initiator) {
        IscsiPeer p = connect(portal);
        assertEquals(0, login(p, initiator), "login refused");
        return p;
    }

    private static IscsiScsiCommand command(IscsiPeer p, int lun, Cdb cdb, int edtl) {
        return new IscsiScsiCommand(false, true, edtl > 0, false, 1, LunAddress.encode(lun), ++p.itt, edtl,
                p.cmdSN++, p.expStatSN, cdb, -1, Unpooled.EMPTY_BUFFER);
    }

    /** Runs a command that returns data until it is not a unit attention; returns its Data-In (caller releases). */
    private static ByteBuf read(IscsiPeer p, int lun, Cdb cdb, int edtl) {
        for (int attempt = 0; attempt < 3; attempt++) {
            p.send(command(p, lun, cdb, edtl));
            IscsiPdu pdu = p.next(IscsiPdu.class);
            if (pdu instanceof IscsiDataIn d) {
                ByteBuf data = d.data().retain();
                d.release();
                return data;
            }
            IscsiScsiResponse r = assertInstanceOf(IscsiScsiResponse.class, pdu);
            SenseCode sense = sense(r);
            r.release();
            assertEquals(org.lunforge.scsi.SenseKey.UNIT_ATTENTION, sense.key(), "got " + sense);
        }
        throw new AssertionError("unit attentions do not end");
    }

    private static SenseCode sense(IscsiScsiResponse r) {
        ByteBuf data = r.data();
        byte[] sense = new byte[data.getUnsignedShort(data.readerIndex())];
        data.getBytes(data.readerIndex() + 2, sense);
        return Sense.decode(sense).code();
    }

    private static List<Integer> reportLuns(IscsiPeer p) {
        ByteBuf data = read(p, 0, REPORT_LUNS, 256);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < data.getInt(0) / 8; i++) {
            out.add(LunAddress.decode(data.getLong(8 + 8 * i)));
        }
        data.release();
        return out;
    }

    private static long blocks(IscsiPeer p, int lun) {
        ByteBuf data = read(p, lun, READ_CAPACITY, 8);
        long last = data.getUnsignedInt(0);
        data.release();
        return last + 1;
    }

    private Nexus nexus(String initiator, IscsiPeer p, IscsiPortalGroup group) {
        return new Nexus(InitiatorPort.iscsi(initiator, p.isid), target.targetPort(group));
    }

    @Test
    void twoGroupsOfOneTargetExposeDifferentLuns() {
        first.generateNodeAcls(true).lun(0, small);
        second.generateNodeAcls(true).lun(0, large).lun(1, small);
        server.addTarget(target);
        IscsiPeer one = loggedIn(FIRST, ALICE);
        IscsiPeer two = loggedIn(SECOND, ALICE);
        assertEquals(List.of(0), reportLuns(one));
        assertEquals(List.of(0, 1), reportLuns(two));
        assertEquals((1 << 20) / 512, blocks(one, 0));
        assertEquals((4 << 20) / 512, blocks(two, 0));
        assertEquals((1 << 20) / 512, blocks(two, 1));
        assertEquals(2, server.sessions().size());
        assertEquals(List.of(1, 2), server.sessions().stream().map(IscsiSessionInfo::portalGroupTag).sorted()
                .toList());
    }

    @Test
    void oneLogicalUnitThroughTwoTargetPortsInDifferentAluaGroups() {
        TargetPortGroups alua = TargetPortGroups.builder()
                .group(1, AsymmetricAccessState.ACTIVE_OPTIMIZED, true, 1)
                .group(2, AsymmetricAccessState.STANDBY, false, 2).build();
        LogicalUnit shared = new LogicalUnit("shared", LogicalUnitIdentity.of("LUNFORGE", "RAMDISK", "0001",
                java.util.UUID.nameUUIDFromBytes("shared".getBytes())), new RamDisk(1 << 20, 512, null),
                StateStore.inMemory(), alua);
        first.generateNodeAcls(true).lun(0, shared);
        second.generateNodeAcls(true).lun(0, shared);
        server.addTarget(target);
        IscsiPeer active = loggedIn(FIRST, ALICE);
        IscsiPeer standby = loggedIn(SECOND, ALICE);
        assertEquals((1 << 20) / 512, blocks(active, 0), "the active/optimized port serves media access");
        standby.send(command(standby, 0, TEST_UNIT_READY, 0));
        standby.drain(); // the new nexus's power-on unit attention
        standby.send(command(standby, 0, READ_CAPACITY, 8));
        IscsiScsiResponse refused = standby.next(IscsiScsiResponse.class);
        assertEquals(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE,
                sense(refused), "the same logical unit, seen through the standby port");
        refused.release();
    }

    @Test
    void aclsArePerGroup() {
        first.lun(0, small).acl(IscsiAcl.allLuns(ALICE));
        second.lun(0, small).acl(IscsiAcl.allLuns(BOB));
        server.addTarget(target);
        assertEquals(0, login(connect(FIRST), ALICE));
        assertEquals(0x0202, login(connect(SECOND), ALICE), "not authorized through the second port");
        assertEquals(0x0202, login(connect(FIRST), BOB), "not authorized through the first port");
        assertEquals(0, login(connect(SECOND), BOB));
    }

    @Test
    void anAclMapsLunsWithinItsGroup() {
        first.lun(0, small).lun(3, large).acl(new IscsiAcl(ALICE, Map.of(0, 3), null, null));
        second.lun(0, small).acl(IscsiAcl.allLuns(ALICE));
        server.addTarget(target);
        IscsiPeer one = loggedIn(FIRST, ALICE);
        IscsiPeer two = loggedIn(SECOND, ALICE);
        assertEquals((4 << 20) / 512, blocks(one, 0), "LUN 0 is the first group's LUN 3");
        assertEquals((1 << 20) / 512, blocks(two, 0), "LUN 0 is the second group's LUN 0");
    }

    @Test
    void authenticationIsPerGroup() {
        IscsiChapCredentials alice = new IscsiChapCredentials("alice", "alice-secret-12");
        first.generateNodeAcls(true).lun(0, small).chap(alice, null).authenticationRequired(true);
        second.generateNodeAcls(true).lun(0, small);
        server.addTarget(target);
        assertEquals(0x0201, login(connect(FIRST), ALICE), "CHAP is required through the first port");
        assertEquals(0, login(connect(SECOND), ALICE), "and not through the second");
    }

    @Test
    void discoveryListsTheGroupsEachInitiatorMayUse() {
        first.lun(0, small).acl(IscsiAcl.allLuns(ALICE));
        second.lun(0, small).acl(IscsiAcl.allLuns(ALICE)).acl(IscsiAcl.allLuns(BOB));
        server.addTarget(target);
        assertEquals("TargetName=" + TARGET + "\0TargetAddress=127.0.0.1:3260,1\0TargetAddress=127.0.0.2:3260,2\0",
                sendTargets(ALICE));
        assertEquals("TargetName=" + TARGET + "\0TargetAddress=127.0.0.2:3260,2\0", sendTargets(BOB));
        assertEquals("", sendTargets("iqn.2026-11.org.example:carol"), "no group admits carol");
        first.generateNodeAcls(true);
        assertEquals("TargetName=" + TARGET + "\0TargetAddress=127.0.0.1:3260,1\0",
                sendTargets("iqn.2026-11.org.example:carol"), "demo mode admits anyone through the first port");
    }

    private String sendTargets(String initiator) {
        IscsiPeer d = connect(FIRST);
        IscsiLoginResponse r = d.login(1, 3, true, keys("InitiatorName", initiator, "SessionType", "Discovery"));
        assertEquals(0, r.statusClass());
        d.expStatSN = r.statSN() + 1;
        r.release();
        d.send(new IscsiTextRequest(true, true, false, 0, 9, RESERVED_TAG, d.cmdSN, d.expStatSN,
                IscsiPeer.text(keys("SendTargets", "All"))));
        IscsiTextResponse t = d.next(IscsiTextResponse.class);
        String text = IscsiPeer.ascii(t.data());
        t.release();
        return text;
    }

    @Test
    void aLunChangeReachesOnlyTheSessionsOfItsGroup() {
        first.generateNodeAcls(true).lun(0, small);
        second.generateNodeAcls(true).lun(0, small);
        server.addTarget(target);
        IscsiPeer one = loggedIn(FIRST, ALICE);
        IscsiPeer two = loggedIn(SECOND, ALICE);
        small.unitAttentions().register(nexus(ALICE, one, first));
        small.unitAttentions().register(nexus(ALICE, two, second));
        second.lun(1, large);
        one.channel.runPendingTasks();
        two.channel.runPendingTasks();
        assertTrue(small.unitAttentions().isPending(nexus(ALICE, two, second)), "the second group's session learns");
        assertFalse(small.unitAttentions().isPending(nexus(ALICE, one, first)), "the first group's does not");
        assertEquals(List.of(0), reportLuns(one));
        assertEquals(List.of(0, 1), reportLuns(two));
    }

    @Test
    void anAclChangeOnlyTellsTheSessionsWhoseInventoryChanged() {
        first.lun(0, small).lun(1, large).acl(IscsiAcl.allLuns(ALICE)).acl(IscsiAcl.allLuns(BOB));
        server.addTarget(target);
        IscsiPeer alice = loggedIn(FIRST, ALICE);
        IscsiPeer bob = loggedIn(FIRST, BOB);
        Nexus aliceNexus = nexus(ALICE, alice, first);
        Nexus bobNexus = nexus(BOB, bob, first);
        small.unitAttentions().register(aliceNexus);
        small.unitAttentions().register(bobNexus);
        first.acl(new IscsiAcl(BOB, Map.of(0, 0), null, null)); // bob now sees LUN 0 only
        alice.channel.runPendingTasks();
        bob.channel.runPendingTasks();
        assertTrue(small.unitAttentions().isPending(bobNexus));
        assertFalse(small.unitAttentions().isPending(aliceNexus), "alice sees what she saw before");
        assertEquals(List.of(0), reportLuns(bob));
        assertEquals(List.of(0, 1), reportLuns(alice));
    }

    @Test
    void aChangeBeforeTheSessionLooksStillReachesIt() {
        first.generateNodeAcls(true).lun(0, small);
        server.addTarget(target);
        IscsiPeer one = loggedIn(FIRST, ALICE);
        Nexus nexus = nexus(ALICE, one, first);
        small.unitAttentions().register(nexus);
        first.lun(1, large);
        // A command that arrives before the announcement runs with the new map and must not swallow it.
        assertEquals(List.of(0, 1), reportLuns(one));
        one.channel.runPendingTasks();
        assertTrue(small.unitAttentions().isPending(nexus));
    }

    @Test
    void removingAGroupAsksOnlyItsInitiatorsToLogOut() {
        first.generateNodeAcls(true).lun(0, small);
        second.generateNodeAcls(true).lun(0, small);
        server.addTarget(target);
        IscsiPeer one = loggedIn(FIRST, ALICE);
        IscsiPeer two = loggedIn(SECOND, ALICE);
        assertSame(second, target.removePortalGroup(2));
        assertNull(second.target());
        two.channel.runPendingTasks();
        IscsiAsyncMessage m = two.next(IscsiAsyncMessage.class);
        assertEquals(IscsiConstants.ASYNC_LOGOUT_REQUEST, m.asyncEvent());
        m.release();
        one.assertSilent();
        assertEquals(0x0203, login(connect(SECOND), BOB), "the portal no longer leads to the target");
    }

    @Test
    void aGroupBelongsToOneTarget() {
        IscsiTarget other = new IscsiTarget("iqn.2026-11.org.lunforge:other");
        assertThrows(IllegalArgumentException.class, () -> other.portalGroup(first));
        assertSame(target, first.target());
    }

    // ---- one I_T nexus per (initiator port, target port): reinstatement and target resets stay within the port

    /** Logs in through {@code p} with one-way CHAP (security stage, then on to full feature phase). */
    private int chapLogin(IscsiPeer p, String initiator, IscsiChapCredentials credentials) throws Exception {
        IscsiLoginResponse offer = p.login(0, 1, true, keys("InitiatorName", initiator, "TargetName", TARGET,
                "SessionType", "Normal", "AuthMethod", "CHAP"));
        assertEquals(0, offer.statusClass());
        offer.release();
        IscsiLoginResponse challenge = p.login(0, 0, false, keys("CHAP_A", "5"));
        Map<String, String> c = IscsiPeer.parse(challenge.data());
        challenge.release();
        IscsiLoginResponse r = p.login(0, 3, true, keys("CHAP_N", credentials.user(),
                "CHAP_R", IscsiChapTest.response(c, credentials)));
        int status = (r.statusClass() << 8) | r.statusDetail();
        if (status == 0) {
            p.tsih = r.tsih();
            p.expStatSN = r.statSN() + 1;
        }
        r.release();
        return status;
    }

    /** Runs a command without data until it is not a unit attention; returns its SCSI status. */
    private static int status(IscsiPeer p, int lun, Cdb cdb) {
        for (int attempt = 0; attempt < 3; attempt++) {
            p.send(command(p, lun, cdb, 0));
            IscsiScsiResponse r = p.next(IscsiScsiResponse.class);
            int status = r.status();
            boolean unitAttention = status == 2 && sense(r).key() == org.lunforge.scsi.SenseKey.UNIT_ATTENTION;
            r.release();
            if (!unitAttention) {
                return status;
            }
        }
        throw new AssertionError("unit attentions do not end");
    }

    private static IscsiTaskManagementResponse targetReset(IscsiPeer p, int function, IscsiPeer... others) {
        p.send(new IscsiTaskManagementRequest(true, function, 0, ++p.itt, RESERVED_TAG, p.cmdSN, p.expStatSN, 0, 0));
        for (IscsiPeer o : others) {
            o.channel.runPendingTasks(); // the other sessions let go of their tasks on the units reset (none)
        }
        p.channel.runPendingTasks();
        return p.next(IscsiTaskManagementResponse.class);
    }

    static final Cdb RESERVE_6 = Cdb.of(0x16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    static final int GOOD = 0x00;
    static final int RESERVATION_CONFLICT = 0x18;

    @Test
    void aLoginThroughAnotherGroupDoesNotReinstateTheSessionOfThisOne() throws Exception {
        IscsiChapCredentials alice = new IscsiChapCredentials("alice", "alice-secret-12");
        first.generateNodeAcls(true).lun(0, small);
        second.lun(0, large).acl(new IscsiAcl(ALICE, null, alice, null));
        server.addTarget(target);
        IscsiPeer victim = connect(SECOND);
        assertEquals(0, chapLogin(victim, ALICE, alice));
        IscsiPeer intruder = connect(FIRST);
        intruder.isid = victim.isid;
        assertEquals(0, login(intruder, ALICE), "the open group admits anyone, as configured");
        victim.channel.runPendingTasks();
        assertTrue(victim.channel.isActive(), "RFC 7143 4.4.3: another target port is another I_T nexus");
        assertEquals(2, server.sessions().size());
        assertEquals(GOOD, status(victim, 0, TEST_UNIT_READY), "the victim's session still serves commands");
    }

    @Test
    void aLoginThatFailsAuthenticationLeavesTheOldSessionAlone() throws Exception {
        IscsiChapCredentials alice = new IscsiChapCredentials("alice", "alice-secret-12");
        second.lun(0, large).acl(new IscsiAcl(ALICE, null, alice, null));
        server.addTarget(target);
        IscsiPeer victim = connect(SECOND);
        assertEquals(0, chapLogin(victim, ALICE, alice));
        IscsiPeer intruder = connect(SECOND);
        intruder.isid = victim.isid;
        assertEquals(0x0201, chapLogin(intruder, ALICE, new IscsiChapCredentials("alice", "not-her-secret-1")));
        victim.channel.runPendingTasks();
        assertTrue(victim.channel.isActive());
        assertEquals(1, server.sessions().size());
    }

    @Test
    void aLoginThroughTheSameGroupStillReinstates() {
        first.generateNodeAcls(true).lun(0, small);
        second.generateNodeAcls(true).lun(0, small);
        server.addTarget(target);
        IscsiPeer elsewhere = loggedIn(SECOND, ALICE);
        IscsiPeer old = connect(FIRST);
        old.isid = elsewhere.isid; // one initiator port, two target ports: two I_T nexuses
        assertEquals(0, login(old, ALICE));
        IscsiPeer again = connect(FIRST);
        again.isid = old.isid;
        assertEquals(0, login(again, ALICE));
        old.channel.runPendingTasks();
        elsewhere.channel.runPendingTasks();
        assertFalse(old.channel.isActive(), "6.3.5: the old session of this nexus is closed");
        assertTrue(elsewhere.channel.isActive());
        assertEquals(2, server.sessions().size());
    }

    @Test
    void aTargetWarmResetLeavesTheLogicalUnitsOfOtherGroupsAlone() {
        first.generateNodeAcls(true).lun(0, small);
        second.generateNodeAcls(true).lun(0, large);
        server.addTarget(target);
        IscsiPeer holder = loggedIn(SECOND, BOB);
        assertEquals(GOOD, status(holder, 0, RESERVE_6));
        IscsiPeer requester = loggedIn(FIRST, ALICE);
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE,
                targetReset(requester, IscsiConstants.TMF_TARGET_WARM_RESET, holder).response());
        IscsiPeer other = loggedIn(SECOND, ALICE);
        assertEquals(RESERVATION_CONFLICT, status(other, 0, TEST_UNIT_READY),
                "the reservation on a unit the requester cannot address survives");
        assertFalse(large.unitAttentions().isPending(nexus(BOB, holder, second)), "and its holder saw no reset");
    }

    @Test
    void aTargetWarmResetReachesOnlyTheLunsTheRequestersAclMaps() {
        first.lun(0, small).lun(1, large).acl(new IscsiAcl(ALICE, Map.of(0, 0), null, null))
                .acl(IscsiAcl.allLuns(BOB));
        server.addTarget(target);
        IscsiPeer holder = loggedIn(FIRST, BOB);
        assertEquals(GOOD, status(holder, 1, RESERVE_6));
        assertEquals(GOOD, status(holder, 0, RESERVE_6));
        IscsiPeer requester = loggedIn(FIRST, ALICE);
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE,
                targetReset(requester, IscsiConstants.TMF_TARGET_WARM_RESET, holder).response());
        IscsiPeer other = loggedIn(FIRST, BOB);
        assertEquals(RESERVATION_CONFLICT, status(other, 1, TEST_UNIT_READY), "LUN 1 is not in alice's map");
        assertEquals(GOOD, status(other, 0, TEST_UNIT_READY), "LUN 0 is, and its reset released the reservation");
    }

    @Test
    void aTargetColdResetDropsOnlyTheSessionsOfItsGroup() {
        first.generateNodeAcls(true).lun(0, small);
        second.generateNodeAcls(true).lun(0, large);
        server.addTarget(target);
        IscsiPeer elsewhere = loggedIn(SECOND, BOB);
        IscsiPeer neighbour = loggedIn(FIRST, BOB);
        IscsiPeer requester = loggedIn(FIRST, ALICE);
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE,
                targetReset(requester, IscsiConstants.TMF_TARGET_COLD_RESET, elsewhere, neighbour).response());
        requester.channel.runPendingTasks();
        neighbour.channel.runPendingTasks();
        elsewhere.channel.runPendingTasks();
        assertFalse(requester.channel.isActive());
        assertFalse(neighbour.channel.isActive(), "11.5.1: the port's connections are dropped");
        assertTrue(elsewhere.channel.isActive(), "a session through another target port is not");
        assertEquals(GOOD, status(elsewhere, 0, TEST_UNIT_READY));
    }

    @Test
    void aGroupMayRefuseTargetResets() {
        first.generateNodeAcls(true).lun(0, small).warmResetAllowed(false).coldResetAllowed(false);
        server.addTarget(target);
        IscsiPeer holder = loggedIn(FIRST, BOB);
        assertEquals(GOOD, status(holder, 0, RESERVE_6));
        IscsiPeer requester = loggedIn(FIRST, ALICE);
        assertEquals(IscsiConstants.TMF_AUTHORIZATION_FAILED,
                targetReset(requester, IscsiConstants.TMF_TARGET_WARM_RESET, holder).response());
        assertEquals(IscsiConstants.TMF_AUTHORIZATION_FAILED,
                targetReset(requester, IscsiConstants.TMF_TARGET_COLD_RESET, holder).response());
        requester.channel.runPendingTasks();
        holder.channel.runPendingTasks();
        assertTrue(requester.channel.isActive());
        assertTrue(holder.channel.isActive());
        assertEquals(RESERVATION_CONFLICT, status(requester, 0, TEST_UNIT_READY), "nothing was reset");
        first.warmResetAllowed(true);
        assertEquals(IscsiConstants.TMF_FUNCTION_COMPLETE,
                targetReset(requester, IscsiConstants.TMF_TARGET_WARM_RESET, holder).response());
        assertEquals(GOOD, status(requester, 0, TEST_UNIT_READY));
    }

    /** Sends a command with its Data-Out as immediate data; returns the SCSI Response (caller releases). */
    private static IscsiScsiResponse write(IscsiPeer p, int lun, Cdb cdb, byte[] data) {
        p.send(new IscsiScsiCommand(false, true, false, true, 1, LunAddress.encode(lun), ++p.itt, data.length,
                p.cmdSN++, p.expStatSN, cdb, -1, Unpooled.wrappedBuffer(data)));
        return p.next(IscsiScsiResponse.class);
    }

    /** MODE SENSE(6), all pages: the mode parameter header's DEVICE-SPECIFIC PARAMETER. */
    private static int deviceSpecificParameter(IscsiPeer p, int lun) {
        ByteBuf data = read(p, lun, Cdb.of(0x1A, 0x08, 0x3F, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 255);
        int dsp = data.getUnsignedByte(2);
        data.release();
        return dsp;
    }

    @Test
    void aWriteProtectedMappingRefusesWritesForItsInitiatorOnly() {
        first.lun(0, small)
                .acl(new IscsiAcl(ALICE, Map.of(0, 0), null, null, java.util.Set.of(0)))
                .acl(new IscsiAcl(BOB, Map.of(0, 0), null, null));
        server.addTarget(target);
        IscsiPeer alice = loggedIn(FIRST, ALICE);
        IscsiPeer bob = loggedIn(FIRST, BOB);
        Cdb write10 = Cdb.of(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
        blocks(alice, 0); // past the power-on unit attention
        blocks(bob, 0);
        IscsiScsiResponse refused = write(alice, 0, write10, new byte[512]);
        assertEquals(SenseCode.WRITE_PROTECTED, sense(refused), "alice's mapping is read-only");
        refused.release();
        assertEquals(0x80, deviceSpecificParameter(alice, 0) & 0x80, "MODE SENSE shows WP to alice");
        IscsiScsiResponse written = write(bob, 0, write10, new byte[512]);
        assertEquals(0, written.status(), "bob's mapping of the same unit is writable");
        written.release();
        assertEquals(0, deviceSpecificParameter(bob, 0) & 0x80, "and bob sees WP=0");
    }

    @Test
    void theSessionsListSaysWhoWhereHowAndWhat() {
        first.lun(0, small).lun(3, large).acl(new IscsiAcl(ALICE, Map.of(0, 3, 5, 0), null, null));
        server.addTarget(target);
        IscsiPeer one = connect(FIRST);
        assertEquals(0, login(one, ALICE, "ImmediateData", "No", "MaxRecvDataSegmentLength", "65536",
                "MaxBurstLength", "131072", "FirstBurstLength", "32768"));
        IscsiSessionInfo s = server.sessions().getFirst();
        assertEquals(ALICE, s.initiatorName());
        assertEquals(one.isid & 0xFFFF_FFFF_FFFFL, s.isid(), "the 48-bit ISID");
        assertEquals(one.tsih, s.tsih());
        assertEquals(TARGET, s.targetName());
        assertEquals(1, s.portalGroupTag());
        assertEquals(List.of(new IscsiSessionInfo.Connection(0, FIRST, new InetSocketAddress("127.0.0.1", 40000))),
                s.connections());
        assertEquals("None", s.authMethod());
        assertFalse(s.mutualChap());
        assertFalse(s.parameters().immediateData());
        assertEquals(65536, s.parameters().initiatorMaxRecvDataSegmentLength());
        assertEquals(131072, s.parameters().maxBurstLength());
        assertEquals(32768, s.parameters().firstBurstLength());
        assertEquals(Map.of(0, "large", 5, "small"), s.luns(), "the ACL's LUNs, not the group's");
        first.acl(new IscsiAcl(ALICE, Map.of(0, 3), null, null));
        assertEquals(Map.of(0, "large"), server.sessions().getFirst().luns(), "what it sees now");
    }

    @Test
    void aSessionClosedByTheOperatorIsAskedToLogOut() {
        first.generateNodeAcls(true).lun(0, small);
        server.addTarget(target);
        IscsiPeer one = loggedIn(FIRST, ALICE);
        assertFalse(server.closeSession(one.tsih + 1));
        assertTrue(server.closeSession(one.tsih));
        one.channel.runPendingTasks();
        IscsiAsyncMessage m = one.next(IscsiAsyncMessage.class);
        assertEquals(IscsiConstants.ASYNC_LOGOUT_REQUEST, m.asyncEvent());
        m.release();
    }

    @Test
    void aPortTakenDownDropsItsSessionsAndRefusesLoginsUntilUp() {
        first.generateNodeAcls(true).lun(0, small);
        second.generateNodeAcls(true).lun(0, small);
        server.addTarget(target);
        IscsiPeer one = loggedIn(FIRST, ALICE);
        IscsiPeer two = loggedIn(SECOND, ALICE);
        first.down(true);
        one.channel.runPendingTasks();
        assertFalse(one.channel.isActive(), "dropped as a link failure drops it, no logout asked");
        assertTrue(two.channel.isActive(), "the other port goes on");
        assertEquals(0x0301, login(connect(FIRST), BOB), "Service unavailable while down");
        assertEquals(1, first.timesTakenDown());
        assertEquals(1, first.loginsRefusedWhileDown());
        first.down(false);
        assertEquals(0, login(connect(FIRST), BOB), "up again: logins accepted");
        assertEquals(0, second.timesTakenDown());
    }
}
