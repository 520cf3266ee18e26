package org.lunforge.iscsi;

/**
 * The session's command numbering (RFC 7143 4.2.2.1): ExpCmdSN, the next command expected, and MaxCmdSN, the last
 * one the initiator may send. A non-immediate command outside [ExpCmdSN, MaxCmdSN] is dropped unanswered; one
 * inside but beyond ExpCmdSN waits for the gap before it to close.
 *
 * <p>The window is the number of commands the session may have running: MaxCmdSN = ExpCmdSN - 1 + size - running.
 * Delivering a command moves ExpCmdSN and running together, so MaxCmdSN only moves when a command finishes: the
 * initiator's queue stays full without ever exceeding {@code size} commands in the target. MaxCmdSN never moves
 * back (the initiator would ignore it, 4.2.2.1).
 */
final class IscsiCommandWindow {
    enum Admission { NOW, LATER, DROP }

    private final int size;
    private int expCmdSN;
    private int maxCmdSN;
    private int running;

    IscsiCommandWindow(int firstCmdSN, int size) {
        this.size = size;
        this.expCmdSN = firstCmdSN;
        this.maxCmdSN = firstCmdSN + size - 1;
    }

    int expCmdSN() {
        return expCmdSN;
    }

    int maxCmdSN() {
        int candidate = expCmdSN - 1 + size - running;
        if (IscsiSerial.greaterThan(candidate, maxCmdSN)) {
            maxCmdSN = candidate;
        }
        return maxCmdSN;
    }

    /** Where a non-immediate command with this CmdSN goes. */
    Admission admit(int cmdSN) {
        int max = maxCmdSN();
        if (!IscsiSerial.atMost(expCmdSN, cmdSN) || !IscsiSerial.atMost(cmdSN, max)) {
            return Admission.DROP; // a closed window (MaxCmdSN = ExpCmdSN - 1) takes nothing, not even ExpCmdSN
        }
        return cmdSN == expCmdSN ? Admission.NOW : Admission.LATER;
    }

    /** True if {@code cmdSN} is still to come: at or after ExpCmdSN and inside the window. */
    boolean awaited(int cmdSN) {
        return IscsiSerial.atMost(expCmdSN, cmdSN) && IscsiSerial.atMost(cmdSN, maxCmdSN());
    }

    /** The command at ExpCmdSN has been taken. */
    void advance() {
        expCmdSN++;
    }

    void started() {
        running++;
    }

    void finished() {
        running--;
    }

    int running() {
        return running;
    }
}
