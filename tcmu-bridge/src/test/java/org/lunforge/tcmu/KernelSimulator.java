package org.lunforge.tcmu;

import static org.lunforge.tcmu.TcmuAbi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernel's side of a TCMU ring, as drivers/target/target_core_user.c does it, over an ordinary native segment:
 * the mailbox, a command ring of any size (not a power of two), a data area of page-sized blocks allocated lowest
 * free first (so a command's blocks may be scattered over several iovecs), cmd_ids allocated lowest free first (so
 * they are reused as soon as a completion is reaped), a PAD entry instead of wrapping, cmd_head stored with release
 * semantics, TMR entries, and completions reaped from cmdr_last_cleaned to cmd_tail by cmd_id (out of order), with
 * READ_LEN and sense handled as tcmu_handle_completion does. A ring the kernel would call broken fails the test.
 *
 * <p>It is also the {@link TcmuDoorbell} of the ring under test: {@link #ring()} reaps synchronously in the caller's
 * thread, as the uio write runs tcmu_irqcontrol. All kernel state is guarded by this object's monitor (cmdr_lock).
 */
final class KernelSimulator implements TcmuDoorbell {
    static final int BLOCK_SIZE = 4096;

    enum Direction { NONE, TO_DEVICE, FROM_DEVICE }

    /** One command as the kernel tracks it (struct tcmu_cmd). */
    static final class SimCommand {
        final int cmdId;
        final byte[] cdb;
        final Direction direction;
        final int dataLength;
        final int[] blocks;
        final int iovCount;
        final CompletableFuture<Completion> completion = new CompletableFuture<>();

        SimCommand(int cmdId, byte[] cdb, Direction direction, int dataLength, int[] blocks, int iovCount) {
            this.cmdId = cmdId;
            this.cdb = cdb;
            this.direction = direction;
            this.dataLength = dataLength;
            this.blocks = blocks;
            this.iovCount = iovCount;
        }
    }

    /** What the initiator would get: status, sense, and the Data-In the kernel gathered. */
    record Completion(int cmdId, int status, byte[] sense, byte[] dataIn, boolean readLenValid) {
    }

    private final Arena arena = Arena.ofShared();
    final MemorySegment map;
    private final int cmdrSize;
    private final long dataOff;
    private final int dataBlocks;
    private final BitSet dataBitmap;
    private final SimCommand[] commands = new SimCommand[1 << 16];
    private int commandCount;
    private int head;
    private int lastCleaned;
    private final Semaphore events = new Semaphore(0);
    private final AtomicBoolean gone = new AtomicBoolean();
    final AtomicInteger pads = new AtomicInteger();
    final AtomicInteger kicks = new AtomicInteger();
    final AtomicInteger notifications = new AtomicInteger();
    private final List<Completion> completions = new ArrayList<>();
    /** The benchmark turns this off: millions of kept completions would measure the heap. */
    volatile boolean keepCompletions = true;
    private final List<Integer> tmrs = new ArrayList<>();

    KernelSimulator(int cmdrSize, int dataBlocks) {
        this(cmdrSize, dataBlocks, CAP_OOOC | CAP_READ_LEN | CAP_TMR | CAP_KEEP_BUF);
    }

    KernelSimulator(int cmdrSize, int dataBlocks, int flags) {
        if (cmdrSize % ALIGN != 0) {
            throw new IllegalArgumentException("cmdr_size must be a multiple of 8");
        }
        this.cmdrSize = cmdrSize;
        long dataStart = MAILBOX_SIZE + (long) cmdrSize;
        this.dataOff = (dataStart + BLOCK_SIZE - 1) / BLOCK_SIZE * BLOCK_SIZE;
        this.dataBlocks = dataBlocks;
        this.dataBitmap = new BitSet(dataBlocks);
        this.map = arena.allocate(dataOff + (long) dataBlocks * BLOCK_SIZE, BLOCK_SIZE);
        // The kernel's data area starts right after the ring; ours is padded to a page (cmdr_size is ours to pick).
        writeMailbox(map, flags, (int) (dataOff - MAILBOX_SIZE));
    }

    /** The ring size the mailbox advertises (cmdr_off + cmdr_size = start of the data area). */
    int ringSize() {
        return cmdrSize(map);
    }

    // ---- the producer: queue_cmd_ring ----

    /**
     * Queues a command, or returns null if ring or data space is short (the kernel would put it on its qfull queue).
     */
    synchronized SimCommand queue(byte[] cdb, Direction direction, byte[] dataOut, int dataLength) {
        int ringSize = ringSize();
        int blockCount = (dataLength + BLOCK_SIZE - 1) / BLOCK_SIZE;
        if (blockCount > dataBlocks - dataBitmap.cardinality()) {
            return null;
        }
        int[] blocks = new int[blockCount];
        int iovCount = 0;
        int previous = -2;
        for (int i = 0, from = 0; i < blockCount; i++) {
            int b = dataBitmap.nextClearBit(from);
            blocks[i] = b;
            if (b != previous + 1) {
                iovCount++;
            }
            previous = b;
            from = b + 1;
        }
        int baseSize = baseCommandSize(iovCount);
        int commandSize = baseSize + roundUp(cdb.length);
        if (commandSize > ringSize / 2) {
            throw new IllegalArgumentException("command of " + commandSize + " bytes too big for the ring");
        }
        int toEnd = ringSize - head;
        int needed = toEnd >= commandSize ? commandSize : commandSize + toEnd;
        if (spaceFree(ringSize) < needed) {
            return null;
        }
        int cmdId = 1;
        while (cmdId < commands.length && commands[cmdId] != null) {
            cmdId++;
        }
        if (cmdId == commands.length) {
            return null;
        }
        for (int b : blocks) {
            dataBitmap.set(b);
        }
        insertPaddingIfNeeded(commandSize);

        long entry = MAILBOX_SIZE + head;
        map.asSlice(entry, commandSize).fill((byte) 0);
        // iovecs: consecutive blocks share one iovec; the lengths add up to exactly dataLength.
        int iov = -1;
        previous = -2;
        long remaining = dataLength;
        long[] iovLens = new long[iovCount];
        long[] iovBases = new long[iovCount];
        for (int b : blocks) {
            long len = Math.min(remaining, BLOCK_SIZE);
            if (b != previous + 1) {
                iov++;
                iovBases[iov] = dataOff + (long) b * BLOCK_SIZE;
            }
            iovLens[iov] += len;
            remaining -= len;
            previous = b;
        }
        for (int i = 0; i < iovCount; i++) {
            setIov(map, entry, i, iovBases[i], iovLens[i]);
        }
        if (direction == Direction.TO_DEVICE) {
            scatter(blocks, dataOut, dataLength);
        }
        long cdbOff = MAILBOX_SIZE + head + baseSize;
        MemorySegment.copy(cdb, 0, map, ValueLayout.JAVA_BYTE, cdbOff, cdb.length);
        setRequest(map, entry, iovCount, 0, cdbOff);
        setCmdId(map, entry, cmdId);
        setLenOp(map, entry, lenOp(commandSize, OP_CMD));
        SimCommand command = new SimCommand(cmdId, cdb.clone(), direction, dataLength, blocks, iovCount);
        commands[cmdId] = command;
        commandCount++;
        publishHead(commandSize);
        return command;
    }

    SimCommand queue(byte[] cdb, Direction direction, int dataLength) {
        return queue(cdb, direction, null, dataLength);
    }

    /** queue_tmr_ring: returns false if there is no ring space (the kernel would queue the TMR). */
    synchronized boolean queueTmr(int type, int... cmdIds) {
        int ringSize = ringSize();
        int size = tmrEntrySize(cmdIds.length);
        int toEnd = ringSize - head;
        int needed = toEnd >= size ? size : size + toEnd;
        if (spaceFree(ringSize) < needed) {
            return false;
        }
        insertPaddingIfNeeded(size);
        long entry = MAILBOX_SIZE + head;
        map.asSlice(entry, size).fill((byte) 0);
        setLenOp(map, entry, lenOp(size, OP_TMR));
        setTmr(map, entry, type, cmdIds);
        tmrs.add(type);
        publishHead(size);
        return true;
    }

    /** Writes a corrupt entry (for the protocol checks): a CMD entry whose length is zero. */
    synchronized void queueGarbage() {
        long entry = MAILBOX_SIZE + head;
        setLenOp(map, entry, lenOp(0, OP_CMD));
        publishHead(ALIGN);
    }

    private int spaceFree(int ringSize) {
        int used = head - lastCleaned;
        if (used < 0) {
            used += ringSize;
        }
        return ringSize - used - 1; // one byte unused: head == tail means empty
    }

    private void insertPaddingIfNeeded(int size) {
        int ringSize = ringSize();
        int toEnd = ringSize - head;
        if (toEnd < size) {
            long entry = MAILBOX_SIZE + head;
            setLenOp(map, entry, lenOp(toEnd, OP_PAD));
            setCmdId(map, entry, 0);
            setKflags(map, entry, 0);
            setUflags(map, entry, 0);
            pads.incrementAndGet();
            publishHead(toEnd);
            if (head != 0) {
                throw new AssertionError("PAD did not end at the ring's end");
            }
        }
    }

    /** UPDATE_HEAD: smp_store_release of the new head, then the uio notification. */
    private void publishHead(int length) {
        head = (head + length) % ringSize();
        cmdHeadRelease(map, head);
        notifications.incrementAndGet();
        events.release();
    }

    private void scatter(int[] blocks, byte[] data, int length) {
        int done = 0;
        for (int b : blocks) {
            int n = Math.min(BLOCK_SIZE, length - done);
            MemorySegment.copy(data, done, map, ValueLayout.JAVA_BYTE, dataOff + (long) b * BLOCK_SIZE, n);
            done += n;
        }
    }

    private byte[] gather(int[] blocks, int length) {
        byte[] out = new byte[length];
        int done = 0;
        for (int b : blocks) {
            if (done == length) {
                break;
            }
            int n = Math.min(BLOCK_SIZE, length - done);
            MemorySegment.copy(map, ValueLayout.JAVA_BYTE, dataOff + (long) b * BLOCK_SIZE, out, done, n);
            done += n;
        }
        return out;
    }

    // ---- the consumer side of the kernel: tcmu_handle_completions ----

    /** Reaps every entry between cmdr_last_cleaned and cmd_tail. Returns the number of commands completed. */
    synchronized int reap() {
        int ringSize = ringSize();
        int tail = cmdTailAcquire(map);
        if (tail < 0 || tail >= ringSize || tail % ALIGN != 0) {
            throw new AssertionError("cmd_tail out of the ring: " + tail);
        }
        int n = 0;
        while (lastCleaned != tail) {
            long entry = MAILBOX_SIZE + lastCleaned;
            int lenOp = lenOp(map, entry);
            int length = length(lenOp);
            if (length == 0) {
                throw new AssertionError("zero-length entry at " + lastCleaned);
            }
            if (opcode(lenOp) == OP_CMD) {
                int cmdId = cmdId(map, entry);
                SimCommand command = commands[cmdId];
                if (command == null) {
                    throw new AssertionError("cmd_id " + cmdId + " not found, ring is broken");
                }
                commands[cmdId] = null;
                commandCount--;
                complete(command, entry);
                n++;
            }
            lastCleaned = (lastCleaned + length) % ringSize;
        }
        return n;
    }

    private void complete(SimCommand command, long entry) {
        int uflags = uflags(map, entry);
        if ((uflags & UFLAG_KEEP_BUF) != 0) {
            throw new AssertionError("KEEP_BUF is never used by the bridge");
        }
        int status = scsiStatus(map, entry);
        byte[] sense = new byte[0];
        byte[] dataIn = new byte[0];
        boolean readLenValid = false;
        if ((uflags & UFLAG_UNKNOWN_OP) != 0) {
            status = 0x02;
        } else {
            long readLen = command.dataLength;
            if (command.direction == Direction.FROM_DEVICE && (uflags & UFLAG_READ_LEN) != 0
                    && readLen(map, entry) != 0) {
                readLenValid = true;
                readLen = Math.min(readLen, readLen(map, entry));
            }
            boolean gatherData = true;
            if (status == 0x02) {
                sense = new byte[SENSE_BUFFER_SIZE];
                MemorySegment.copy(map, ValueLayout.JAVA_BYTE, entry + RSP_SENSE, sense, 0, SENSE_BUFFER_SIZE);
                gatherData = readLenValid;
            }
            if (gatherData && command.direction == Direction.FROM_DEVICE) {
                dataIn = gather(command.blocks, (int) readLen);
            }
        }
        for (int b : command.blocks) {
            dataBitmap.clear(b);
            // Freed pages may be handed to the next command with their old contents, as the kernel does.
        }
        Completion c = new Completion(command.cmdId, status, sense, dataIn, readLenValid);
        if (keepCompletions) {
            completions.add(c);
        }
        command.completion.complete(c);
    }

    synchronized List<Completion> completions() {
        return List.copyOf(completions);
    }

    synchronized int inFlight() {
        return commandCount;
    }

    synchronized List<Integer> tmrs() {
        return List.copyOf(tmrs);
    }

    /** uio_unregister_device: the next await fails as a read of the gone device does. */
    void unregister() {
        gone.set(true);
        events.release();
    }

    // ---- TcmuDoorbell ----

    @Override
    public void ring() {
        kicks.incrementAndGet();
        reap();
    }

    @Override
    public void await() throws TcmuDeviceGoneException {
        if (gone.get()) {
            throw new TcmuDeviceGoneException("simulated device gone", null);
        }
        events.acquireUninterruptibly();
        events.drainPermits();
        if (gone.get()) {
            throw new TcmuDeviceGoneException("simulated device gone", null);
        }
    }

    @Override
    public void wakeup() {
        events.release();
    }

    @Override
    public void close() {
    }

    void free() {
        arena.close();
    }
}
