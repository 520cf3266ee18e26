package org.lunforge.tcmu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskAttribute;
import org.lunforge.scsi.TaskMeter;
import org.lunforge.scsi.TaskResponse;

/**
 * One SCSI command read from a TCMU ring entry, as the SCSI core's {@link ScsiTask}. The CDB was copied out of the
 * entry (the entry may be reused as the response slot of another command); the data buffer was not: {@link #dataOut()}
 * and {@link #dataIn()} are the same {@link SgList} of views over the entry's iovecs in the shared data area, so a
 * device server reads Data-Out and writes Data-In in place.
 *
 * <p>The views are valid until {@link #complete}: after that the kernel may hand the pages to another command or free
 * them (a later touch faults with SIGBUS). {@link #complete} may be called from any thread, exactly once.
 */
public final class TcmuCommand implements ScsiTask {
    private static final VarHandle COMPLETED;

    static {
        try {
            COMPLETED = MethodHandles.lookup().findVarHandle(TcmuCommand.class, "completed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CompletionSink sink;
    private final Nexus nexus;
    private final int cmdId;
    private final Cdb cdb;
    private final SgList data;
    private final SgList bidiIn;
    private volatile boolean aborted;
    /** When the ring thread read the command (System.nanoTime): the start of the latency the metrics report. */
    private final long arrivedNanos = System.nanoTime();
    /** The meter it counts in, set before execution; null: not counted. */
    private TaskMeter meter;
    @SuppressWarnings("unused") // through COMPLETED
    private volatile boolean completed;
    /** Set before the hand-off to the ring thread; the hand-off's volatile write/read orders it. */
    TaskResponse response;
    /** Link in the completion queue or the ring thread's local completion list. */
    TcmuCommand next;

    /** Where completed commands go: the ring thread of their device. */
    interface CompletionSink {
        void completed(TcmuCommand command);
    }

    TcmuCommand(CompletionSink sink, Nexus nexus, int cmdId, Cdb cdb, SgList data, SgList bidiIn) {
        this.sink = sink;
        this.nexus = nexus;
        this.cmdId = cmdId;
        this.cdb = cdb;
        this.data = data;
        this.bidiIn = bidiIn;
    }

    @Override
    public Nexus nexus() {
        return nexus;
    }

    /** The TCMU cmd_id: unique among the device's commands in flight, reused by the kernel once completed. */
    @Override
    public long tag() {
        return cmdId;
    }

    int cmdId() {
        return cmdId;
    }

    /** TCMU does not pass the task attribute to user space; LIO has already ordered the commands. */
    @Override
    public TaskAttribute attribute() {
        return TaskAttribute.SIMPLE;
    }

    @Override
    public Cdb cdb() {
        return cdb;
    }

    /** The sum of the iovec lengths: the kernel's data length for this command. */
    @Override
    public long expectedTransferLength() {
        return data.length();
    }

    @Override
    public SgList dataOut() {
        return data;
    }

    /** The same iovecs as {@link #dataOut()}, except for a bidirectional command, whose Data-In has its own. */
    @Override
    public SgList dataIn() {
        return bidiIn != null ? bidiIn : data;
    }

    SgList data() {
        return data;
    }

    @Override
    public void complete(TaskResponse response) {
        Objects.requireNonNull(response, "response");
        if (!COMPLETED.compareAndSet(this, false, true)) {
            throw new IllegalStateException("task completed twice: " + this);
        }
        this.response = response;
        TaskMeter m = meter;
        if (m != null) {
            // Over TCMU one set of iovecs serves both directions: the meter takes Data-In for reads and Data-Out for
            // writes, so both are given as the most the command could have moved.
            m.completed(cdb.opcode(), Math.min(response.transferLength(), dataIn().length()), data.length(),
                    System.nanoTime() - arrivedNanos, response.status(), response.sense());
        }
        sink.completed(this);
    }

    /**
     * Counts this command in {@code meter} (its logical unit's) from now until {@link #complete}; called once, on
     * the ring thread, before the command is executed.
     */
    void meter(TaskMeter meter) {
        this.meter = meter;
        meter.started();
    }

    boolean isCompleted() {
        return (boolean) COMPLETED.getVolatile(this);
    }

    @Override
    public boolean isAborted() {
        return aborted;
    }

    /** Task management aborted this command; the kernel still waits for its completion through the ring. */
    void abort() {
        aborted = true;
    }

    @Override
    public String toString() {
        return "TcmuCommand[" + cmdId + ": " + cdb + ", " + data.length() + " bytes]";
    }
}
