package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.iscsi.IscsiPeer.INITIATOR;
import static org.lunforge.iscsi.IscsiPeer.keys;
import static org.lunforge.iscsi.IscsiPeer.parse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.LogicalUnit;

class IscsiLoginTest {
    static final String TARGET = "iqn.2026-11.org.lunforge:login";

    private final IscsiServer server = new IscsiServer(IscsiServerOptions.defaults());
    private final LogicalUnit lu = RamDisk.logicalUnit("login", 1 << 20, null);
    private final IscsiPortalGroup group = new IscsiPortalGroup(7, 1, List.of(new IscsiPortal("127.0.0.1", 3260)))
            .lun(0, lu).generateNodeAcls(true);
    private final IscsiTarget target = new IscsiTarget(TARGET).alias("the alias").portalGroup(group);
    private final IscsiPeer peer;

    IscsiLoginTest() {
        server.addTarget(target);
        peer = new IscsiPeer(server);
    }

    @AfterEach
    void close() {
        peer.close();
    }

    private static void assertStatus(int statusClass, int detail, IscsiLoginResponse r) {
        assertEquals("%02x%02x".formatted(statusClass, detail), "%02x%02x".formatted(r.statusClass(),
                r.statusDetail()));
        r.release();
    }

    private IscsiLoginResponse loginRequest(boolean transit, boolean c, int csg, int nsg, Map<String, String> keys) {
        peer.send(new IscsiLoginRequest(transit, c, csg, nsg, 0, 0, IscsiPeer.ISID, peer.tsih, peer.itt, 0,
                peer.cmdSN, 0, IscsiPeer.text(keys)));
        return peer.next(IscsiLoginResponse.class);
    }

    @Test
    void operationalLoginReachesFullFeaturePhase() {
        Map<String, String> answers = peer.loginNormal(TARGET, "HeaderDigest", "None", "MaxBurstLength", "131072",
                "ImmediateData", "Yes", "InitialR2T", "No", "X-com.example.Feature", "1");
        assertEquals("7", answers.get("TargetPortalGroupTag"));
        assertEquals("None", answers.get("HeaderDigest"));
        assertEquals("131072", answers.get("MaxBurstLength"));
        assertEquals("NotUnderstood", answers.get("X-com.example.Feature"));
        assertEquals("262144", answers.get("MaxRecvDataSegmentLength"));
        assertEquals("the alias", answers.get("TargetAlias"));
        assertNotEquals(0, peer.tsih);
        assertEquals(1, server.sessions().size());
        assertEquals(TARGET, server.sessions().getFirst().targetName());
        assertNotNull(peer.channel.pipeline().get(IscsiSessionHandler.class));
        assertNull(peer.channel.pipeline().get(IscsiLoginHandler.class));
    }

