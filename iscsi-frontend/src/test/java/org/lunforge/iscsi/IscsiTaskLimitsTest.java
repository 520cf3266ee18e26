package org.lunforge.iscsi;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.iscsi.IscsiPeer.cdb10;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.ScsiStatus;

/**
 * Issue 9, finding 2: every count an initiator controls is bounded. Immediate commands bypass the command window
 * (RFC 7143 3.2.2.1), so the task set of a session has its own cap, answered TASK SET FULL (SAM-5 5.3.1), and the
 * daemon a shared budget across sessions for the tasks beyond each session's command window, answered BUSY; never
 * memory. A session that goes on sending after a whole task set's worth of refusals loses its connection.
 */
class IscsiTaskLimitsTest {
    static final String TARGET = "iqn.2026-11.org.lunforge:limits";
    static final int WRITE_10 = 0x2A;
    static final Cdb TEST_UNIT_READY = Cdb.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    static final int WINDOW = 8;
    static final int SESSION_TASKS = 16;
    /** Shares for the tasks beyond the window: one session's full task set and half another's. */
    static final int SERVER_TASKS = 12;

    private final IscsiServer server = new IscsiServer(IscsiServerOptions.defaults()
            .withCommandWindow(WINDOW).withTaskLimits(SESSION_TASKS, SERVER_TASKS));
    private final List<IscsiPeer> peers = new ArrayList<>();

    IscsiTaskLimitsTest() {
        server.addTarget(new IscsiTarget(TARGET).portalGroup(new IscsiPortalGroup(1, 1, List.of(
                new IscsiPortal("127.0.0.1", 3260))).generateNodeAcls(true)
                .lun(0, RamDisk.logicalUnit("limits", 4 << 20, null))));
    }

    @AfterEach
    void close() {
        peers.forEach(IscsiPeer::close);
    }

    private IscsiPeer connect(String... loginKeys) {
        IscsiPeer p = new IscsiPeer(server);
        p.isid = IscsiPeer.ISID + peers.size();
        peers.add(p);
        p.loginNormal(TARGET, loginKeys);
        return p;
    }

    private static IscsiSessionHandler session(IscsiPeer p) {
        return p.channel.pipeline().get(IscsiSessionHandler.class);
    }

    /** An immediate WRITE announcing unsolicited Data-Out (F=0) that never comes: it waits forever. */
    private static IscsiScsiCommand starvedWrite(IscsiPeer p, int lba) {
        return new IscsiScsiCommand(true, false, false, true, 1, 0, ++p.itt, 4096, p.cmdSN, p.expStatSN,
                cdb10(WRITE_10, lba, 8), -1, Unpooled.EMPTY_BUFFER);
    }

    /** Sends {@code n} starved immediate WRITEs; returns the statuses of the responses they drew. */
    private static List<Integer> flood(IscsiPeer p, int n) {
        for (int i = 0; i < n; i++) {
            p.send(starvedWrite(p, i));
        }
        List<Integer> statuses = new ArrayList<>();
        for (IscsiPdu pdu : p.received()) {
            if (pdu instanceof IscsiScsiResponse r) {
                statuses.add(r.status());
            }
            pdu.release();
        }
        return statuses;
    }

    @Test
    void floodOfImmediateWritesWithoutDataHoldsAtMostTheSessionsTaskSet() {
        IscsiPeer p = connect();
        List<Integer> statuses = flood(p, 2 * SESSION_TASKS);
        assertEquals(SESSION_TASKS, statuses.size(), "every command beyond the cap is answered");
        assertTrue(statuses.stream().allMatch(s -> s == ScsiStatus.TASK_SET_FULL.code()), statuses.toString());
        assertEquals(SESSION_TASKS, session(p).liveTasks());
        assertEquals(SESSION_TASKS - WINDOW, server.taskBudget().inUse(), "the window is the session's own");
        // The session is alive: a ping is still answered.
        p.send(new IscsiNopOut(true, 0, 0x4242, IscsiConstants.RESERVED_TAG, p.cmdSN, p.expStatSN,
                Unpooled.EMPTY_BUFFER));
        IscsiNopIn pong = p.next(IscsiNopIn.class);
        assertEquals(0x4242, pong.initiatorTaskTag());
        pong.release();
        p.close();
        assertEquals(0, server.taskBudget().inUse(), "a closed session gives its tasks back");
    }

    @Test
    void aSessionThatFloodsOnAfterTaskSetFullLosesItsConnection() {
        IscsiPeer p = connect();
        flood(p, 2 * SESSION_TASKS);
        assertTrue(p.channel.isOpen(), "a task set's worth of refusals is answered");
        p.send(starvedWrite(p, 0));
        p.channel.runPendingTasks();
        assertFalse(p.channel.isOpen(), "one more, with no task ended in between, is a flood");
        assertEquals(0, server.taskBudget().inUse(), "the dropped session gave its shares back");
    }

