package org.lunforge.tcmu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The hand-off of completions from device threads to the ring thread: an intrusive lock-free stack (the command is
 * its own node, so no allocation). Any thread pushes with one CAS; the ring thread takes the whole stack with one
 * atomic swap, so there is no ABA problem and no lock per command. Order does not matter: completions are out of
 * order by design (CAP_OOOC).
 *
 * <p>Ordering: a push is a volatile CAS and a drain a volatile getAndSet, so everything the completing thread wrote
 * before {@code push} (the response, the Data-In bytes in the shared data area) happens-before what the ring thread
 * does after {@code drain}, including its release store of cmd_tail.
 */
final class CompletionQueue {
    private static final VarHandle TOP;

    static {
        try {
            TOP = MethodHandles.lookup().findVarHandle(CompletionQueue.class, "top", TcmuCommand.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through TOP
    private volatile TcmuCommand top;

    void push(TcmuCommand command) {
        TcmuCommand current;
        do {
            current = (TcmuCommand) TOP.getVolatile(this);
            command.next = current;
        } while (!TOP.compareAndSet(this, current, command));
    }

    /** Takes every queued command as a list linked through {@code next}; null if none. Ring thread only. */
    TcmuCommand drain() {
        return (TcmuCommand) TOP.getAndSet(this, (TcmuCommand) null);
    }

    boolean isEmpty() {
        return TOP.getVolatile(this) == null;
    }
}
