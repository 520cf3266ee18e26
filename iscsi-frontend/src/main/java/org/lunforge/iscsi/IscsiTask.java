package org.lunforge.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LunMap;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskAttribute;
import org.lunforge.scsi.TaskMeter;
import org.lunforge.scsi.TaskResponse;

/**
 * One SCSI command of a session (RFC 7143 3.2.2 "task"), from its SCSI Command PDU to its response.
 *
 * <p>Data-Out is kept as the data segments of the PDUs that carried it (immediate data, unsolicited and solicited
 * Data-Out), each validated against its sequence (DataSN from 0, contiguous buffer offsets inside the R2T or the
 * first burst) and handed to the device as one {@link SgList} over those buffers: no copy. Data-In is one buffer
 * from the channel's allocator, the smaller of what the CDB asks for and the Expected Data Transfer Length, that the
 * device server fills through {@link #dataIn(long)}, or the device's own memory that it lends ({@link #lendDataIn},
 * wrapped by {@link IscsiLentData}); the Data-In PDUs are slices of it either way.
 *
 * <p>Threads: everything but {@link #dataIn()}, {@link #dataIn(long)}, {@link #takesLentDataIn()},
 * {@link #lendDataIn}, {@link #complete} and {@link #isAborted()} runs on the session's event loop. The device may
 * call those from its own thread; {@code complete} hands the response back to the loop. The task's buffers are
 * released on the loop once the device has completed (never while it may still read Data-Out or write Data-In), or
 * at once if the task never reached the device; a lent Data-In is given back when the last of its PDUs has left too.
 */
final class IscsiTask implements ScsiTask {
    /**
     * Where the task is. Transitions, each a method of this class and nothing else's:
     * <pre>
     *   QUEUED --deliver--> RECEIVING --startExecuting/finishUnexecuted--> EXECUTING --finish--> DONE
     *   QUEUED, RECEIVING --connectionLost--> DONE      (EXECUTING waits for the device: finish)
 *   QUEUED --refuse--> DONE                          (no room in the task set: TASK SET FULL or BUSY)
     * </pre>
     * Aborts are orthogonal ({@link Abort}): an aborted task still walks the same path, so it leaves only once the
     * initiator owes it no data and the device is done with it (RFC 7143 4.2.3.3).
     */
    enum State {
        /** Arrived, its CmdSN not reached yet (waiting for a gap before it to close). */
        QUEUED,
        /** Its turn has come (immediate commands: at once); Data-Out may still be owed. */
        RECEIVING,
        /** In the device, or being ended by the frontend without it; the response comes from {@link #finish}. */
        EXECUTING,
        /** Answered, or dropped; its buffers are released. */
        DONE
    }

    /** How task management ended the task. A silent abort wins over one with status. */
    enum Abort {
        NONE,
        /** By this session's task management, or another's with TAS=0: no response at all. */
        SILENT,
        /** By another session's task management with TAS=1: answered TASK ABORTED. */
        WITH_STATUS
    }

    /**
     * One Data-Out sequence (RFC 7143 11.7.4-11.7.5): the unsolicited first burst, or the data one R2T asked for.
     * Each PDU must carry the next DataSN and start where the last ended, inside [offset, end).
     */
    static final class Sequence {
        final IscsiTask task;
        final int offset;
        final int end;
        private int nextDataSN;
        private int nextOffset;

        private Sequence(IscsiTask task, int offset, int end) {
            this.task = task;
            this.offset = offset;
            this.end = end;
            this.nextOffset = offset;
        }

        /** Counts one PDU into the sequence; true if it continued the sequence. */
        boolean take(int dataSN, int bufferOffset, int length) {
            boolean inSequence = dataSN == nextDataSN && bufferOffset == nextOffset
                    && Integer.compareUnsigned(length, end - nextOffset) <= 0;
            nextDataSN++;
            nextOffset += length;
            return inSequence;
        }

