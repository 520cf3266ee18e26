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
import org.lunforge.scsi.TaskResponse;

/**
 * One SCSI command of a session (RFC 7143 3.2.2 "task"), from its SCSI Command PDU to its response.
 *
 * <p>Data-Out is kept as the data segments of the PDUs that carried it (immediate data, unsolicited and solicited
 * Data-Out), each validated against its sequence (DataSN from 0, contiguous buffer offsets inside the R2T or the
 * first burst) and handed to the device as one {@link SgList} over those buffers: no copy. Data-In is one buffer
 * from the channel's allocator, the size of the Expected Data Transfer Length, that the device server fills through
 * {@link #dataIn()}, or the device's own memory that it lends ({@link #lendDataIn}, wrapped by
 * {@link IscsiLentData}); the Data-In PDUs are slices of it either way.
 *
 * <p>Threads: everything but {@link #dataIn()}, {@link #takesLentDataIn()}, {@link #lendDataIn}, {@link #complete}
 * and {@link #isAborted()} runs on the session's event loop. The device may call those from its own thread;
 * {@code complete} hands the response back to the loop. The task's buffers are released on the loop once the device
 * has completed (never while it may still read Data-Out or write Data-In), or at once if the task never reached the
 * device; a lent Data-In is given back when the last of its PDUs has left too.
 */
final class IscsiTask implements ScsiTask {
    enum State { RECEIVING, EXECUTING, DONE }

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

    State state = State.RECEIVING;
    /** The CmdSN has been taken in order (immediate commands: at once). */
    boolean delivered;
    /** Counted in the command window's running commands. */
    boolean counted;
    /** Aborted by task management of this session: no response at all. */
    boolean silentlyAborted;
    /** Aborted by another session's task management with TAS: answer TASK ABORTED. */
    boolean abortedWithStatus;
    private volatile boolean aborted;

    // Data-Out: the pieces in arrival order with their buffer offsets.
    private ByteBuf[] pieces = new ByteBuf[0];
    private int[] pieceOffsets = NO_OFFSETS;
    private int pieceCount;
    /** Bytes of the unsolicited part (immediate data included) the initiator owes, from 0. */
    int unsolicitedEnd;
    boolean unsolicitedOpen;
    int unsolicitedDataSN;
    int unsolicitedOffset;
    /** Where the next R2T starts; R2Ts cover [solicitedStart, expected length). */
    int nextR2tOffset;
    int r2tCount;
    int outstandingR2ts;
    /** A task error found while data was still coming: reported once all data is in (RFC 7143 7.8). */
    SenseCode dataError;
    int dataInPdus;

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

    @Override
    public SgList dataIn() {
        if (dataInList == null) {
            if (!read || expectedLength == 0) {
                dataInList = SgList.EMPTY;
            } else {
                dataInBuffer = alloc.directBuffer(expectedLength, expectedLength);
                dataInList = SgList.of(MemorySegment.ofBuffer(dataInBuffer.nioBuffer(0, expectedLength)));
            }
        }
        return dataInList;
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
        return aborted;
    }

    void abort() {
        aborted = true;
    }

    // ---- Data-Out bookkeeping (event loop)

    /** Keeps a validated data segment at its buffer offset; takes ownership of {@code data}. */
    void addData(int offset, ByteBuf data) {
        if (pieceCount == pieces.length) {
            int n = Math.max(4, pieceCount * 2);
            pieces = Arrays.copyOf(pieces, n);
            pieceOffsets = Arrays.copyOf(pieceOffsets, n);
        }
        pieces[pieceCount] = data;
        pieceOffsets[pieceCount++] = offset;
    }

    /** True when no more Data-Out is owed: the first burst is in and every R2T has been answered. */
    boolean dataComplete() {
        return !unsolicitedOpen && outstandingR2ts == 0 && (dataError != null || aborted()
                || nextR2tOffset >= (write ? expectedLength : 0));
    }

    private boolean aborted() {
        return silentlyAborted || abortedWithStatus;
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
