package org.lunforge.iscsi;

import java.time.Duration;
import java.util.Objects;

/**
 * What the target offers in negotiation and how it paces connections. The negotiation values are this target's
 * side of RFC 7143 13's result functions; the initiator's offer decides the rest.
 *
 * @param maxRecvDataSegmentLength what we declare we receive in one PDU (13.12), 512..2^24-1
 * @param maxBurstLength our offer for MaxBurstLength (13.13); the result is the smaller offer
 * @param firstBurstLength our offer for FirstBurstLength (13.14); the result is the smaller offer
 * @param maxOutstandingR2t our offer for MaxOutstandingR2T (13.17)
 * @param initialR2t our InitialR2T (13.10): false lets the initiator send unsolicited data if it wishes
 * @param immediateData our ImmediateData (13.11)
 * @param headerDigest which header digests we accept; dataDigest the same for data
 * @param defaultTime2Wait, defaultTime2Retain our offers (13.15, 13.16)
 * @param commandWindow how many non-immediate commands one session may have in flight: MaxCmdSN - ExpCmdSN + 1
 *     when nothing is running (the queue depth the initiator sees)
 * @param maxTransferLength the largest Expected Data Transfer Length a command may have; the data-in buffer is
 *     allocated at that size, so this bounds memory per command
 * @param loginTimeout how long a connection may take to log in
 * @param nopInterval idle time after which the target pings with a NOP-In; zero disables pings
 * @param nopTimeout how long a ping may go unanswered before the connection is dropped
 * @param logoutTimeout on shutdown or target removal, how long initiators get to log out after an Async Message
 * @param taskAbortedStatus when a reset or CLEAR TASK SET aborts tasks of other sessions, answer them with TASK
 *     ABORTED (SAM-5 TAS=1) rather than nothing (TAS=0)
 * @param sessionTasks the most tasks one session may hold, immediate commands included (they bypass the command
 *     window, RFC 7143 3.2.2.1); a command beyond it is answered TASK SET FULL (SAM-5 5.3.1). With the window and
 *     MaxOutstandingR2T it bounds a session's waiting commands (at most the window) and R2Ts (at most
 *     sessionTasks x MaxOutstandingR2T)
 * @param serverTasks the most tasks beyond their command windows all sessions together may hold: a budget shared
 *     across the daemon, a command beyond it answered BUSY (SAM-5 5.3.1: a transient target-wide shortage). The
 *     window is each session's own reserve, so a session that keeps to it is never BUSY because others flood
 */