        /** True if the PDUs so far covered the sequence exactly. */
        boolean complete() {
            return nextOffset == end;
        }
    }

    /** An R2T to send: the sequence it opens and its R2TSN. */
    record R2tRequest(Sequence sequence, int r2tSN) {
        int offset() {
            return sequence.offset;
        }

        int length() {
            return sequence.end - sequence.offset;
        }
    }

    private static final int[] NO_OFFSETS = {};

    final IscsiSessionHandler session;
    final int itt;
    final long lunField;
    final LogicalUnit logicalUnit;
    final boolean read;
    final boolean write;
    final boolean immediate;
    final int cmdSN;
    private final Nexus nexus;
    private final Cdb cdb;
    private final TaskAttribute attribute;
    private final int expectedLength;
    private final ByteBufAllocator alloc;
    /** When the SCSI Command PDU arrived (System.nanoTime): the start of the latency the metrics report. */
    final long arrivedNanos = System.nanoTime();
    /** The logical unit's meter, taken when the task went to the device; null while it has not (or went nowhere). */
    private TaskMeter unitMeter;
    /** Handed to the device ({@link #startExecuting}): counted in the meters until {@link #metered}. */
    private boolean metering;

    private State state = State.QUEUED;
    /** Written on the loop, read by the device's thread through {@link #isAborted()}. */
    private volatile Abort abort = Abort.NONE;
    /** Counted in the command window's running commands (a non-immediate command once delivered). */
    private boolean counted;
    /** A task error found while data was still coming: reported once all data is in (RFC 7143 7.8). First wins. */
    private SenseCode dataError;

    // Data-Out: the pieces in arrival order with their buffer offsets.
    private ByteBuf[] pieces = new ByteBuf[0];
    private int[] pieceOffsets = NO_OFFSETS;
    private int pieceCount;
    /** The unsolicited sequence (immediate data excluded) while it is open, else null. */
    private Sequence unsolicited;
    /** Where the next R2T starts; R2Ts cover [nextR2tOffset, expected length). */
    private int nextR2tOffset;
    private int r2tCount;
    private int outstandingR2ts;
    private int dataInPdus;

    private ByteBuf dataInBuffer;
    private SgList dataInList;
    private SgList dataOutList;

    IscsiTask(IscsiSessionHandler session, IscsiScsiCommand command, Nexus nexus, LogicalUnit logicalUnit,
              ByteBufAllocator alloc) {
        this.session = session;
        this.itt = command.initiatorTaskTag();
        this.lunField = command.lun();
        this.logicalUnit = logicalUnit;
        this.read = command.read();
        this.write = command.write();
        this.immediate = command.immediate();
        this.cmdSN = command.cmdSN();
        this.nexus = nexus;
        this.cdb = command.cdb();
        this.attribute = switch (command.attributes()) {
            case 2 -> TaskAttribute.ORDERED;
            case 3 -> TaskAttribute.HEAD_OF_QUEUE;
            case 4 -> TaskAttribute.ACA;
            default -> TaskAttribute.SIMPLE; // 0 untagged, 1 simple
        };
        this.expectedLength = command.expectedDataTransferLength();
        this.alloc = alloc;
    }

    // ---- ScsiTask

    @Override
    public Nexus nexus() {
        return nexus;
    }

    @Override
    public long tag() {
        return itt & 0xFFFF_FFFFL;
    }

    @Override
    public TaskAttribute attribute() {
        return attribute;
    }

    @Override
    public Cdb cdb() {
        return cdb;
    }

    @Override
    public long expectedTransferLength() {
        return expectedLength & 0xFFFF_FFFFL;
    }

    int expectedLength() {
        return expectedLength;
    }

    @Override
    public SgList dataOut() {
        if (dataOutList == null) {
            dataOutList = assembleDataOut();
        }
        return dataOutList;
    }

    /** A buffer of the whole expected length: only for a device server that does not say what it will write. */
    @Override
    public SgList dataIn() {
        return dataIn(expectedTransferLength());
    }

