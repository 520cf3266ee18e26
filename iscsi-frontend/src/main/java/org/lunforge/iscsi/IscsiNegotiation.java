package org.lunforge.iscsi;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The operational part of one login's negotiation (RFC 7143 6.2, 13): applies each key's result function to the
 * initiator's offer and this target's {@link IscsiServerOptions}, and keeps the outcome. Security keys and the
 * names are the login handler's; SendTargets is the text exchange's.
 *
 * <p>Answers: the result value for negotiated keys; nothing for declarations; {@code Reject} for a value outside
 * the key's range or syntax, for a key only targets send, and for a login-only key in full feature phase;
 * {@code NotUnderstood} for unknown and extension keys.
 */
final class IscsiNegotiation {
    /** A key offered twice in one login (6.2: "a key... MUST NOT be renegotiated"). */
    static final class RenegotiationException extends Exception {
        RenegotiationException(String key) {
            super(key + " offered twice in one login", null, false, false);
        }
    }

    private final IscsiServerOptions options;
    private final Set<IscsiKey> negotiated = EnumSet.noneOf(IscsiKey.class);
    private boolean headerDigest;
    private boolean dataDigest;
    private boolean initialR2t = true;
    private boolean immediateData = true;
    private int initiatorMaxRecvDataSegmentLength = 8192;
    private int maxBurstLength = 262144;
    private int firstBurstLength = 65536;
    private int defaultTime2Wait = 2;
    private int defaultTime2Retain = 20;
    private int maxOutstandingR2t = 1;
    private int errorRecoveryLevel;
    private String initiatorAlias;

    IscsiNegotiation(IscsiServerOptions options) {
        this.options = options;
    }

    /** True if the key is one this class negotiates (the rest are the caller's). */
    static boolean operational(String name) {
        IscsiKey key = IscsiKey.of(name);
        if (key == null) {
            return true;
        }
        return key.use() != IscsiKey.Use.SECURITY && key != IscsiKey.SEND_TARGETS && key != IscsiKey.TARGET_NAME
                && key != IscsiKey.INITIATOR_NAME && key != IscsiKey.SESSION_TYPE;
    }

    /** Negotiates one key in login, adding the answer (if any) to {@code answers}. */
    void login(String name, String value, Map<String, String> answers) throws RenegotiationException {
        IscsiKey key = IscsiKey.of(name);
        if (key == null) {
            answers.put(name, "NotUnderstood");
            return;
        }
        if (key.result() != IscsiKey.Result.DECLARATIVE && !negotiated.add(key)) {
            throw new RenegotiationException(name);
        }
        answers.put(name, null);
        String answer = switch (key) {
            case HEADER_DIGEST -> {
                String chosen = choose(value, options.headerDigest()::accepts);
                headerDigest = "CRC32C".equals(chosen);
                yield chosen;
            }
            case DATA_DIGEST -> {
                String chosen = choose(value, options.dataDigest()::accepts);
                dataDigest = "CRC32C".equals(chosen);
                yield chosen;
            }
            case TASK_REPORTING -> choose(value, "RFC3720"::equals);
            case MAX_CONNECTIONS -> number(key, value, 1, true);
            case MAX_BURST_LENGTH -> {
                String r = number(key, value, options.maxBurstLength(), true);
                maxBurstLength = resultOr(r, maxBurstLength);
                yield r;
            }
            case FIRST_BURST_LENGTH -> {
                String r = number(key, value, options.firstBurstLength(), true);
                firstBurstLength = resultOr(r, firstBurstLength);
                yield r;
            }
            case DEFAULT_TIME_2_WAIT -> {
                String r = number(key, value, options.defaultTime2Wait(), false);
                defaultTime2Wait = resultOr(r, defaultTime2Wait);
                yield r;
            }
            case DEFAULT_TIME_2_RETAIN -> {
                String r = number(key, value, options.defaultTime2Retain(), true);
                defaultTime2Retain = resultOr(r, defaultTime2Retain);
                yield r;
            }
            case MAX_OUTSTANDING_R2T -> {
                String r = number(key, value, options.maxOutstandingR2t(), true);
                maxOutstandingR2t = resultOr(r, maxOutstandingR2t);
                yield r;
            }
            case ERROR_RECOVERY_LEVEL -> {
                String r = number(key, value, 0, true);
                errorRecoveryLevel = resultOr(r, errorRecoveryLevel);
                yield r;
            }
            case INITIAL_R2T -> {
                String r = bool(value, options.initialR2t(), false);
                initialR2t = r.equals("Yes") || r.equals("Reject") && initialR2t;
                yield r;
            }
            case IMMEDIATE_DATA -> {
                String r = bool(value, options.immediateData(), true);
                immediateData = r.equals("Yes");
                yield r;
            }
            // We only accept data in order (the result is Yes as soon as one side says Yes).
            case DATA_PDU_IN_ORDER, DATA_SEQUENCE_IN_ORDER -> bool(value, true, false);
            case RDMA_EXTENSIONS -> bool(value, false, true);
            case OF_MARKER, IF_MARKER, OF_MARK_INT, IF_MARK_INT -> key.defaultValue();
            case MAX_RECV_DATA_SEGMENT_LENGTH -> {
                long n = IscsiKey.parseNumber(value);
                if (n < key.min() || n > key.max()) {
                    yield "Reject";
                }
                initiatorMaxRecvDataSegmentLength = (int) n;
                yield null;
            }
            case INITIATOR_ALIAS -> {
                initiatorAlias = value;
                yield null;
            }
            case TARGET_ALIAS, TARGET_ADDRESS, TARGET_PORTAL_GROUP_TAG -> "Reject";
            default -> throw new IllegalArgumentException(name + " is not an operational key");
        };
        if (answer == null) {
            answers.remove(name);
        } else {
            answers.put(name, answer);
        }
    }

