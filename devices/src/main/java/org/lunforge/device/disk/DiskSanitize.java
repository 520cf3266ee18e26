package org.lunforge.device.disk;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.lunforge.backstore.BlockStore;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Operation;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskResponse;

/**
 * SBC-4 4.11 and 5.30 SANITIZE, as this disk can honestly do it: OVERWRITE writes the initialization pattern over
 * every logical block, OVERWRITE COUNT times (inverted on every other pass with INVERT), then flushes; BLOCK ERASE
 * deallocates every logical block (memory chunks dropped, file ranges punched out) on a thin logical unit whose
 * deallocated blocks read zeros, so a read after it returns GOOD and zeros (WABEREQ 01b). There is no CRYPTO ERASE:
 * nothing is encrypted (WACEREQ 00b).
 *
 * <p>The operation runs on the disk's executor holding the whole LBA range exclusively, and outlives its task: an
 * ABORT TASK, a reset or the initiator's logout ends the command, not the operation (4.11.3). While it runs, every
 * command but INQUIRY, REPORT LUNS and REQUEST SENSE ends with NOT READY, SANITIZE IN PROGRESS, ahead of unit
 * attentions; REQUEST SENSE and TEST UNIT READY report the same. If it fails (a store error), the logical unit stays
 * in failure mode, answering MEDIUM ERROR, SANITIZE COMMAND FAILED to all but those three and SANITIZE, until a
 * sanitize completes or, when the failed one allowed it (AUSE), EXIT FAILURE MODE.
 *
 * <p>With IMMED the command is answered once its parameters are checked; otherwise when the operation ends (or at
 * once, TASK ABORTED, when task management aborts it). Progress is paced at {@link DiskConfig#sanitizeBytesPerSecond}
 * when set. State is not kept across a restart of the daemon: a sanitize interrupted by one is not resumed.
 */
final class DiskSanitize {
    private static final System.Logger LOG = System.getLogger(DiskSanitize.class.getName());
    /** Bytes written or deallocated per step: the unit of pacing and of noticing an abort. */
    static final int STEP_BYTES = 1 << 20;

    /** One sanitize operation: what it does and how far it got. */
    private static final class Run {
        final SbcCommand.Sanitize command;
        final byte[] pattern;
        final boolean invert;
        final int passes;
        final long bytes;
        volatile ScsiTask task;

        Run(SbcCommand.Sanitize command, byte[] pattern, boolean invert, int passes, long bytes, ScsiTask task) {
            this.command = command;
            this.pattern = pattern;
            this.invert = invert;
            this.passes = passes;
            this.bytes = bytes;
            this.task = task;
        }
    }

    /** The failure mode a failed sanitize left; {@code ause} lets EXIT FAILURE MODE end it. */
    private record Failure(boolean ause) {
    }

    private final SbcDisk disk;
    private final AtomicReference<Run> running = new AtomicReference<>();
    private volatile Failure failure;
    private volatile boolean stopping;

    DiskSanitize(SbcDisk disk) {
        this.disk = disk;
    }

    /** BLOCK ERASE is offered where deallocation is what it needs: a thin logical unit that reads zeros there. */
    static boolean canBlockErase(SbcDisk disk) {
        return disk.thin() && disk.store().unmapReadsZeros();
    }