    /**
     * One buffer from the channel's allocator of the smaller of {@code length} (what the CDB asks for, as the device
     * server read it) and the Expected Data Transfer Length: a small READ with a huge expected length costs its
     * blocks, not the expected length. The first call decides the buffer.
     */
    @Override
    public SgList dataIn(long length) {
        if (dataInList == null) {
            int size = (int) Math.min(Math.max(0, length), read ? expectedTransferLength() : 0);
            if (size == 0) {
                dataInList = SgList.EMPTY;
            } else {
                dataInBuffer = alloc.directBuffer(size, size);
                dataInList = SgList.of(MemorySegment.ofBuffer(dataInBuffer.nioBuffer(0, size)));
            }
        }
        return length >= dataInList.length() ? dataInList : dataInList.slice(0, Math.max(0, length));
    }

    /** A read task whose Data-In the device has not started writing can send the device's own memory instead. */
    @Override
    public boolean takesLentDataIn() {
        return read && expectedLength != 0 && dataInList == null && dataInBuffer == null;
    }

    @Override
    public void lendDataIn(SgList data, Runnable giveBack) {
        if (!takesLentDataIn() || data.length() > expectedTransferLength()) {
            giveBack.run();
            throw new IllegalStateException("Data-In lent to " + this + " which cannot take it");
        }
        dataInBuffer = IscsiLentData.wrap(alloc, data, giveBack);
    }

    @Override
    public void complete(TaskResponse response) {
        EventLoop loop = session.eventLoop();
        if (loop.inEventLoop()) {
            session.taskCompleted(this, response);
            return;
        }
        try {
            loop.execute(() -> session.taskCompleted(this, response));
        } catch (RejectedExecutionException e) {
            releaseBuffers(); // the server is gone; nobody will send this response
        }
    }

    /** The session's LUN map (its portal group's LUNs through its ACL); the session's event loop reads it. */
    @Override
    public LunMap lunMap() {
        return session.session().lunMap;
    }

    @Override
    public boolean isAborted() {
        return abort != Abort.NONE;
    }

    // ---- state (event loop)

    State state() {
        return state;
    }

    Abort abort() {
        return abort;
    }

    /** The task is still known to the session: not answered or dropped yet. */
    boolean live() {
        return state != State.DONE;
    }

    /** QUEUED to RECEIVING: its turn in CmdSN order has come. True if it now counts in the command window. */
    boolean deliver() {
        transition(State.QUEUED, State.RECEIVING);
        counted = !immediate;
        return counted;
    }

    /** True while it counts in the command window's running commands. */
    boolean counted() {
        return counted;
    }

    /** This session's task management (or TAS=0 from another) aborts it: it ends without a response. */
    void abortSilently() {
        abort = Abort.SILENT;
    }

    /** Another session's task management with TAS=1 aborts it: TASK ABORTED, unless already aborted silently. */
    void abortWithStatus() {
        if (abort == Abort.NONE) {
            abort = Abort.WITH_STATUS;
        }
    }

    /** A task error found before execution; the first one is what the initiator is told. */
    void fail(SenseCode code) {
        if (dataError == null) {
            dataError = code;
        }
    }

    SenseCode dataError() {
        return dataError;
    }

    /**
     * True once the task can end: its turn has come and no more Data-Out is owed (the first burst is in and every
     * R2T has been answered); what remains is to execute it, or end it with its error or abort.
     */
    boolean readyToEnd() {
        return state == State.RECEIVING && dataComplete();
    }

    private boolean dataComplete() {
        return unsolicited == null && outstandingR2ts == 0 && (dataError != null || abort != Abort.NONE
                || nextR2tOffset >= (write ? expectedLength : 0));
    }

    /**
     * QUEUED to DONE: the task set (or the daemon) had no room for it; it was never kept, and is answered TASK SET
     * FULL or BUSY at once.
     */
    void refuse() {
        transition(State.QUEUED, State.DONE);
    }