    @Test
    void securityStageWithNoneThenOperational() {
        IscsiLoginResponse sec = loginRequest(true, false, 0, 1, keys("InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "CHAP,None"));
        assertEquals(0, sec.statusClass());
        assertTrue(sec.transit());
        assertEquals(0, sec.currentStage());
        assertEquals(1, sec.nextStage());
        Map<String, String> a = parse(sec.data());
        assertEquals("None", a.get("AuthMethod"));
        assertEquals("7", a.get("TargetPortalGroupTag"));
        assertFalse(a.containsKey("MaxRecvDataSegmentLength"), "operational declarations wait for stage 1");
        sec.release();
        IscsiLoginResponse op = loginRequest(true, false, 1, 3, keys("MaxRecvDataSegmentLength", "65536"));
        assertEquals(0, op.statusClass());
        assertEquals(3, op.nextStage());
        assertNotEquals(0, op.tsih());
        op.release();
    }

    @Test
    void targetWaitsWhenTheInitiatorDoesNotAskToTransit() {
        IscsiLoginResponse r = loginRequest(false, false, 1, 0, keys("InitiatorName", INITIATOR, "TargetName",
                TARGET));
        assertFalse(r.transit());
        assertEquals(0, r.tsih());
        r.release();
        IscsiLoginResponse done = loginRequest(true, false, 1, 3, keys());
        assertTrue(done.transit());
        assertNotEquals(0, done.tsih());
        done.release();
    }

    @Test
    void loginTextMaySpanSeveralPdus() {
        byte[] whole = IscsiText.encode(keys("InitiatorName", INITIATOR, "TargetName", TARGET, "MaxBurstLength",
                "65536"));
        int half = 20;
        peer.send(new IscsiLoginRequest(false, true, 1, 0, 0, 0, IscsiPeer.ISID, 0, peer.itt, 0, peer.cmdSN, 0,
                Unpooled.wrappedBuffer(whole, 0, half)));
        IscsiLoginResponse ack = peer.next(IscsiLoginResponse.class);
        assertEquals(0, ack.data().readableBytes());
        assertFalse(ack.transit());
        ack.release();
        peer.send(new IscsiLoginRequest(true, false, 1, 3, 0, 0, IscsiPeer.ISID, 0, peer.itt, 0, peer.cmdSN, 0,
                Unpooled.wrappedBuffer(whole, half, whole.length - half)));
        IscsiLoginResponse r = peer.next(IscsiLoginResponse.class);
        assertEquals("65536", parse(r.data()).get("MaxBurstLength"));
        assertTrue(r.transit());
        r.release();
    }

    @Test
    void longAnswersAreSentInPiecesTheInitiatorFetches() {
        // 115 keys of 63 characters: the request fits in 8192 bytes, the NotUnderstood answers do not.
        String[] kv = new String[2 * 115];
        for (int i = 0; i < 115; i++) {
            kv[2 * i] = "X-%061d".formatted(i);
            kv[2 * i + 1] = "1";
        }
        Map<String, String> keys = keys("InitiatorName", INITIATOR, "TargetName", TARGET);
        keys.putAll(keys(kv));
        IscsiLoginResponse first = loginRequest(true, false, 1, 3, keys);
        assertTrue(first.continueFlag());
        assertFalse(first.transit());
        ByteBuf all = Unpooled.buffer().writeBytes(first.data());
        first.release();
        IscsiLoginResponse next;
        do {
            next = loginRequest(true, false, 1, 3, keys());
            all.writeBytes(next.data());
            next.release();
        } while (next.continueFlag());
        assertTrue(next.transit());
        assertNotEquals(0, next.tsih());
        assertEquals(115, parse(all).keySet().stream().filter(k -> k.startsWith("X-")).count());
        all.release();
    }

    @Test
    void missingNamesAreMissingParameters() {
        assertStatus(2, 7, loginRequest(true, false, 1, 3, keys("TargetName", TARGET)));
    }

    @Test
    void missingTargetNameOnANormalSession() {
        assertStatus(2, 7, loginRequest(true, false, 1, 3, keys("InitiatorName", INITIATOR)));
        assertFalse(peer.channel.isActive(), "a refused login closes the connection");
    }

    @Test
    void unknownTargetIsNotFound() {
        assertStatus(2, 3, loginRequest(true, false, 1, 3, keys("InitiatorName", INITIATOR, "TargetName",
                "iqn.2026-11.org.lunforge:nobody")));
    }

    @Test
    void initiatorWithoutAclIsNotAuthorized() {
        group.generateNodeAcls(false).acl(IscsiAcl.allLuns("iqn.2026-11.org.example:someone-else"));
        assertStatus(2, 2, loginRequest(true, false, 1, 3, keys("InitiatorName", INITIATOR, "TargetName", TARGET)));
    }

    @Test
    void unsupportedVersion() {
        peer.send(new IscsiLoginRequest(true, false, 1, 3, 2, 1, IscsiPeer.ISID, 0, 1, 0, 1, 0,
                IscsiPeer.text(keys("InitiatorName", INITIATOR, "TargetName", TARGET))));
        assertStatus(2, 5, peer.next(IscsiLoginResponse.class));
    }

    @Test
    void unknownSessionType() {
        assertStatus(2, 9, loginRequest(true, false, 1, 3, keys("InitiatorName", INITIATOR, "SessionType", "Chat")));
    }

    @Test
    void addingAConnectionToAnUnknownSession() {
        peer.tsih = 0x4242;
        assertStatus(2, 0x0A, loginRequest(true, false, 1, 3, keys("InitiatorName", INITIATOR, "TargetName",
                TARGET)));
    }

    @Test
    void malformedTextIsAnInitiatorError() {
        peer.send(new IscsiLoginRequest(true, false, 1, 3, 0, 0, IscsiPeer.ISID, 0, 1, 0, 1, 0,
                Unpooled.copiedBuffer("InitiatorName", java.nio.charset.StandardCharsets.US_ASCII)));
        assertStatus(2, 0, peer.next(IscsiLoginResponse.class));
    }

    @Test
    void badStageTransitions() {
        assertStatus(2, 0x0B, loginRequest(true, false, 1, 1, keys("InitiatorName", INITIATOR, "TargetName",
                TARGET)));
    }

    @Test
    void renegotiatingAKeyInOneLoginIsAnError() {
        IscsiLoginResponse r = loginRequest(false, false, 1, 0, keys("InitiatorName", INITIATOR, "TargetName",
                TARGET, "MaxBurstLength", "65536"));
        r.release();
        assertStatus(2, 0, loginRequest(true, false, 1, 3, keys("MaxBurstLength", "32768")));
    }

    @Test
    void anythingButLoginDuringLoginDropsTheConnection() {
        peer.send(new IscsiNopOut(true, 0, 1, IscsiConstants.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER));
        assertFalse(peer.channel.isActive());
    }

    @Test
    void loginTimesOut() {
        assertTrue(peer.channel.isActive());
        peer.advanceTime(server.options().loginTimeout().toMillis() + 1);
        assertFalse(peer.channel.isActive());
    }

    // ---- CHAP

    private static final IscsiChapCredentials ALICE = IscsiChapTest.INITIATOR;
    private static final IscsiChapCredentials TARGET_SECRET = IscsiChapTest.TARGET;

    private Map<String, String> startChap() {
        IscsiLoginResponse offer = loginRequest(true, false, 0, 1, keys("InitiatorName", INITIATOR, "TargetName",
                TARGET, "AuthMethod", "CHAP,None"));
        assertEquals("CHAP", parse(offer.data()).get("AuthMethod"));
        assertFalse(offer.transit(), "CHAP is not over yet");
        offer.release();
        IscsiLoginResponse challenge = loginRequest(false, false, 0, 0, keys("CHAP_A", "5"));
        Map<String, String> c = parse(challenge.data());
        challenge.release();
        return c;
    }

    @Test
    void chapRequiredAndGood() throws Exception {
        group.chap(ALICE, null).authenticationRequired(true);
        Map<String, String> c = startChap();
        IscsiLoginResponse ok = loginRequest(true, false, 0, 1, keys("CHAP_N", "alice", "CHAP_R",
                IscsiChapTest.response(c, ALICE)));
        assertEquals(0, ok.statusClass());
        assertTrue(ok.transit());
        ok.release();
        IscsiLoginResponse done = loginRequest(true, false, 1, 3, keys());
        assertNotEquals(0, done.tsih());
        done.release();
    }

    @Test
    void chapWithAWrongSecretIsAnAuthenticationFailure() throws Exception {
        group.chap(ALICE, null).authenticationRequired(true);
        Map<String, String> c = startChap();
        assertStatus(2, 1, loginRequest(true, false, 0, 1, keys("CHAP_N", "alice", "CHAP_R",
                IscsiChapTest.response(c, new IscsiChapCredentials("alice", "wrong-secret-xx")))));
        assertTrue(server.sessions().isEmpty());
    }

    @Test
    void mutualChapWithPerAclCredentials() throws Exception {
        group.generateNodeAcls(false).acl(new IscsiAcl(INITIATOR, null, ALICE, TARGET_SECRET));
        Map<String, String> c = startChap();
        IscsiLoginResponse ok = loginRequest(true, false, 0, 1, keys("CHAP_N", "alice", "CHAP_R",
                IscsiChapTest.response(c, ALICE), "CHAP_I", "9", "CHAP_C", "0xfeedfacecafebeef"));
        Map<String, String> answer = parse(ok.data());
        assertEquals("target", answer.get("CHAP_N"));
        assertEquals(IscsiChapTest.response(keys("CHAP_I", "9", "CHAP_C", "0xfeedfacecafebeef"), TARGET_SECRET),
                answer.get("CHAP_R"));
        assertTrue(ok.transit());
        ok.release();
    }

    @Test
    void skippingTheSecurityStageWhenChapIsRequired() {
        group.chap(ALICE, null).authenticationRequired(true);
        assertStatus(2, 1, loginRequest(true, false, 1, 3, keys("InitiatorName", INITIATOR, "TargetName", TARGET)));
    }

    @Test
    void offeringOnlyNoneWhenChapIsRequired() {
        group.chap(ALICE, null).authenticationRequired(true);
        assertStatus(2, 1, loginRequest(true, false, 0, 1, keys("InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "None")));
    }

    @Test
    void leavingSecurityWithoutAuthMethodWhenRequired() {
        group.chap(ALICE, null).authenticationRequired(true);
        assertStatus(2, 1, loginRequest(true, false, 0, 1, keys("InitiatorName", INITIATOR, "TargetName", TARGET)));
    }

    @Test
    void chapKeysInTheOperationalStage() {
        IscsiLoginResponse r = loginRequest(false, false, 1, 0, keys("InitiatorName", INITIATOR, "TargetName",
                TARGET));
        r.release();
        assertStatus(2, 0, loginRequest(true, false, 1, 3, keys("CHAP_A", "5")));
    }

    // ---- discovery, reinstatement

    @Test
    void discoverySessionListsTheTarget() {
        IscsiLoginResponse r = loginRequest(true, false, 1, 3, keys("InitiatorName", INITIATOR, "SessionType",
                "Discovery"));
        assertEquals(0, r.statusClass());
        assertFalse(parse(r.data()).containsKey("TargetPortalGroupTag"));
        peer.expStatSN = r.statSN() + 1;
        r.release();
        peer.send(new IscsiTextRequest(true, true, false, 0, 5, IscsiConstants.RESERVED_TAG, peer.cmdSN,
                peer.expStatSN, IscsiPeer.text(keys("SendTargets", "All"))));
        IscsiTextResponse t = peer.next(IscsiTextResponse.class);
        assertTrue(t.finalPdu());
        assertEquals("TargetName=" + TARGET + "\0TargetAddress=127.0.0.1:3260,7\0", IscsiPeer.ascii(t.data()));
        t.release();
    }

    @Test
    void reinstatementEndsTheOldSessionFirst() {
        peer.loginNormal(TARGET);
        int oldTsih = peer.tsih;
        IscsiPeer second = new IscsiPeer(server);
        try {
            second.loginNormal(TARGET);
            assertFalse(peer.channel.isActive(), "the old session's connection is dropped");
            assertNotEquals(oldTsih, second.tsih);
            assertEquals(1, server.sessions().size());
            assertEquals(second.tsih, server.sessions().getFirst().tsih());
        } finally {
            second.close();
        }
    }

    @Test
    void discoverySessionsCanRequireChap() throws Exception {
        server.discoveryAuthentication(true, ALICE, null);
        IscsiLoginResponse refused = loginRequest(true, false, 1, 3, keys("InitiatorName", INITIATOR,
                "SessionType", "Discovery"));
        assertStatus(2, 1, refused);
        IscsiPeer again = new IscsiPeer(server);
        try {
            again.send(new IscsiLoginRequest(true, false, 0, 1, 0, 0, IscsiPeer.ISID, 0, 1, 0, 1, 0,
                    IscsiPeer.text(keys("InitiatorName", INITIATOR, "SessionType", "Discovery", "AuthMethod",
                            "CHAP"))));
            again.next(IscsiLoginResponse.class).release();
            again.send(new IscsiLoginRequest(false, false, 0, 0, 0, 0, IscsiPeer.ISID, 0, 1, 0, 1, 0,
                    IscsiPeer.text(keys("CHAP_A", "5"))));
            IscsiLoginResponse challenge = again.next(IscsiLoginResponse.class);
            Map<String, String> c = parse(challenge.data());
            challenge.release();
            again.send(new IscsiLoginRequest(true, false, 0, 3, 0, 0, IscsiPeer.ISID, 0, 1, 0, 1, 0,
                    IscsiPeer.text(keys("CHAP_N", "alice", "CHAP_R", IscsiChapTest.response(c, ALICE)))));
            IscsiLoginResponse ok = again.next(IscsiLoginResponse.class);
            assertEquals(0, ok.statusClass());
            assertEquals(3, ok.nextStage());
            ok.release();
        } finally {
            again.close();
        }
    }
}
