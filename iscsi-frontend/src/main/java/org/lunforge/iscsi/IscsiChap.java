package org.lunforge.iscsi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CHAP (RFC 1994) as RFC 7143 12.1.3 runs it in the security stage, target side, MD5 only (CHAP_A=5):
 *
 * <pre>
 *   I: AuthMethod=CHAP,...      T: AuthMethod=CHAP
 *   I: CHAP_A=&lt;list&gt;           T: CHAP_A=5 CHAP_I=&lt;id&gt; CHAP_C=&lt;challenge&gt;
 *   I: CHAP_N=&lt;user&gt; CHAP_R=&lt;response&gt; [CHAP_I=&lt;id&gt; CHAP_C=&lt;challenge&gt;]
 *                               T: [CHAP_N=&lt;user&gt; CHAP_R=&lt;response&gt;]   (mutual CHAP)
 * </pre>
 *
 * The identifier and the challenge come from a {@link SecureRandom}; responses are compared in constant time. A
 * mutual challenge equal to ours is refused (12.1.3: a target must not answer its own challenge).
 */
final class IscsiChap {
    /** 12.1.3: CHAP_A=5 is MD5, the algorithm every implementation supports. */
    static final String MD5 = "5";
    private static final int CHALLENGE_LENGTH = 32;

    /** Why authentication failed; the login ends with 0201 (or 0200 for a malformed exchange). */
    static final class ChapException extends Exception {
        private final boolean malformed;

        ChapException(String message, boolean malformed) {
            super(message, null, false, false);
            this.malformed = malformed;
        }

        boolean malformed() {
            return malformed;
        }
    }

    private enum State { AWAIT_ALGORITHM, AWAIT_RESPONSE, DONE }

    private final SecureRandom random;
    private final IscsiChapCredentials expected;
    private final IscsiChapCredentials mutual;
    private boolean mutualDone;
    private State state = State.AWAIT_ALGORITHM;
    private int identifier;
    private byte[] challenge;

    /**
     * @param expected what the initiator must prove
     * @param mutual what the target proves if asked, or null (then a mutual request fails)
     */
    IscsiChap(SecureRandom random, IscsiChapCredentials expected, IscsiChapCredentials mutual) {
        this.random = random;
        this.expected = expected;
        this.mutual = mutual;
    }

    boolean done() {
        return state == State.DONE;
    }

    /** True once the initiator asked the target to prove itself too, and it did (mutual CHAP). */
    boolean mutualDone() {
        return mutualDone;
    }

    /** Handles the CHAP keys of one Login Request; returns the keys to answer with. */
    Map<String, String> onKeys(Map<String, String> keys) throws ChapException {
        Map<String, String> answer = new LinkedHashMap<>();
        switch (state) {
            case AWAIT_ALGORITHM -> {
                String algorithms = keys.get("CHAP_A");
                if (algorithms == null || keys.size() != 1) {
                    throw new ChapException("expected CHAP_A alone, got " + keys.keySet(), true);
                }
                boolean md5 = false;
                for (String a : algorithms.split(",")) {
                    md5 |= a.equals(MD5);
                }
                if (!md5) {
                    throw new ChapException("no supported CHAP algorithm in CHAP_A=" + algorithms, false);
                }
                identifier = random.nextInt(256);
                challenge = new byte[CHALLENGE_LENGTH];
                random.nextBytes(challenge);
                answer.put("CHAP_A", MD5);
                answer.put("CHAP_I", Integer.toString(identifier));
                answer.put("CHAP_C", "0x" + HexFormat.of().formatHex(challenge));
                state = State.AWAIT_RESPONSE;
            }
            case AWAIT_RESPONSE -> {
                String name = keys.get("CHAP_N");
                String response = keys.get("CHAP_R");
                String mutualId = keys.get("CHAP_I");
                String mutualChallenge = keys.get("CHAP_C");
                int known = (name != null ? 1 : 0) + (response != null ? 1 : 0) + (mutualId != null ? 1 : 0)
                        + (mutualChallenge != null ? 1 : 0);
                if (name == null || response == null || known != keys.size()
                        || (mutualId == null) != (mutualChallenge == null)) {
                    throw new ChapException("expected CHAP_N and CHAP_R (and CHAP_I with CHAP_C), got "
                            + keys.keySet(), true);
                }
                byte[] proof = decodeBinary(response);
                boolean userOk = MessageDigest.isEqual(name.getBytes(StandardCharsets.UTF_8),
                        expected.user().getBytes(StandardCharsets.UTF_8));
                boolean proofOk = MessageDigest.isEqual(proof, md5(identifier, expected.secret(), challenge));
                if (!userOk || !proofOk) {
                    throw new ChapException("CHAP response for " + name + " does not match", false);
                }
                if (mutualId != null) {
                    if (mutual == null) {
                        throw new ChapException("mutual CHAP asked but no target credentials configured", false);
                    }
                    long id = IscsiKey.parseNumber(mutualId);
                    byte[] theirChallenge = decodeBinary(mutualChallenge);
                    if (id < 0 || id > 255 || theirChallenge.length == 0) {
                        throw new ChapException("bad mutual CHAP_I/CHAP_C", true);
                    }
                    if (MessageDigest.isEqual(theirChallenge, challenge)) {
                        throw new ChapException("mutual challenge reflects ours", false);
                    }
                    answer.put("CHAP_N", mutual.user());
                    answer.put("CHAP_R", "0x" + HexFormat.of().formatHex(md5((int) id, mutual.secret(),
                            theirChallenge)));
                    mutualDone = true;
                }
                state = State.DONE;
            }
            case DONE -> throw new ChapException("CHAP keys after authentication: " + keys.keySet(), true);
        }
        return answer;
    }

    /** RFC 1994 4.1: MD5 over the identifier byte, the secret and the challenge. */
    static byte[] md5(int identifier, String secret, byte[] challenge) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((byte) identifier);
            md5.update(secret.getBytes(StandardCharsets.UTF_8));
            md5.update(challenge);
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    /** RFC 7143 6.1 binary values: 0x hex (an odd digit count has an implied leading 0) or 0b base64. */
    static byte[] decodeBinary(String value) throws ChapException {
        try {
            if (value.length() > 2 && (value.startsWith("0x") || value.startsWith("0X"))) {
                String hex = value.substring(2);
                return HexFormat.of().parseHex(hex.length() % 2 == 0 ? hex : "0" + hex);
            }
            if (value.length() > 2 && (value.startsWith("0b") || value.startsWith("0B"))) {
                return Base64.getDecoder().decode(value.substring(2));
            }
        } catch (IllegalArgumentException e) {
            throw new ChapException("malformed binary value", true);
        }
        throw new ChapException("binary value without 0x or 0b", true);
    }
}
