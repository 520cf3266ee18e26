package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IscsiChapTest {
    static final IscsiChapCredentials INITIATOR = new IscsiChapCredentials("alice", "initiator-secret");
    static final IscsiChapCredentials TARGET = new IscsiChapCredentials("target", "target-secret-1");

    /** What an initiator answers to the target's CHAP_I and CHAP_C. */
    static String response(Map<String, String> challenge, IscsiChapCredentials credentials) throws Exception {
        int id = Integer.parseInt(challenge.get("CHAP_I"));
        byte[] c = IscsiChap.decodeBinary(challenge.get("CHAP_C"));
        return "0x" + HexFormat.of().formatHex(IscsiChap.md5(id, credentials.secret(), c));
    }

    @Test
    void oneWayChap() throws Exception {
        IscsiChap chap = new IscsiChap(new SecureRandom(), INITIATOR, null);
        Map<String, String> challenge = chap.onKeys(Map.of("CHAP_A", "7,5"));
        assertEquals("5", challenge.get("CHAP_A"));
        assertTrue(challenge.get("CHAP_C").startsWith("0x"));
        assertEquals(Map.of(), chap.onKeys(Map.of("CHAP_N", "alice", "CHAP_R", response(challenge, INITIATOR))));
        assertTrue(chap.done());
    }

    @Test
    void base64ResponsesAreAccepted() throws Exception {
        IscsiChap chap = new IscsiChap(new SecureRandom(), INITIATOR, null);
        Map<String, String> challenge = chap.onKeys(Map.of("CHAP_A", "5"));
        byte[] r = HexFormat.of().parseHex(response(challenge, INITIATOR).substring(2));
        chap.onKeys(Map.of("CHAP_N", "alice", "CHAP_R", "0b" + Base64.getEncoder().encodeToString(r)));
        assertTrue(chap.done());
    }

    @Test
    void wrongSecretOrNameFails() throws Exception {
        IscsiChapCredentials wrong = new IscsiChapCredentials("alice", "not-the-secret");
        IscsiChap chap = new IscsiChap(new SecureRandom(), INITIATOR, null);
        Map<String, String> challenge = chap.onKeys(Map.of("CHAP_A", "5"));
        IscsiChap.ChapException e = assertThrows(IscsiChap.ChapException.class,
                () -> chap.onKeys(Map.of("CHAP_N", "alice", "CHAP_R", response(challenge, wrong))));
        assertFalse(e.malformed());
        IscsiChap other = new IscsiChap(new SecureRandom(), INITIATOR, null);
        Map<String, String> c2 = other.onKeys(Map.of("CHAP_A", "5"));
        assertThrows(IscsiChap.ChapException.class,
                () -> other.onKeys(Map.of("CHAP_N", "mallory", "CHAP_R", response(c2, INITIATOR))));
    }

    @Test
    void mutualChap() throws Exception {
        IscsiChap chap = new IscsiChap(new SecureRandom(), INITIATOR, TARGET);
        Map<String, String> challenge = chap.onKeys(Map.of("CHAP_A", "5"));
        Map<String, String> mine = Map.of("CHAP_I", "77", "CHAP_C", "0x0102030405060708090a0b0c0d0e0f10");
        Map<String, String> answer = chap.onKeys(Map.of("CHAP_N", "alice", "CHAP_R", response(challenge, INITIATOR),
                "CHAP_I", "77", "CHAP_C", mine.get("CHAP_C")));
        assertEquals("target", answer.get("CHAP_N"));
        assertEquals(response(mine, TARGET), answer.get("CHAP_R"));
        assertTrue(chap.mutualDone(), "the sessions list reports the authentication as mutual");
    }

    @Test
    void mutualChapRefusesOurOwnChallengeAndMissingCredentials() throws Exception {
        IscsiChap chap = new IscsiChap(new SecureRandom(), INITIATOR, TARGET);
        Map<String, String> challenge = chap.onKeys(Map.of("CHAP_A", "5"));
        assertThrows(IscsiChap.ChapException.class, () -> chap.onKeys(Map.of("CHAP_N", "alice",
                "CHAP_R", response(challenge, INITIATOR), "CHAP_I", "1", "CHAP_C", challenge.get("CHAP_C"))));
        IscsiChap oneWay = new IscsiChap(new SecureRandom(), INITIATOR, null);
        Map<String, String> c2 = oneWay.onKeys(Map.of("CHAP_A", "5"));
        assertThrows(IscsiChap.ChapException.class, () -> oneWay.onKeys(Map.of("CHAP_N", "alice",
                "CHAP_R", response(c2, INITIATOR), "CHAP_I", "1", "CHAP_C", "0x1234")));
    }

    @Test
    void malformedExchangesAreInitiatorErrors() throws Exception {
        IscsiChap chap = new IscsiChap(new SecureRandom(), INITIATOR, null);
        assertTrue(assertThrows(IscsiChap.ChapException.class,
                () -> chap.onKeys(Map.of("CHAP_N", "alice"))).malformed());
        IscsiChap noMd5 = new IscsiChap(new SecureRandom(), INITIATOR, null);
        assertFalse(assertThrows(IscsiChap.ChapException.class,
                () -> noMd5.onKeys(Map.of("CHAP_A", "6,7"))).malformed());
        IscsiChap noResponse = new IscsiChap(new SecureRandom(), INITIATOR, null);
        noResponse.onKeys(Map.of("CHAP_A", "5"));
        assertTrue(assertThrows(IscsiChap.ChapException.class,
                () -> noResponse.onKeys(Map.of("CHAP_N", "alice", "CHAP_R", "nothex"))).malformed());
        assertThrows(IscsiChap.ChapException.class, () -> IscsiChap.decodeBinary("0xzz"));
    }

    @Test
    void identifiersAndChallengesAreFresh() throws Exception {
        SecureRandom random = new SecureRandom();
        java.util.Set<String> challenges = new java.util.HashSet<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            Map<String, String> c = new IscsiChap(random, INITIATOR, null).onKeys(Map.of("CHAP_A", "5"));
            challenges.add(c.get("CHAP_C"));
            ids.add(c.get("CHAP_I"));
            assertEquals(2 + 64, c.get("CHAP_C").length(), "32-byte challenges");
        }
        assertEquals(50, challenges.size());
        assertTrue(ids.size() > 10);
    }

    @Test
    void hexWithAnOddNumberOfDigitsHasALeadingZero() throws Exception {
        assertArrayEquals(new byte[] {0x01, 0x23}, IscsiChap.decodeBinary("0x123"));
    }

    @Test
    void shortSecretsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IscsiChapCredentials("u", "short"));
    }
}