    /**
     * RECEIVING to EXECUTING: handed to the device, which will {@link #complete} it. The task now counts in its
     * logical unit's and its port's queue depth until {@link #metered} ends it.
     */
    void startExecuting() {
        transition(State.RECEIVING, State.EXECUTING);
        metering = true;
        if (logicalUnit != null) {
            unitMeter = logicalUnit.meter();
            unitMeter.started();
        }
        session.session().portMeter.started();
    }

    /**
     * Reports the end of an executed task to the meters {@link #startExecuting} counted it in, once; nothing for a
     * task that never reached the device. Data-In is what the response lets the frontend send; Data-Out
     * is all the initiator sent, since a task is executed only once its data is in.
     */
    void metered(TaskResponse response) {
        if (!metering) {
            return;
        }
        metering = false;
        long in = read ? Math.min(response.transferLength(), expectedTransferLength()) : 0;
        long out = write ? expectedTransferLength() : 0;
        long nanos = System.nanoTime() - arrivedNanos;
        int opcode = cdb.opcode();
        if (unitMeter != null) {
            unitMeter.completed(opcode, in, out, nanos, response.status(), response.sense());
        }
        session.session().portMeter.completed(opcode, in, out, nanos, response.status(), response.sense());
    }

    /** RECEIVING to EXECUTING without the device: the frontend completes it now (error, abort). */
    void finishUnexecuted() {
        transition(State.RECEIVING, State.EXECUTING);
    }

    /** To DONE, once: false if it was done already (a late completion after the connection was lost). */
    boolean finish() {
        if (state == State.DONE) {
            return false;
        }
        state = State.DONE;
        return true;
    }

    /**
     * The connection is gone: aborted silently; a task the device does not hold is done at once and its buffers
     * released, one in the device is left for its completion to release.
     */
    void connectionLost() {
        abortSilently();
        if (state != State.EXECUTING) {
            state = State.DONE;
            releaseBuffers();
        }
    }

    private void transition(State from, State to) {
        if (state != from) {
            throw new IllegalStateException(this + ": " + from + " -> " + to + " from " + state);
        }
        state = to;
    }

    // ---- Data-Out (event loop)

    /**
     * Sets up what the initiator owes after the command PDU ({@code immediate} bytes of immediate data accepted or
     * not): with {@code unsolicitedFollows}, Data-Out up to {@code firstBurstEnd} (11.7, 13.14), then R2Ts for the
     * rest of a write.
     */
    void expectDataOut(int immediateLength, boolean unsolicitedFollows, int firstBurstEnd) {
        nextR2tOffset = immediateLength;
        if (unsolicitedFollows) {
            unsolicited = new Sequence(this, immediateLength, firstBurstEnd);
            nextR2tOffset = Math.max(immediateLength, firstBurstEnd);
        }
        if (!write) {
            nextR2tOffset = 0;
        }
    }

    /** The open unsolicited sequence, or null. */
    Sequence unsolicited() {
        return unsolicited;
    }

    /** The unsolicited sequence's final PDU arrived: short of the first burst is an error (13.14). */
    void closeUnsolicited() {
        if (!unsolicited.complete()) {
            fail(SenseCode.WRITE_ERROR_NOT_ENOUGH_UNSOLICITED_DATA);
        }
        unsolicited = null;
    }

    /**
     * The next R2T to send (RFC 7143 11.8), at most {@code maxBurst} bytes, or null: no more data owed, the task
     * failed or aborted, not delivered yet, or {@code maxOutstanding} R2Ts already open.
     */
    R2tRequest nextR2t(int maxBurst, int maxOutstanding) {
        if (!write || state != State.RECEIVING || dataError != null || abort != Abort.NONE
                || outstandingR2ts >= maxOutstanding || Integer.compareUnsigned(nextR2tOffset, expectedLength) >= 0) {
            return null;
        }
        int offset = nextR2tOffset;
        int burst = Math.min(maxBurst, expectedLength - offset);
        outstandingR2ts++;
        nextR2tOffset = offset + burst;
        return new R2tRequest(new Sequence(this, offset, offset + burst), r2tCount++);
    }