    /**
     * A key in a full feature phase Text Request: only MaxRecvDataSegmentLength and the aliases may change (their
     * Use is ALL); returns the new initiator MaxRecvDataSegmentLength, or -1 if unchanged.
     */
    static int fullFeature(String name, String value, Map<String, String> answers) {
        IscsiKey key = IscsiKey.of(name);
        if (key == null) {
            answers.put(name, "NotUnderstood");
        } else if (key == IscsiKey.MAX_RECV_DATA_SEGMENT_LENGTH) {
            long n = IscsiKey.parseNumber(value);
            if (n >= key.min() && n <= key.max()) {
                return (int) n;
            }
            answers.put(name, "Reject");
        } else if (key != IscsiKey.INITIATOR_ALIAS) {
            answers.put(name, "Reject");
        }
        return -1;
    }

    /** The outcome; FirstBurstLength never exceeds MaxBurstLength (13.14). */
    IscsiSessionParameters result(String initiatorName, String targetName, boolean discovery) {
        return new IscsiSessionParameters(initiatorName, initiatorAlias, targetName, discovery, headerDigest,
                dataDigest, initialR2t, immediateData, initiatorMaxRecvDataSegmentLength,
                options.maxRecvDataSegmentLength(), maxBurstLength, Math.min(firstBurstLength, maxBurstLength),
                defaultTime2Wait, defaultTime2Retain, maxOutstandingR2t, errorRecoveryLevel);
    }

    /** 6.2.2: the first value of the offered list that we support, or Reject. */
    private static String choose(String offered, java.util.function.Predicate<String> supported) {
        for (String v : offered.split(",", -1)) {
            if (supported.test(v)) {
                return v;
            }
        }
        return "Reject";
    }

    /** MIN (or MAX) of the offer and ours, or Reject for a value outside the key's range. */
    private static String number(IscsiKey key, String value, long ours, boolean minimum) {
        long n = IscsiKey.parseNumber(value);
        if (n < key.min() || n > key.max()) {
            return "Reject";
        }
        return Long.toString(minimum ? Math.min(n, ours) : Math.max(n, ours));
    }

    private static int resultOr(String answer, int current) {
        return answer.equals("Reject") ? current : Integer.parseInt(answer);
    }

    /** AND (and=true) or OR of the offer and ours, or Reject for anything but Yes and No. */
    private static String bool(String value, boolean ours, boolean and) {
        if (!value.equals("Yes") && !value.equals("No")) {
            return "Reject";
        }
        boolean theirs = value.equals("Yes");
        return (and ? theirs && ours : theirs || ours) ? "Yes" : "No";
    }
}
