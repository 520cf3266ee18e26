package org.lunforge.scsi;

/**
 * One SCSI command on its way through a logical unit (SAM-5 4.12). A frontend implements this over what arrived (an
 * iSCSI SCSI Command PDU with its Data-Out, or a TCMU ring entry) and encodes the response it is given.
 *
 * <p>Buffers: {@link #dataOut()} holds all the data the initiator sent, complete before the task is executed.
 * {@link #dataIn()} is where the device server writes what it returns; its length is the expected transfer length.
 * Over TCMU both are the same iovecs, so a device server must read its Data-Out before it writes Data-In.
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

    void complete(TaskResponse response);

    /** True once task management has aborted this task; a device server may stop early, its answer is dropped. */
    boolean isAborted();
}
