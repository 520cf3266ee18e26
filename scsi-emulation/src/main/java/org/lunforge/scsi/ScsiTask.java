package org.lunforge.scsi;

/**
 * One SCSI command on its way through a logical unit (SAM-5 4.12). A frontend implements this over what arrived (an
 * iSCSI SCSI Command PDU with its Data-Out, or a TCMU ring entry) and encodes the response it is given.
 *
 * <p>Buffers: {@link #dataOut()} holds all the data the initiator sent, complete before the task is executed.
 * {@link #dataIn()} is where the device server writes what it returns; its length is the expected transfer length,
 * or less once the device server has said how much it will write ({@link #dataIn(long)}).
 * Over TCMU both are the same iovecs, so a device server must read its Data-Out before it writes Data-In. A device
 * server whose data already sits in its own memory may lend that memory as Data-In instead ({@link #lendDataIn}),
 * where the frontend can send from it.
 *
 * <p>{@link #complete} is called exactly once, from any thread.
 */
public interface ScsiTask {
    Nexus nexus();

    /** The task tag (iSCSI Initiator Task Tag, TCMU cmd_id): unique among the nexus's tasks in flight. */
    long tag();

    TaskAttribute attribute();

    Cdb cdb();

    /** The initiator's Expected Data Transfer Length in bytes (TCMU: the sum of the iovec lengths). */
    long expectedTransferLength();

    SgList dataOut();

    SgList dataIn();

    /**
     * {@link #dataIn()} for a transfer the device server has sized from the CDB: {@code length} bytes (the
     * ALLOCATION LENGTH, or the blocks times the block length), so a frontend that allocates Data-In allocates the
     * smaller of that and the expected transfer length, never the expected length alone (the initiator chooses that
     * one). The list may be shorter than {@code length}: the device writes what fits, as with {@link #dataIn()}. The
     * first call decides; later calls, and {@link #dataIn()}, return that list (clipped to {@code length}).
     */
    default SgList dataIn(long length) {
        SgList in = dataIn();
        return length >= in.length() ? in : in.slice(0, Math.max(0, length));
    }

    /**
     * True if this task can send Data-In straight from memory the device server lends it ({@link #lendDataIn})
     * rather than from {@link #dataIn()}: a network frontend can put the device's own memory on the wire. A TCMU
     * task cannot (its Data-In is the ring's buffers, which the kernel reads): the device then writes
     * {@link #dataIn()} as always. Answers false once {@link #dataIn()} or {@link #dataIn(long)} has been asked for.
     */
    default boolean takesLentDataIn() {
        return false;
    }

    /**
     * Makes {@code data}, memory of the device server's, this task's Data-In instead of {@link #dataIn()}: the
     * frontend sends from it without copying. Only when {@link #takesLentDataIn()} said so, at most once, before
     * {@link #complete}; the device does not use {@link #dataIn()} afterwards. {@code data} is at most the expected
     * transfer length; the response's transfer length still decides how much is sent, as for {@link #dataIn()}.
     *
     * <p>The lender keeps {@code data} holding the bytes it held when lent, whatever is written to the medium
     * meanwhile, until {@code giveBack} runs. The frontend runs {@code giveBack} exactly once, on any thread, when it
     * no longer reads the memory: the bytes were sent, or the task was dropped. Nothing may wait for it on the thread
     * that would run it (a network event loop).
     */
    default void lendDataIn(SgList data, Runnable giveBack) {
        throw new UnsupportedOperationException("this task does not take lent Data-In");
    }

    /**
     * What this task's I_T nexus can address: the LUN map its transport's mapping and ACLs give it. A command that
     * names another logical unit resolves the name inside this map only, and a mapping's write protection applies to
     * this nexus's writes (SAM-5 4.6.7: logical units are reached through an I_T nexus, never around it). Read on the
     * thread that called {@link LogicalUnit#execute}, before the task is handed elsewhere: a frontend's map may belong
     * to its event loop. By default the nexus addresses nothing but the unit the task was sent to.
     */
    default LunMap lunMap() {
        return LunMap.none();
    }

    void complete(TaskResponse response);

    /** True once task management has aborted this task; a device server may stop early, its answer is dropped. */
    boolean isAborted();
}
