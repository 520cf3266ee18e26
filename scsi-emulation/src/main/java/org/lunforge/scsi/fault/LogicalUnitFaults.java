package org.lunforge.scsi.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.TaskResponse;

/**
 * The faults armed on one logical unit, for people who test initiators: each command passes here first (before
 * unit attentions and every other check, so every frontend sees the same), and the first armed fault that matches
 * acts on it. Faults live in memory only: they are never saved, and a restart starts with none; a storage object
 * reopened under a changed configuration gets its predecessor's faults ({@link #carryOver}).
 *
 * <p>Bounds: at most {@link #MAX_ARMED} faults per logical unit. A held command stays one of its frontend's tasks
 * in flight, so the frontend's own caps (iSCSI's command window and task cap, the TCMU ring) bound how many are
 * held; nothing here allocates per command beyond the held list.
 *
 * <p>Threads: arm, disarm and {@link #armed} from any thread; {@link #intercept} on the frontend's thread. Delayed and
 * released commands run on virtual threads, held ones are checked for aborts every {@link #ABORT_POLL_MILLIS} ms.
 */
public final class LogicalUnitFaults {
    public static final int MAX_ARMED = 16;
    static final long ABORT_POLL_MILLIS = 50;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lunforge-faults");
        t.setDaemon(true);
        return t;
    });

    /** One armed fault: its counters and the commands it holds. Guarded by the enclosing object. */
    private static final class Armed {
        final int id;
        final Fault fault;
        final AtomicLong fired = new AtomicLong();
        final List<ScsiTask> held = new ArrayList<>();

        Armed(int id, Fault fault) {
            this.id = id;
            this.fault = fault;
        }

        boolean spent() {
            return fault.limit() != 0 && fired.get() >= fault.limit();
        }
    }

    private final LogicalUnit unit;
    private final Consumer<ScsiTask> proceed;
    private final List<Armed> armed = new ArrayList<>();
    /** Read without the lock on every command: false means no fault is armed, the common case. */
    private volatile boolean any;
    /** Every firing of every fault armed here since the unit was made, disarmed ones included (for metrics). */
    private final AtomicLong firedTotal = new AtomicLong();
    private int nextId = 1;
    private ScheduledFuture<?> abortPoll;

    /** Faults of {@code unit}; {@code proceed} runs a command past them (the logical unit's own checks and all). */
    public LogicalUnitFaults(LogicalUnit unit, Consumer<ScsiTask> proceed) {
        this.unit = unit;
        this.proceed = proceed;
    }

    /** Arms a fault; returns its id. Throws IllegalStateException when {@link #MAX_ARMED} are armed already. */
    public synchronized int arm(Fault fault) {
        if (armed.size() >= MAX_ARMED) {
            throw new IllegalStateException(unit.name() + " has " + MAX_ARMED + " faults armed already, the most"
                    + " it takes: disarm one first");
        }
        Armed a = new Armed(nextId++, fault);
        armed.add(a);
        any = true;
        return a.id;
    }

    /**
     * Arms here the faults {@code before} lists (the {@link #armed} of the logical unit this one replaces), with their
     * ids and how often they fired, so that a spent fault stays spent and disarm names what it named before. Commands
     * the old unit held are not moved: its close released them.
     */
    public synchronized void carryOver(List<ArmedFault> before) {
        if (armed.size() + before.size() > MAX_ARMED) {
            throw new IllegalStateException(unit.name() + " cannot take " + before.size() + " more faults");
        }
        for (ArmedFault f : before) {
            if (find(f.id()) != null) {
                throw new IllegalStateException(unit.name() + " has a fault " + f.id() + " already");
            }
            Armed a = new Armed(f.id(), f.fault());
            a.fired.set(f.fired());
            armed.add(a);
            nextId = Math.max(nextId, f.id() + 1);
        }
        any = !armed.isEmpty();
    }

    /** Disarms one fault; the commands it held run now. False if no fault has this id. */
    public boolean disarm(int id) {
        List<ScsiTask> released;
        synchronized (this) {
            Armed a = find(id);
            if (a == null) {
                return false;
            }
            armed.remove(a);
            released = new ArrayList<>(a.held);
            a.held.clear();
            settled();
        }
        released.forEach(this::runLater);
        return true;
    }

    /** Disarms every fault; returns how many there were. */
    public int disarmAll() {
        List<ScsiTask> released = new ArrayList<>();
        int count;
        synchronized (this) {
            count = armed.size();
            armed.forEach(a -> released.addAll(a.held));
            armed.clear();
            settled();
        }
        released.forEach(this::runLater);
        return count;
    }

    /** How many times faults armed on this unit fired, disarmed ones included: a counter that never goes down. */
    public long firedTotal() {
        return firedTotal.get();
    }

    /** How many faults are armed and not yet spent. */
    public synchronized int armedCount() {
        return (int) armed.stream().filter(a -> !a.spent()).count();
    }

    /** The armed faults, oldest first, with how often each fired. */
    public synchronized List<ArmedFault> armed() {
        return armed.stream().map(a -> new ArmedFault(a.id, a.fault, a.fired.get(), a.held.size(), a.spent()))
                .toList();
    }

    /**
     * Lets the first matching fault act on the task: true if it took the task (answered, delayed or held it), false
     * if the task goes on as if no fault were armed.
     */
    public boolean intercept(ScsiTask task) {
        if (!any) {
            return false;
        }
        BlockAccess access = BlockAccess.of(task.cdb());
        Armed hit = null;
        long block = -1;
        synchronized (this) {
            for (Armed a : armed) {
                if (a.spent()) {
                    continue;
                }
                block = a.fault.hit(task.nexus(), access);
                if (block != -2) {
                    hit = a;
                    break;
                }
            }
            if (hit == null) {
                return false;
            }
            hit.fired.incrementAndGet();
            firedTotal.incrementAndGet();
            if (hit.fault.effect() instanceof FaultEffect.Hold) {
                hit.held.add(new DeferredTask(task));
                if (abortPoll == null) {
                    abortPoll = TIMER.scheduleWithFixedDelay(this::endAborted, ABORT_POLL_MILLIS, ABORT_POLL_MILLIS,
                            TimeUnit.MILLISECONDS);
                }
                return true;
            }
        }
        switch (hit.fault.effect()) {
            case FaultEffect.MediumError m -> {
                SenseCode code = access.write() ? SenseCode.WRITE_ERROR : SenseCode.UNRECOVERED_READ_ERROR;
                unit.fail(task, new CheckCondition(Sense.of(code).withInformation(block)));
            }
            case FaultEffect.Answer a -> unit.fail(task, new CheckCondition(a.code()));
            case FaultEffect.Status s -> task.complete(TaskResponse.status(s.status()));
            case FaultEffect.Latency l -> {
                DeferredTask later = new DeferredTask(task);
                TIMER.schedule(() -> runLater(later), l.delay().toNanos(), TimeUnit.NANOSECONDS);
            }
            case FaultEffect.Hold h -> throw new AssertionError("held above");
        }
        return true;
    }

    /** Held commands that task management aborted end now; the frontend drops the answer (it answers the TMF). */
    private void endAborted() {
        List<ScsiTask> ended = new ArrayList<>();
        synchronized (this) {
            for (Armed a : armed) {
                a.held.removeIf(t -> t.isAborted() && ended.add(t));
            }
            settled();
        }
        for (ScsiTask t : ended) {
            t.complete(TaskResponse.status(org.lunforge.scsi.ScsiStatus.TASK_ABORTED));
        }
    }

    /** How many commands the armed faults hold now. */
    public synchronized int held() {
        return armed.stream().mapToInt(a -> a.held.size()).sum();
    }

    private void settled() {
        any = !armed.isEmpty();
        if (abortPoll != null && armed.stream().allMatch(a -> a.held.isEmpty())) {
            abortPoll.cancel(false);
            abortPoll = null;
        }
    }

    private Armed find(int id) {
        for (Armed a : armed) {
            if (a.id == id) {
                return a;
            }
        }
        return null;
    }

    private void runLater(ScsiTask task) {
        Thread.ofVirtual().name("lunforge-fault-release").start(() -> proceed.accept(task));
    }
}