public record IscsiServerOptions(int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                                 int maxOutstandingR2t, boolean initialR2t, boolean immediateData,
                                 IscsiDigestPolicy headerDigest, IscsiDigestPolicy dataDigest, int defaultTime2Wait,
                                 int defaultTime2Retain, int commandWindow, int maxTransferLength,
                                 Duration loginTimeout, Duration nopInterval, Duration nopTimeout,
                                 Duration logoutTimeout, boolean taskAbortedStatus, int sessionTasks,
                                 int serverTasks) {
    public IscsiServerOptions {
        checkRange("MaxRecvDataSegmentLength", maxRecvDataSegmentLength, 512, IscsiConstants.MAX_DATA_SEGMENT_LENGTH);
        checkRange("MaxBurstLength", maxBurstLength, 512, IscsiConstants.MAX_DATA_SEGMENT_LENGTH);
        checkRange("FirstBurstLength", firstBurstLength, 512, maxBurstLength);
        checkRange("MaxOutstandingR2T", maxOutstandingR2t, 1, 65535);
        checkRange("DefaultTime2Wait", defaultTime2Wait, 0, 3600);
        checkRange("DefaultTime2Retain", defaultTime2Retain, 0, 3600);
        checkRange("command window", commandWindow, 1, 1 << 20);
        checkRange("max transfer length", maxTransferLength, 512, Integer.MAX_VALUE);
        checkRange("session tasks", sessionTasks, 1, 1 << 20);
        checkRange("server tasks", serverTasks, 1, 1 << 24);
        Objects.requireNonNull(headerDigest, "headerDigest");
        Objects.requireNonNull(dataDigest, "dataDigest");
        Objects.requireNonNull(loginTimeout, "loginTimeout");
        Objects.requireNonNull(nopInterval, "nopInterval");
        Objects.requireNonNull(nopTimeout, "nopTimeout");
        Objects.requireNonNull(logoutTimeout, "logoutTimeout");
    }

    /**
     * Defaults chosen for throughput: 256 KiB data segments and bursts of 1 MiB (the initiator's smaller offer wins),
     * unsolicited data allowed, 128 commands in flight per session, digests at the initiator's choice; a session
     * holds at most 256 tasks (the window twice); the tasks beyond their windows all sessions together may hold
     * are 8192 (64 sessions with a full task set).
     */
    public static IscsiServerOptions defaults() {
        return new IscsiServerOptions(262144, 1048576, 262144, 8, false, true, IscsiDigestPolicy.OPTIONAL,
                IscsiDigestPolicy.OPTIONAL, 2, 20, 128, 64 << 20, Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(15), Duration.ofSeconds(3), true, 256, 8192);
    }

    public IscsiServerOptions withCommandWindow(int window) {
        return new IscsiServerOptions(maxRecvDataSegmentLength, maxBurstLength, firstBurstLength, maxOutstandingR2t,
                initialR2t, immediateData, headerDigest, dataDigest, defaultTime2Wait, defaultTime2Retain, window,
                maxTransferLength, loginTimeout, nopInterval, nopTimeout, logoutTimeout, taskAbortedStatus,
                sessionTasks, serverTasks);
    }

    public IscsiServerOptions withNop(Duration interval, Duration timeout) {
        return new IscsiServerOptions(maxRecvDataSegmentLength, maxBurstLength, firstBurstLength, maxOutstandingR2t,
                initialR2t, immediateData, headerDigest, dataDigest, defaultTime2Wait, defaultTime2Retain,
                commandWindow, maxTransferLength, loginTimeout, interval, timeout, logoutTimeout, taskAbortedStatus,
                sessionTasks, serverTasks);
    }

    public IscsiServerOptions withBursts(int maxRecvDataSegment, int firstBurst, int maxBurst, int maxR2t,
                                         boolean initialR2tYes, boolean immediateDataYes) {
        return new IscsiServerOptions(maxRecvDataSegment, maxBurst, firstBurst, maxR2t, initialR2tYes,
                immediateDataYes, headerDigest, dataDigest, defaultTime2Wait, defaultTime2Retain, commandWindow,
                maxTransferLength, loginTimeout, nopInterval, nopTimeout, logoutTimeout, taskAbortedStatus,
                sessionTasks, serverTasks);
    }

    public IscsiServerOptions withDigests(IscsiDigestPolicy header, IscsiDigestPolicy data) {
        return new IscsiServerOptions(maxRecvDataSegmentLength, maxBurstLength, firstBurstLength, maxOutstandingR2t,
                initialR2t, immediateData, header, data, defaultTime2Wait, defaultTime2Retain, commandWindow,
                maxTransferLength, loginTimeout, nopInterval, nopTimeout, logoutTimeout, taskAbortedStatus,
                sessionTasks, serverTasks);
    }

    public IscsiServerOptions withTimeouts(Duration login, Duration logout) {
        return new IscsiServerOptions(maxRecvDataSegmentLength, maxBurstLength, firstBurstLength, maxOutstandingR2t,
                initialR2t, immediateData, headerDigest, dataDigest, defaultTime2Wait, defaultTime2Retain,
                commandWindow, maxTransferLength, login, nopInterval, nopTimeout, logout, taskAbortedStatus,
                sessionTasks, serverTasks);
    }

    /** @param perSession {@link #sessionTasks()}; @param perServer {@link #serverTasks()} */
    public IscsiServerOptions withTaskLimits(int perSession, int perServer) {
        return new IscsiServerOptions(maxRecvDataSegmentLength, maxBurstLength, firstBurstLength, maxOutstandingR2t,
                initialR2t, immediateData, headerDigest, dataDigest, defaultTime2Wait, defaultTime2Retain,
                commandWindow, maxTransferLength, loginTimeout, nopInterval, nopTimeout, logoutTimeout,
                taskAbortedStatus, perSession, perServer);
    }

    private static void checkRange(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " outside " + min + ".." + max);
        }
    }
}