    /** The gate every command but INQUIRY, REPORT LUNS and REQUEST SENSE passes first ({@code op} null: unknown). */
    void checkMediumOperation(Operation op) {
        if (running.get() != null) {
            throw new CheckCondition(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        }
        if (failure != null && !isSanitize(op)) {
            throw new CheckCondition(SenseCode.SANITIZE_COMMAND_FAILED);
        }
    }

    /** For TEST UNIT READY and REQUEST SENSE (pollable sense). */
    void checkReady() {
        if (running.get() != null) {
            throw new CheckCondition(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        }
    }

    boolean inProgress() {
        return running.get() != null;
    }

    boolean inFailureMode() {
        return failure != null;
    }

    private static boolean isSanitize(Operation op) {
        return op == SbcOperation.SANITIZE_OVERWRITE || op == SbcOperation.SANITIZE_BLOCK_ERASE
                || op == SbcOperation.SANITIZE_EXIT_FAILURE_MODE;
    }

    /** Checks the command and its parameter list, then starts the operation (or ends failure mode). */
    void sanitize(ScsiTask task, SbcCommand.Sanitize s) {
        int blockLength = disk.blockLength();
        boolean overwrite = s.serviceAction() == SbcCommand.Sanitize.OVERWRITE;
        if (overwrite ? s.parameterListLength() < 5 || s.parameterListLength() > blockLength + 4
                : s.parameterListLength() != 0) {
            throw Cdb.invalidField(7, 7);
        }
        byte[] pattern = null;
        boolean invert = false;
        int passes = 1;
        switch (s.serviceAction()) {
            case SbcCommand.Sanitize.EXIT_FAILURE_MODE -> {
                Failure f = failure;
                if (f != null && !f.ause()) {
                    throw Cdb.invalidField(1, 4); // the failed sanitize did not allow an unrestricted exit
                }
                failure = null;
                disk.lu().good(task, 0);
                return;
            }
            case SbcCommand.Sanitize.OVERWRITE -> {
                SgList dataOut = task.dataOut();
                if (dataOut.length() < s.parameterListLength()) {
                    throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
                }
                byte[] p = dataOut.toByteArray(0, s.parameterListLength());
                invert = (p[0] & 0x80) != 0;
                if ((p[0] & 0x60) != 0) { // TEST: no test modes here
                    throw CheckCondition.invalidFieldInParameterList(0, 6);
                }
                passes = p[0] & 0x1F;
                if (passes == 0) {
                    throw CheckCondition.invalidFieldInParameterList(0, 4);
                }
                int patternLength = BigEndian.u16(p, 2);
                if (patternLength == 0 || patternLength > blockLength || patternLength > p.length - 4) {
                    throw CheckCondition.invalidFieldInParameterList(2, 7);
                }
                pattern = Arrays.copyOfRange(p, 4, 4 + patternLength);
            }
            case SbcCommand.Sanitize.BLOCK_ERASE -> {
            }
            default -> throw Cdb.invalidField(1, 4); // not in the table: the logical unit refused it already
        }
        Run run = new Run(s, pattern, invert, passes, disk.capacity() * blockLength, s.immediate() ? null : task);
        if (!running.compareAndSet(null, run)) {
            throw new CheckCondition(SenseCode.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
        }
        if (s.immediate()) {
            disk.lu().good(task, 0);
        }
        try {
            disk.executor().execute(() -> run(run));
        } catch (RuntimeException e) { // the disk is closing
            running.set(null);
            throw e;
        }
    }

    private void run(Run run) {
        boolean done = false;
        RangeLock.Hold hold = disk.rangeLock().exclusive(0, disk.capacity());
        try {
            long started = System.nanoTime();
            BlockStore store = disk.store();
            if (run.pattern != null) {
                byte[][] buffers = overwriteBuffers(run.pattern, disk.blockLength(), run.invert);
                for (int pass = 0; pass < run.passes; pass++) {
                    byte[] buffer = buffers[pass & 1];
                    for (long off = 0; off < run.bytes; off += STEP_BYTES) {
                        int n = (int) Math.min(STEP_BYTES, run.bytes - off);
                        store.write(off, SgList.wrap(buffer).slice(0, n), false);
                        step(run, started, (long) pass * run.bytes + off + n);
                    }
                }
            } else {
                for (long off = 0; off < run.bytes; off += STEP_BYTES) {
                    store.unmap(off, Math.min(STEP_BYTES, run.bytes - off));
                    step(run, started, off + Math.min(STEP_BYTES, run.bytes - off));
                }
            }
            store.flush();
            done = true;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, disk.name() + ": SANITIZE failed; the logical unit is in failure "
                    + "mode", e);
        } finally {
            disk.rangeLock().release(hold);
            failure = done ? null : new Failure(run.command.ause());
            running.set(null);
            ScsiTask task = run.task;
            if (task != null) {
                if (done) {
                    disk.lu().good(task, 0);
                } else {
                    disk.lu().fail(task, new CheckCondition(SenseCode.SANITIZE_COMMAND_FAILED));
                }
            }
        }
    }

    /** After {@code bytes} of the operation: answers an aborted task, keeps the pace, stops when the disk closes. */
    private void step(Run run, long started, long bytes) {
        ScsiTask task = run.task;
        if (task != null && task.isAborted()) {
            run.task = null; // the operation goes on without its command (SBC-4 4.11.3)
            task.complete(TaskResponse.status(ScsiStatus.TASK_ABORTED));
        }
        if (stopping) {
            throw new IllegalStateException("the disk is closing");
        }
        long rate = disk.config().sanitizeBytesPerSecond();
        if (rate > 0) {
            long due = started + (long) (bytes * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
            }
        }
    }

    /** A step's worth of whole blocks of the pattern, repeated from each block's start; and its inverse. */
    static byte[][] overwriteBuffers(byte[] pattern, int blockLength, boolean invert) {
        byte[] block = new byte[blockLength];
        for (int i = 0; i < blockLength; i += pattern.length) {
            System.arraycopy(pattern, 0, block, i, Math.min(pattern.length, blockLength - i));
        }
        byte[] buffer = new byte[Math.max(blockLength, STEP_BYTES / blockLength * blockLength)];
        for (int i = 0; i < buffer.length; i += blockLength) {
            System.arraycopy(block, 0, buffer, i, blockLength);
        }
        if (!invert) {
            return new byte[][] {buffer, buffer};
        }
        byte[] inverse = buffer.clone();
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = (byte) ~inverse[i];
        }
        return new byte[][] {buffer, inverse};
    }

    /** The disk is closing: a running operation stops at its next step (and the logical unit is gone anyway). */
    void stop() {
        stopping = true;
    }
}
