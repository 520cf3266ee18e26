package org.lunforge.scsi.fault;

import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.LunMap;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskAttribute;
import org.lunforge.scsi.TaskResponse;

/**
 * A task a fault runs later, on another thread than the frontend's: what {@link ScsiTask} allows to be read only on
 * the calling thread (the nexus, the CDB, Data-Out, the LUN map) is read once, when the fault takes the task; the
 * rest (Data-In, completion, the abort flag), which any thread may call, goes to the frontend's task.
 */
final class DeferredTask implements ScsiTask {
    private final ScsiTask task;
    private final Nexus nexus;
    private final long tag;
    private final TaskAttribute attribute;
    private final Cdb cdb;
    private final long expectedTransferLength;
    private final SgList dataOut;
    private final LunMap lunMap;

    DeferredTask(ScsiTask task) {
        this.task = task;
        this.nexus = task.nexus();
        this.tag = task.tag();
        this.attribute = task.attribute();
        this.cdb = task.cdb();
        this.expectedTransferLength = task.expectedTransferLength();
        this.dataOut = task.dataOut();
        this.lunMap = task.lunMap();
    }

    @Override
    public Nexus nexus() {
        return nexus;
    }

    @Override
    public long tag() {
        return tag;
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
        return expectedTransferLength;
    }

    @Override
    public SgList dataOut() {
        return dataOut;
    }

    @Override
    public SgList dataIn() {
        return task.dataIn();
    }

    @Override
    public SgList dataIn(long length) {
        return task.dataIn(length);
    }

    @Override
    public boolean takesLentDataIn() {
        return task.takesLentDataIn();
    }

    @Override
    public void lendDataIn(SgList data, Runnable giveBack) {
        task.lendDataIn(data, giveBack);
    }

    @Override
    public LunMap lunMap() {
        return lunMap;
    }

    @Override
    public void complete(TaskResponse response) {
        task.complete(response);
    }

    @Override
    public boolean isAborted() {
        return task.isAborted();
    }
}