    /** The final PDU of an R2T's sequence arrived: less or more than asked is a sequence error (7.2.2). */
    void r2tAnswered(Sequence sequence) {
        outstandingR2ts--;
        if (!sequence.complete()) {
            fail(SenseCode.PROTOCOL_SERVICE_CRC_ERROR);
        }
    }

    /**
     * A Data-Out PDU's data segment: kept at its buffer offset when it continued its sequence and the task still
     * wants data, else released. Out of sequence, or with a bad digest, it is an implied digest error (7.2.2) that
     * ends the task with PROTOCOL SERVICE CRC ERROR once all its data is in (7.8). Takes ownership of {@code data}.
     */
    void receiveData(int offset, ByteBuf data, boolean inSequence) {
        if (!inSequence) {
            fail(SenseCode.PROTOCOL_SERVICE_CRC_ERROR);
            data.release();
        } else if (dataError != null || abort != Abort.NONE || !data.isReadable()) {
            data.release();
        } else {
            keepData(offset, data);
        }
    }

    /** Immediate data accepted with the command; takes ownership of {@code data}. */
    void receiveImmediateData(ByteBuf data) {
        keepData(0, data);
    }

    private void keepData(int offset, ByteBuf data) {
        if (pieceCount == pieces.length) {
            int n = Math.max(4, pieceCount * 2);
            pieces = Arrays.copyOf(pieces, n);
            pieceOffsets = Arrays.copyOf(pieceOffsets, n);
        }
        pieces[pieceCount] = data;
        pieceOffsets[pieceCount++] = offset;
    }

    // ---- Data-In and response numbering

    /** The DataSN of the next Data-In PDU. */
    int nextDataInSN() {
        return dataInPdus++;
    }

    /** ExpDataSN of the SCSI Response (11.4.8): Data-In PDUs plus R2Ts sent for the task. */
    int expDataSN() {
        return dataInPdus + r2tCount;
    }

    private SgList assembleDataOut() {
        if (pieceCount == 0) {
            return SgList.EMPTY;
        }
        Integer[] order = new Integer[pieceCount];
        boolean sorted = true;
        for (int i = 0; i < pieceCount; i++) {
            order[i] = i;
            sorted &= i == 0 || pieceOffsets[i - 1] < pieceOffsets[i];
        }
        if (!sorted) {
            Arrays.sort(order, (a, b) -> Integer.compare(pieceOffsets[a], pieceOffsets[b]));
        }
        List<MemorySegment> segments = new ArrayList<>(pieceCount);
        for (Integer i : order) {
            ByteBuf piece = pieces[i];
            if (piece.nioBufferCount() == 1) {
                segments.add(MemorySegment.ofBuffer(piece.nioBuffer()));
            } else {
                for (ByteBuffer b : piece.nioBuffers()) {
                    segments.add(MemorySegment.ofBuffer(b));
                }
            }
        }
        return SgList.of(segments.toArray(MemorySegment[]::new));
    }

    // ---- buffers

    /** The Data-In buffer (allocated or lent), or null if the device wrote none. Ownership stays with the task. */
    ByteBuf dataInBuffer() {
        return dataInBuffer;
    }

    void releaseDataOut() {
        for (int i = 0; i < pieceCount; i++) {
            pieces[i].release();
            pieces[i] = null;
        }
        pieceCount = 0;
    }

    void releaseBuffers() {
        releaseDataOut();
        if (dataInBuffer != null) {
            dataInBuffer.release();
            dataInBuffer = null;
        }
    }

    @Override
    public String toString() {
        return "IscsiTask[ITT 0x%08x, CmdSN %d, %s, %s]".formatted(itt, cmdSN & 0xFFFF_FFFFL, cdb, state);
    }
}
