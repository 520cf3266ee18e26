package org.lunforge.scsi.testing;

import java.util.concurrent.TimeUnit;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.LunMap;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskAttribute;
import org.lunforge.scsi.TaskResponse;

/**
 * A task over heap buffers that records its one response: the test fixture every module's command tests share
 * (published in scsi-emulation's test jar).
 */
public final class RecordingTask implements ScsiTask {
    private final Nexus nexus;
    private final Cdb cdb;
    private final SgList dataOut;
    private final SgList dataIn;
    private TaskResponse response;
    private Thread completedOn;
    private LunMap lunMap = LunMap.none();
    private boolean takesLoans;
    private boolean dataInAsked;
    private SgList lent;
    private Runnable giveBack;

    public RecordingTask(Nexus nexus, Cdb cdb, byte[] dataOut, int dataInLength) {
        this(nexus, cdb, dataOut.length == 0 ? SgList.EMPTY : SgList.wrap(dataOut.clone()), dataInLength);
    }

    public RecordingTask(Nexus nexus, Cdb cdb, SgList dataOut, int dataInLength) {
        this.nexus = nexus;
        this.cdb = cdb;
        this.dataOut = dataOut;
        this.dataIn = SgList.allocate(dataInLength);
    }

    @Override
    public Nexus nexus() {
        return nexus;
    }

    @Override
    public long tag() {
        return 1;
    }

    @Override
    public TaskAttribute attribute() {
        return TaskAttribute.SIMPLE;
    }

    @Override
    public Cdb cdb() {
        return cdb;
    }

    @Override
    public long expectedTransferLength() {
        return Math.max(dataOut.length(), dataIn.length());
    }

    @Override
    public SgList dataOut() {
        return dataOut;
    }

    @Override
    public SgList dataIn() {
        dataInAsked = true;
        return dataIn;
    }

    /** Lets the device lend its own memory as Data-In, as the iSCSI frontend does; {@link #data()} reads the loan. */
    public RecordingTask takingLentDataIn() {
        takesLoans = true;
        return this;
    }

    @Override
    public boolean takesLentDataIn() {
        return takesLoans && !dataInAsked && lent == null && dataIn.length() > 0;
    }

    @Override
    public void lendDataIn(SgList data, Runnable giveBack) {
        if (!takesLentDataIn() || data.length() > dataIn.length()) {
            giveBack.run();
            throw new IllegalStateException("Data-In lent to a task that cannot take it");
        }
        this.lent = data;
        this.giveBack = giveBack;
    }

    /** True if the device lent its memory as this task's Data-In. */
    public boolean lent() {
        return lent != null;
    }

    /** Ends the loan, as a frontend does once the Data-In is sent. */
    public void giveBack() {
        giveBack.run();
    }

    @Override
    public synchronized void complete(TaskResponse r) {
        if (response != null) {
            throw new AssertionError("completed twice: " + response + " then " + r);
        }
        response = r;
        completedOn = Thread.currentThread();
        notifyAll();
    }

    /** Sets what the task's nexus addresses (its LUN map), as a frontend would. */
    public RecordingTask withLunMap(LunMap map) {
        this.lunMap = map;
        return this;
    }

    @Override
    public LunMap lunMap() {
        return lunMap;
    }

    /** Waits (at most 30 s, as a safety net, not a timing assertion) for the response of a task completed later. */
    public synchronized TaskResponse await() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (response == null && System.nanoTime() < deadline) {
            TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
        }
        return response();
    }

    /** The thread that completed the task. */
    public synchronized Thread completedOn() {
        response();
        return completedOn;
    }

    @Override
    public boolean isAborted() {
        return false;
    }

    public synchronized TaskResponse response() {
        if (response == null) {
            throw new AssertionError("task not completed");
        }
        return response;
    }

    /** The data-in the command returned (its transfer length, clipped to the buffer). */
    public byte[] data() {
        SgList in = lent != null ? lent : dataIn;
        long n = Math.min(response().transferLength(), in.length());
        return in.toByteArray(0, (int) n);
    }
}
