package org.lunforge.iscsi;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;
import static org.lunforge.iscsi.IscsiConstants.RESERVED_TAG;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LunAddress;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.TaskResponse;
import org.lunforge.scsi.TaskRouter;

/**
 * Full feature phase of one session (RFC 7143 4.2, 11): commands in CmdSN order, Data-Out and R2T, responses and
 * Data-In, NOP, task management, text, logout, Reject. Everything here runs on the connection's event loop; the
 * only entry from other threads is {@link IscsiTask#complete}, which posts back here.
 *
 * <p>Two error levels: a PDU that breaks the protocol is answered with a Reject (or the connection is dropped when
 * framing is lost); a command that cannot be carried out properly ends with CHECK CONDITION, once all the data the
 * initiator owes for it has arrived.
 *
 * <p>Bounds on what the initiator controls: non-immediate commands, running or waiting for a gap, stay inside the
 * command window ({@link IscsiCommandWindow}); all tasks, immediate ones included, at most
 * {@link IscsiServerOptions#sessionTasks()} (TASK SET FULL beyond) and a share of the daemon's
 * {@link IscsiTaskBudget} (BUSY beyond); open R2Ts at most MaxOutstandingR2T per task.
 *
 * <p>Writes are not flushed one by one: responses produced while reading are flushed at channelReadComplete, those
 * produced by completions from other threads by one flush task queued behind them.
 *
 * <p>Reference counting: every PDU read is released here or handed on with its buffer (Data-Out and immediate data
 * to the task, ping data to the NOP-In). PDUs written are released by the encoder.
 */