    @Test
    void theDaemonsBudgetIsSharedAndAnsweredBusyWhenSpent() {
        IscsiPeer first = connect();
        IscsiPeer second = connect();
        assertEquals(List.of(), flood(first, SESSION_TASKS));
        assertEquals(SESSION_TASKS - WINDOW, server.taskBudget().inUse());
        List<Integer> statuses = flood(second, SESSION_TASKS);
        int secondShares = SERVER_TASKS - (SESSION_TASKS - WINDOW);
        assertEquals(SESSION_TASKS - WINDOW - secondShares, statuses.size());
        assertTrue(statuses.stream().allMatch(s -> s == ScsiStatus.BUSY.code()), statuses.toString());
        assertEquals(SERVER_TASKS, server.taskBudget().inUse());
        first.close();
        assertEquals(secondShares, server.taskBudget().inUse());
    }

    @Test
    void aSessionWithinItsWindowIsNeverBusyWhenOthersSpentTheBudget() {
        IscsiPeer first = connect();
        IscsiPeer second = connect();
        flood(first, SESSION_TASKS);
        flood(second, SESSION_TASKS);
        assertEquals(SERVER_TASKS, server.taskBudget().inUse(), "spent");
        IscsiPeer bystander = connect();
        assertEquals(List.of(), flood(bystander, WINDOW), "its window is its own reserve");
        assertEquals(WINDOW, session(bystander).liveTasks());
    }

    @Test
    void aRefusedCommandInTheWindowStillTakesItsCmdSn() {
        IscsiPeer p = connect();
        flood(p, SESSION_TASKS);
        int cmdSN = p.cmdSN;
        p.send(new IscsiScsiCommand(false, true, false, false, 1, 0, ++p.itt, 0, p.cmdSN++, p.expStatSN,
                TEST_UNIT_READY, -1, Unpooled.EMPTY_BUFFER));
        IscsiScsiResponse full = p.next(IscsiScsiResponse.class);
        assertEquals(ScsiStatus.TASK_SET_FULL.code(), full.status());
        assertEquals(cmdSN + 1, full.expCmdSN(), "the command was received: its CmdSN is used");
        full.release();
        // One out of order waits for the gap like any command, and is refused without leaving a task behind.
        p.send(new IscsiScsiCommand(false, true, false, false, 1, 0, ++p.itt, 0, cmdSN + 2, p.expStatSN,
                TEST_UNIT_READY, -1, Unpooled.EMPTY_BUFFER));
        IscsiScsiResponse later = p.next(IscsiScsiResponse.class);
        assertEquals(ScsiStatus.TASK_SET_FULL.code(), later.status());
        later.release();
        p.send(new IscsiScsiCommand(false, true, false, false, 1, 0, ++p.itt, 0, cmdSN + 1, p.expStatSN,
                TEST_UNIT_READY, -1, Unpooled.EMPTY_BUFFER));
        IscsiScsiResponse gap = p.next(IscsiScsiResponse.class);
        assertEquals(cmdSN + 3, gap.expCmdSN(), "the gap closed and the refused command's CmdSN was taken");
        gap.release();
        assertEquals(SESSION_TASKS, session(p).liveTasks());
    }

    @Test
    void commandsReadWhileTheSocketCannotTakeResponsesWaitUnexecutedAndRunInOrderWhenItCan() {
        IscsiPeer p = connect();
        p.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        for (int i = 0; i < 3; i++) {
            p.send(new IscsiScsiCommand(true, true, false, false, 1, 0, ++p.itt, 0, p.cmdSN, p.expStatSN,
                    TEST_UNIT_READY, -1, Unpooled.EMPTY_BUFFER));
        }
        assertEquals(List.of(), p.received(), "an initiator that does not read gets no more answers queued");
        assertEquals(0, session(p).liveTasks(), "and nothing more is carried out for it");
        assertFalse(p.channel.config().isAutoRead());
        int first = p.itt - 2;
        p.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        List<Integer> answered = new ArrayList<>();
        for (IscsiPdu pdu : p.received()) {
            if (pdu instanceof IscsiScsiResponse r) {
                answered.add(r.initiatorTaskTag()); // the first one reports the power-on unit attention
            }
            pdu.release();
        }
        assertEquals(List.of(first, first + 1, first + 2), answered);
        assertTrue(p.channel.config().isAutoRead());
    }

    @Test
    void outstandingR2tsAreBoundedByTheTaskSet() {
        IscsiPeer p = connect("MaxBurstLength", "4096", "MaxOutstandingR2T", "2");
        for (int i = 0; i < SESSION_TASKS + 10; i++) {
            // Immediate WRITEs of 64 KiB with no data at all: each is owed R2Ts it never answers.
            p.send(new IscsiScsiCommand(true, true, false, true, 1, 0, ++p.itt, 65536, p.cmdSN, p.expStatSN,
                    cdb10(WRITE_10, i * 128, 128), -1, Unpooled.EMPTY_BUFFER));
        }
        int r2ts = 0;
        int full = 0;
        for (IscsiPdu pdu : p.received()) {
            if (pdu instanceof IscsiR2t) {
                r2ts++;
            } else if (pdu instanceof IscsiScsiResponse r && r.status() == ScsiStatus.TASK_SET_FULL.code()) {
                full++;
            }
            pdu.release();
        }
        assertEquals(SESSION_TASKS * 2, r2ts, "MaxOutstandingR2T per task, for the tasks the session holds");
        assertEquals(10, full);
    }
}
