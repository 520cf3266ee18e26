package org.lunforge.tcmu;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.WARNING;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskResponse;

/**
 * The ring thread of one device: reads entries, hands commands to the {@link TcmuCommandHandler}, writes completions
 * back, kicks the kernel once per batch, and waits through a {@link WaitStrategy} when idle.
 *
 * <p>Only this thread touches the ring. Completions made on it (a synchronous device server) go on a plain local list;
 * completions from other threads go through the lock-free {@link CompletionQueue}, and the completing thread rings
 * the doorbell only if the ring thread announced that it blocks ({@code parked}): a Dekker pair of volatile accesses
 * (ring thread: write parked, read queue; completer: write queue, read-and-clear parked) guarantees that one of the two
 * sees the other, so no completion waits for the next kernel event.
 */
final class TcmuRingLoop implements TcmuCommand.CompletionSink, WaitStrategy.RingWaiter, TcmuRing.EntryHandler {
    private static final System.Logger LOG = System.getLogger(TcmuRingLoop.class.getName());
    private static final VarHandle PARKED;

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(TcmuRingLoop.class, "parked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final TcmuRing ring;
    private final TcmuDoorbell doorbell;
    private final TcmuCommandHandler handler;
    private final WaitStrategy waitStrategy;
    private final Nexus nexus;
    private final TcmuCommand[] inFlight = new TcmuCommand[1 << 16];
    private final CompletionQueue completions = new CompletionQueue();
    private TcmuCommand localCompletions;
    private volatile Thread ringThread;
    @SuppressWarnings("unused") // through PARKED
    private volatile boolean parked;
    private volatile boolean stopRequested;
    private volatile boolean abandoned;

    // Counters, written by the ring thread only; read racily for metrics.
    private volatile long commandCount;
    private volatile long batchCount;
    private volatile long kickCount;
    /**
     * Times the command ring was found full ({@link TcmuRing#wasFull}) after it was not: the kernel held commands
     * back until completions made room. One stall however many passes see it full.
     */
    private volatile long stallCount;
    private boolean stalled;

    TcmuRingLoop(String name, MemorySegment mapping, TcmuDoorbell doorbell, TcmuCommandHandler handler,
                 WaitStrategy waitStrategy, Nexus nexus) {
        this.name = name;
        this.ring = new TcmuRing(mapping);
        this.doorbell = doorbell;
        this.handler = handler;
        this.waitStrategy = waitStrategy;
        this.nexus = nexus;
    }

    /**
     * Serves the ring on the calling thread until {@link #requestStop} (then the ring is drained: every entry already
     * published is read and every command completed) or until the device goes away. Returns normally in both cases.
     *
     * @throws TcmuProtocolException the ring is corrupt; serving must not go on
     */
    void run() throws IOException {
        ringThread = Thread.currentThread();
        try {
            while (!abandoned) {
                boolean progress = ring.read(this, nexus, this) > 0;
                boolean full = ring.wasFull();
                if (full && !stalled) {
                    stallCount++;
                }
                stalled = full;
                progress |= reap();
                if (stopRequested && !progress && ring.inFlight() == 0 && !ring.hasUnread()) {
                    return;
                }
                if (!progress) {
                    waitStrategy.waitForWork(this);
                }
            }
        } catch (TcmuDeviceGoneException gone) {
            LOG.log(WARNING, () -> name + ": " + gone.getMessage());
        }
    }

    /**
     * After the kernel is gone: waits up to {@code timeoutNanos} for device servers to complete what is in flight, so
     * that no one touches the mapping once it is unmapped. Returns true if nothing is left in flight.
     */
    boolean awaitQuiescence(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            TcmuCommand local = localCompletions;
            localCompletions = null;
            writeCompletions(local);
            writeCompletions(completions.drain());
            if (ring.inFlight() == 0) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    void requestStop() {
        stopRequested = true;
        doorbell.wakeup();
    }

    /** Stops serving now, with commands possibly still in flight (a device server that never completes). */
    void abandon() {
        abandoned = true;
        doorbell.wakeup();
    }

    int inFlight() {
        return ring.inFlight();
    }

    long commandCount() {
        return commandCount;
    }

    long batchCount() {
        return batchCount;
    }

    long kickCount() {
        return kickCount;
    }

    long stallCount() {
        return stallCount;
    }

    // ---- TcmuRing.EntryHandler: called by ring.read on the ring thread ----

    @Override
    public void onCommand(TcmuCommand command, boolean endOfBatch) {
        int id = command.cmdId();
        if (inFlight[id] != null) {
            throw new TcmuProtocolException("cmd_id " + id + " reused while in flight");
        }
        inFlight[id] = command;
        commandCount++;
        try {
            handler.onCommand(command, endOfBatch);
        } catch (RuntimeException e) {
            LOG.log(ERROR, () -> name + ": handler failed on " + command, e);
            if (!command.isCompleted()) {
                command.complete(TaskResponse.checkCondition(
                        Sense.of(SenseCode.INTERNAL_TARGET_FAILURE).encode(false), 0));
            }
        }
    }

    @Override
    public void onMalformed(int cmdId, String reason) {
        LOG.log(ERROR, () -> name + ": cmd_id " + cmdId + ": " + reason);
        TcmuCommand command = new TcmuCommand(this, nexus, cmdId, Cdb.of(0), SgList.EMPTY, null);
        if (inFlight[cmdId] != null) {
            throw new TcmuProtocolException("cmd_id " + cmdId + " reused while in flight");
        }
        inFlight[cmdId] = command;
        command.complete(TaskResponse.checkCondition(Sense.of(SenseCode.INTERNAL_TARGET_FAILURE).encode(false), 0));
    }

    @Override
    public void onTaskManagement(int type, int[] cmdIds) {
        List<TcmuCommand> aborted = new ArrayList<>(cmdIds.length);
        for (int id : cmdIds) {
            TcmuCommand command = inFlight[id];
            // An id we already completed (the kernel had not reaped it yet) is no longer ours: nothing to abort.
            if (command != null && !command.isCompleted()) {
                command.abort();
                aborted.add(command);
            }
        }
        LOG.log(System.Logger.Level.INFO, () -> name + ": " + TcmuAbi.tmrName(type) + " aborts " + aborted.size()
                + " of " + cmdIds.length + " listed commands");
        handler.onTaskManagement(type, aborted);
    }

    // ---- completions ----

    @Override
    public void completed(TcmuCommand command) {
        if (Thread.currentThread() == ringThread) {
            command.next = localCompletions;
            localCompletions = command;
            return;
        }
        completions.push(command);
        if ((boolean) PARKED.getAndSet(this, false)) {
            doorbell.wakeup();
        }
    }

    /** Writes every completion made since the last pass into the ring; one release store and one kick. */
    private boolean reap() throws IOException {
        TcmuCommand local = localCompletions;
        localCompletions = null;
        int written = writeCompletions(local);
        written += writeCompletions(completions.drain());
        if (ring.publish()) {
            batchCount++;
            kickCount++;
            doorbell.ring();
        }
        return written > 0;
    }

    private int writeCompletions(TcmuCommand list) {
        int n = 0;
        for (TcmuCommand c = list; c != null; ) {
            TcmuCommand next = c.next;
            c.next = null;
            // Forget the id before the tail is published: the kernel may reuse it right after.
            inFlight[c.cmdId()] = null;
            ring.complete(c.cmdId(), c.response, c.data());
            n++;
            c = next;
        }
        return n;
    }

    // ---- WaitStrategy.RingWaiter ----

    @Override
    public boolean hasWork() {
        return stopRequested || abandoned || localCompletions != null || !completions.isEmpty() || ring.hasUnread();
    }

    @Override
    public void block() throws IOException {
        PARKED.setVolatile(this, true);
        if (hasWork()) {
            PARKED.setVolatile(this, false);
            return;
        }
        doorbell.await();
        PARKED.setVolatile(this, false);
    }
}