final class IscsiSessionHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(IscsiSessionHandler.class.getName());
    private static final Object TOMBSTONE = new Object();
    /**
     * Data queued beyond this is flushed at once rather than at the end of the batch: small responses coalesce into
     * one writev, large ones start moving while the next is being produced (the initiator overlaps with us).
     */
    private static final int FLUSH_BYTES = 128 * 1024;

    private final IscsiSession session;
    private final IscsiServerOptions options;
    private final IscsiCommandWindow window;
    private final IscsiTaskManagement taskManagement;
    private final IscsiTextExchange text;
    private final IscsiDataOutFlow dataOut;
    private final IntObjectHashMap<IscsiTask> tasks = new IntObjectHashMap<>();
    /** Commands (tasks or other PDUs) inside the window that wait for an earlier CmdSN, by CmdSN. */
    private final IntObjectHashMap<Object> waiting = new IntObjectHashMap<>();
    private final Runnable flushTask = this::flushNow;
    private IscsiSessionParameters params;
    ChannelHandlerContext ctx;
    private int statSN;
    private int expStatSN;
    private int nextTag;
    private boolean inRead;
    private boolean needsFlush;
    private int unflushedBytes;
    private boolean flushScheduled;
    private boolean closed;
    private boolean loggedOut;
    private boolean readSinceCheck;
    private int pingTag = RESERVED_TAG;
    /** PDUs read while the socket could not take our responses, waiting to be carried out in order. */
    private final ArrayDeque<Object> deferred = new ArrayDeque<>();
    /** Commands refused (TASK SET FULL, BUSY) since a task of this session last ended. */
    private int refusedSinceProgress;
    private ScheduledFuture<?> pingTimer;
    private ScheduledFuture<?> pingTimeout;

    IscsiSessionHandler(IscsiSession session, IscsiSessionParameters params, IscsiServerOptions options,
                        int firstCmdSN, int statSN) {
        this.session = session;
        this.params = params;
        this.options = options;
        this.window = new IscsiCommandWindow(firstCmdSN, options.commandWindow());
        this.statSN = statSN;
        this.expStatSN = statSN;
        this.nextTag = (int) (System.nanoTime() & 0x7FFF_0000) | 1;
        this.taskManagement = new IscsiTaskManagement(this);
        this.text = new IscsiTextExchange(this);
        this.dataOut = new IscsiDataOutFlow(this);
    }

    // ---- accessors for the task, TMF and text helpers

    EventLoop eventLoop() {
        return session.eventLoop();
    }

    IscsiSession session() {
        return session;
    }

    IscsiTaskManagement taskManagement() {
        return taskManagement;
    }

    IscsiSessionParameters params() {
        return params;
    }

    void params(IscsiSessionParameters newParams) {
        this.params = newParams;
    }

    Nexus nexus() {
        return session.nexus;
    }

    IscsiCommandWindow window() {
        return window;
    }

    int expStatSN() {
        return expStatSN;
    }

    /** The StatSN the next status-bearing PDU will carry. */
    int statSN() {
        return statSN;
    }

    int advanceStatSN() {
        return statSN++;
    }

    int expCmdSN() {
        return window.expCmdSN();
    }

    int maxCmdSN() {
        return window.maxCmdSN();
    }

    /** A fresh Target Transfer Tag (R2T, NOP-In ping, text continuation), never 0xffffffff. */
    int newTag() {
        int tag = nextTag++;
        return tag == RESERVED_TAG ? nextTag++ : tag;
    }

    IscsiTask task(int itt) {
        return tasks.get(itt);
    }

    List<IscsiTask> tasks() {
        return new ArrayList<>(tasks.values());
    }

    /**
     * Shares of the daemon's task budget this session holds: one per task beyond its command window. The tasks a
     * well-behaved initiator can have (the window) are its own reserve, so sessions that flood immediate commands
     * spend the shared budget and get BUSY, never the sessions that keep to their window.
     */
    private int budgetShares() {
        return Math.max(0, tasks.size() - options.commandWindow());
    }

    /** Tasks this session holds now, waiting ones included: at most {@link IscsiServerOptions#sessionTasks()}. */
    int liveTasks() {
        return tasks.size();
    }

    // ---- channel events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        session.handler = this;
        long interval = options.nopInterval().toMillis();
        if (interval > 0) {
            pingTimer = ctx.executor().scheduleAtFixedRate(this::idleCheck, interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        readSinceCheck = true;
        if (closed || loggedOut) {
            release(msg);
            return;
        }
        if (!deferred.isEmpty() || !ctx.channel().isWritable()) {
            if (msg instanceof IscsiPdu || msg instanceof IscsiPduError) {
                deferred.add(msg);
                return;
            }
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        switch (msg) {
            case IscsiScsiCommand c -> {
                acknowledge(c.expStatSN());
                scsiCommand(c);
            }
            case IscsiDataOut d -> {
                acknowledge(d.expStatSN());
                dataOut.dataOut(d, d.data().readableBytes(), false);
            }
            case IscsiNopOut n -> {
                acknowledge(n.expStatSN());
                nopOut(n);
            }
            case IscsiTaskManagementRequest t -> {
                acknowledge(t.expStatSN());
                if (session.discovery()) {
                    rejectPdu(IscsiConstants.REJECT_PROTOCOL_ERROR, t);
                } else {
                    ordered(t, t.immediate(), t.cmdSN());
                }
            }
            case IscsiTextRequest t -> {
                acknowledge(t.expStatSN());
                ordered(t, t.immediate(), t.cmdSN());
            }
            case IscsiLogoutRequest l -> {
                acknowledge(l.expStatSN());
                ordered(l, l.immediate(), l.cmdSN());
            }
            case IscsiSnackRequest s -> {
                acknowledge(s.expStatSN());
                rejectPdu(IscsiConstants.REJECT_PROTOCOL_ERROR, s); // ErrorRecoveryLevel 0: no SNACK (11.16)
            }
            case IscsiPduError e -> pduError(e);
            case IscsiPdu other -> {
                rejectPdu(IscsiConstants.REJECT_PROTOCOL_ERROR, other);
                other.release();
            }
            default -> ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (needsFlush) {
            flushNow();
        }
        ctx.fireChannelReadComplete();
    }

    /**
     * Back pressure: while the socket cannot take what we have queued (above the high water mark), no new
     * commands are read, so Data-In does not pile up in memory; reading resumes below the low mark. PDUs already
     * read in that batch wait in {@link #deferred}, in order and unexecuted (at most one read batch of input), and
     * run first when the socket takes data again: an initiator that does not read its responses cannot make us
     * queue more than the high water mark plus one batch's answers.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        while (!deferred.isEmpty() && ctx.channel().isWritable() && !closed && !loggedOut) {
            dispatch(deferred.poll());
        }
        if (needsFlush && !inRead) {
            flushNow();
        }
        ctx.channel().config().setAutoRead(ctx.channel().isWritable() && deferred.isEmpty());
        ctx.fireChannelWritabilityChanged();
    }

    private static void release(Object msg) {
        if (msg instanceof IscsiPdu pdu) {
            pdu.release();
        } else if (msg instanceof IscsiPduError e && e.pdu() != null) {
            e.pdu().release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        IscsiLogLimiter log = session.server.initiatorLog();
        if (cause instanceof IscsiCodecException e && e.header() != null) {
            log.log(LOG, INFO, "PDU rejected", () -> session + ": " + e.getMessage() + ", dropping the connection");
            write(new IscsiReject(e.rejectReason(), statSN, expCmdSN(), maxCmdSN(), 0,
                    Unpooled.wrappedBuffer(e.header())));
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (cause instanceof IscsiCodecException || cause instanceof java.io.IOException) {
            log.log(LOG, INFO, cause instanceof IscsiCodecException ? "framing lost" : "connection I/O error",
                    () -> session + ": " + (cause.getMessage() != null ? cause.getMessage() : cause)
                            + ", dropping the connection");
            ctx.close();
        } else {
            log.log(LOG, WARNING, cause.getClass().getName(), () -> session + ": " + cause
                    + ", dropping the connection", cause);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        cancel(pingTimer);
        cancel(pingTimeout);
        for (IscsiTask task : tasks.values()) {
            task.connectionLost();
        }
        for (int shares = budgetShares(); shares > 0; shares--) {
            session.server.taskBudget().giveBack();
        }
        tasks.clear();
        dataOut.clear();
        for (Object msg = deferred.poll(); msg != null; msg = deferred.poll()) {
            release(msg);
        }
        for (Object o : waiting.values()) {
            if (o instanceof IscsiPdu pdu) {
                pdu.release();
            }
        }
        waiting.clear();
        text.release();
        taskManagement.sessionClosed();
        session.server.sessionEnded(session);
        ctx.fireChannelInactive();
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ---- writing

    /** Queues a PDU; it goes out at the next flush of this batch. */
    void write(IscsiPdu pdu) {
        unflushedBytes += pdu.data().readableBytes();
        ctx.write(pdu, ctx.voidPromise());
        needsFlush = true;
        if (unflushedBytes >= FLUSH_BYTES) {
            flushNow();
        } else if (!inRead && !flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        needsFlush = false;
        unflushedBytes = 0;
        ctx.flush();
    }

    void rejectPdu(int reason, IscsiPdu pdu) {
        ByteBuf header = Unpooled.buffer(IscsiConstants.BHS_LENGTH);
        pdu.encodeHeader(header);
        header.setByte(4, pdu.ahsLength() / 4);
        header.setMedium(5, pdu.data().readableBytes());
        reject(reason, header);
    }

    private void reject(int reason, ByteBuf header) {
        write(new IscsiReject(reason, statSN, expCmdSN(), maxCmdSN(), 0, header));
    }

    // ---- command ordering (4.2.2.1)

    private void acknowledge(int initiatorExpStatSN) {
        if (IscsiSerial.greaterThan(initiatorExpStatSN, expStatSN)) {
            expStatSN = initiatorExpStatSN;
            taskManagement.statSNAcknowledged();
        }
    }

    /** Runs a non-SCSI command (NOP-Out, TMF, Text, Logout) in CmdSN order, or drops it outside the window. */
    private void ordered(IscsiPdu pdu, boolean immediate, int cmdSN) {
        if (immediate) {
            execute(pdu);
            return;
        }
        switch (window.admit(cmdSN)) {
            case NOW -> {
                window.advance();
                execute(pdu);
                drainWaiting();
            }
            case LATER -> {
                if (waiting.containsKey(cmdSN)) {
                    pdu.release(); // a duplicate of a command already waiting
                } else {
                    waiting.put(cmdSN, pdu);
                }
            }
            case DROP -> {
                LOG.log(DEBUG, () -> session + ": " + pdu.opcode() + " with CmdSN " + Integer.toUnsignedString(cmdSN)
                        + " outside [" + Integer.toUnsignedString(expCmdSN()) + ", "
                        + Integer.toUnsignedString(maxCmdSN()) + "] dropped");
                pdu.release();
            }
        }
    }

    private void drainWaiting() {
        while (!waiting.isEmpty()) {
            Object next = waiting.remove(window.expCmdSN());
            if (next == null) {
                break;
            }
            window.advance();
            if (next instanceof IscsiTask task) {
                deliver(task);
            } else if (next instanceof IscsiPdu pdu) {
                execute(pdu);
            }
        }
        taskManagement.cmdSNAdvanced();
    }

    /** RFC 7143 11.5.1 ABORT TASK of a command not received yet: its CmdSN counts as received from now on. */
    void consumeCmdSN(int cmdSN) {
        Object previous = waiting.put(cmdSN, TOMBSTONE);
        if (previous instanceof IscsiPdu pdu) {
            pdu.release();
        }
        if (cmdSN == window.expCmdSN()) {
            drainWaiting();
        }
    }

    private void execute(IscsiPdu pdu) {
        switch (pdu) {
            case IscsiNopOut n -> nopIn(n);
            case IscsiTaskManagementRequest t -> taskManagement.request(t);
            case IscsiTextRequest t -> text.request(t);
            case IscsiLogoutRequest l -> logout(l);
            default -> throw new IllegalStateException(pdu.opcode() + " is not ordered here");
        }
    }

    // ---- SCSI commands (11.3) and Data-Out (11.7)

    private void scsiCommand(IscsiScsiCommand c) {
        int itt = c.initiatorTaskTag();
        if (session.discovery()) {
            rejectPdu(IscsiConstants.REJECT_PROTOCOL_ERROR, c); // discovery sessions carry no SCSI (4.3)
            c.release();
            return;
        }
        if (itt == RESERVED_TAG || tasks.containsKey(itt)) {
            rejectPdu(itt == RESERVED_TAG ? IscsiConstants.REJECT_INVALID_PDU_FIELD
                    : IscsiConstants.REJECT_TASK_IN_PROGRESS, c);
            c.release();
            return;
        }
        IscsiCommandWindow.Admission admission = IscsiCommandWindow.Admission.NOW;
        if (!c.immediate()) {
            admission = window.admit(c.cmdSN());
            if (admission == IscsiCommandWindow.Admission.DROP
                    || admission == IscsiCommandWindow.Admission.LATER && waiting.containsKey(c.cmdSN())) {
                LOG.log(DEBUG, () -> session + ": SCSI Command with CmdSN " + Integer.toUnsignedString(c.cmdSN())
                        + " dropped (outside the window or a duplicate)");
                c.release();
                return;
            }
        }
        LogicalUnit lu = session.lunMap.logicalUnit(LunAddress.decode(c.lun()));
        IscsiTask task = new IscsiTask(this, c, session.nexus, lu, ctx.alloc());
        ScsiStatus refusal = tasks.size() >= options.sessionTasks() ? ScsiStatus.TASK_SET_FULL
                : tasks.size() < options.commandWindow() || session.server.taskBudget().tryTake() ? null
                : ScsiStatus.BUSY;
        if (refusal != null) {
            refuse(task, c, admission, refusal);
            return;
        }
        tasks.put(itt, task);
        dataOut.receiveImmediateData(task, c, options.maxTransferLength());
        taskManagement.commandArrived(task);
        if (c.immediate()) {
            deliver(task);
        } else if (admission == IscsiCommandWindow.Admission.NOW) {
            window.advance();
            deliver(task);
            drainWaiting();
        } else {
            waiting.put(c.cmdSN(), task);
        }
    }

    /**
     * A command the task set cannot take (RFC 7143 4.2.2.1 lets the target limit immediate commands; SAM-5 5.3.1):
     * TASK SET FULL when this session holds {@link IscsiServerOptions#sessionTasks()}, BUSY when the daemon's
     * budget is spent. It is answered at once and not kept; its immediate data is dropped, and Data-Out the
     * initiator still sends for it finds no task and is dropped too. A non-immediate command still takes its CmdSN:
     * now, or when the gap before it closes.
     */
    private void refuse(IscsiTask task, IscsiScsiCommand c, IscsiCommandWindow.Admission admission,
                        ScsiStatus status) {
        session.server.initiatorLog().log(LOG, INFO, status == ScsiStatus.BUSY ? "command refused: BUSY"
                : "command refused: TASK SET FULL", () -> session + ": "
                + (status == ScsiStatus.BUSY ? "the daemon's task budget is spent" : "the task set is full")
                + ", answering " + status);
        c.release();
        task.refuse();
        if (++refusedSinceProgress > options.sessionTasks()) {
            // SAM-5 5.3.1: after TASK SET FULL or BUSY the initiator is to wait for a task to end before it sends
            // more. One that answers a whole task set's worth of refusals with more commands is flooding: its
            // connection goes, so that answering it cannot take the event loop from other sessions.
            session.server.initiatorLog().log(LOG, INFO, "flooding after TASK SET FULL", () -> session
                    + ": " + refusedSinceProgress + " commands refused with no task ended in between, dropping"
                    + " the connection");
            closed = true;
            ctx.close();
            return;
        }
        if (!c.immediate()) {
            if (admission == IscsiCommandWindow.Admission.NOW) {
                window.advance();
                drainWaiting();
            } else {
                waiting.put(c.cmdSN(), TOMBSTONE);
            }
        }
        IscsiResponses.write(this, task, TaskResponse.status(status));
    }

    /** The command's turn in CmdSN order has come: solicit its data, or run it if it has all it needs. */
    private void deliver(IscsiTask task) {
        if (task.deliver()) {
            window.started();
        }
        dataOut.solicit(task);
        executeIfReady(task);
    }

    /** Runs the task once its turn has come and all its data is in; a task that went wrong ends here instead. */
    void executeIfReady(IscsiTask task) {
        if (!task.readyToEnd()) {
            return;
        }
        if (task.abort() != IscsiTask.Abort.NONE) {
            finishUnexecuted(task, null);
            return;
        }
        if (task.dataError() != null) {
            finishUnexecuted(task, TaskResponse.checkCondition(sense(task, task.dataError()), 0));
            return;
        }
        task.startExecuting();
        TaskRouter.route(task, task.lunField, session.lunMap);
    }

    private static byte[] sense(IscsiTask task, SenseCode code) {
        Sense sense = Sense.of(code);
        return task.logicalUnit != null ? task.logicalUnit.encodeSense(task.nexus(), sense) : sense.encode(false);
    }

    /** Ends a task that never reached the device, with this response, or as its abort says (null). */
    void finishUnexecuted(IscsiTask task, TaskResponse response) {
        task.finishUnexecuted();
        if (response == null) {
            taskCompleted(task, TaskResponse.status(ScsiStatus.TASK_ABORTED));
        } else {
            taskCompleted(task, response);
        }
    }

    // ---- completion and responses (11.4, 11.7)

    /** The device (or this handler) has ended the task; runs on the loop, exactly once per task. */
    void taskCompleted(IscsiTask task, TaskResponse response) {
        if (!task.finish()) {
            return;
        }
        if (task.counted()) {
            window.finished();
        }
        refusedSinceProgress = 0;
        if (tasks.get(task.itt) == task) {
            boolean heldShare = budgetShares() > 0;
            tasks.remove(task.itt);
            if (heldShare) {
                session.server.taskBudget().giveBack();
            }
        }
        task.releaseDataOut();
        TaskResponse sent = task.abort() == IscsiTask.Abort.NONE ? response
                : TaskResponse.status(ScsiStatus.TASK_ABORTED);
        task.metered(sent);
        if (closed || task.abort() == IscsiTask.Abort.SILENT) {
            task.releaseBuffers();
        } else {
            IscsiResponses.write(this, task, sent);
            task.releaseBuffers();
        }
        if (!closed) {
            taskManagement.taskGone(task);
        }
    }

    // ---- NOP (11.18, 11.19)

    private void nopOut(IscsiNopOut n) {
        if (n.initiatorTaskTag() == RESERVED_TAG) {
            // The answer to our ping, or a bare ExpStatSN update (TTT 0xffffffff too): no response.
            if (n.targetTransferTag() != RESERVED_TAG && n.targetTransferTag() == pingTag) {
                pingTag = RESERVED_TAG;
                cancel(pingTimeout);
            }
            n.release();
            return;
        }
        ordered(n, n.immediate(), n.cmdSN());
    }

    private void nopIn(IscsiNopOut ping) {
        ByteBuf data = ping.data();
        if (data.readableBytes() > params.initiatorMaxRecvDataSegmentLength()) {
            data.writerIndex(data.readerIndex() + params.initiatorMaxRecvDataSegmentLength());
        }
        write(new IscsiNopIn(ping.lun(), ping.initiatorTaskTag(), RESERVED_TAG, advanceStatSN(), expCmdSN(),
                maxCmdSN(), data));
    }

    /** Pings the initiator (NOP-In with a TTT, StatSN not advanced); it must answer within the NOP timeout. */
    void ping() {
        if (pingTag != RESERVED_TAG || closed) {
            return;
        }
        pingTag = newTag();
        write(new IscsiNopIn(0, RESERVED_TAG, pingTag, statSN, expCmdSN(), maxCmdSN(), Unpooled.EMPTY_BUFFER));
        long timeout = options.nopTimeout().toMillis();
        int sent = pingTag;
        pingTimeout = ctx.executor().schedule(() -> {
            if (pingTag == sent && !closed) {
                session.server.initiatorLog().log(LOG, INFO, "NOP-In unanswered", () -> session
                        + ": no answer to a NOP-In in " + timeout + " ms, dropping the connection");
                ctx.close();
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    private void idleCheck() {
        if (!readSinceCheck) {
            ping();
        }
        readSinceCheck = false;
    }

    // ---- logout (11.14, 11.15) and asynchronous logout requests (11.9)

    private void logout(IscsiLogoutRequest l) {
        int response = switch (l.reasonCode()) {
            case IscsiConstants.LOGOUT_CLOSE_SESSION -> IscsiConstants.LOGOUT_CLOSED;
            case IscsiConstants.LOGOUT_CLOSE_CONNECTION -> l.cid() == session.cid ? IscsiConstants.LOGOUT_CLOSED
                    : IscsiConstants.LOGOUT_CID_NOT_FOUND;
            default -> IscsiConstants.LOGOUT_RECOVERY_NOT_SUPPORTED;
        };
        write(new IscsiLogoutResponse(response, l.initiatorTaskTag(), advanceStatSN(), expCmdSN(), maxCmdSN(), 0,
                0));
        if (response == IscsiConstants.LOGOUT_CLOSED) {
            loggedOut = true;
            LOG.log(DEBUG, () -> session + ": logged out");
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void requestLogout(Duration timeout) {
        if (closed || loggedOut) {
            return;
        }
        int seconds = (int) Math.max(1, Math.min(3600, timeout.toSeconds()));
        write(new IscsiAsyncMessage(0, statSN, expCmdSN(), maxCmdSN(), IscsiConstants.ASYNC_LOGOUT_REQUEST, 0, 0, 0,
                seconds, Unpooled.EMPTY_BUFFER));
        flushNow();
        ctx.executor().schedule(() -> ctx.close(), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- errors the decoder found inside one PDU

    private void pduError(IscsiPduError e) {
        LOG.log(DEBUG, () -> session + ": rejecting a PDU: " + e.message());
        reject(e.reason(), Unpooled.wrappedBuffer(e.header()));
        if (e.reason() == IscsiConstants.REJECT_DATA_DIGEST_ERROR && e.pdu() instanceof IscsiDataOut d) {
            dataOut.dataOut(d, e.dataSegmentLength(), true);
        } else if (e.pdu() != null) {
            e.pdu().release();
        }
    }
}
