package org.lunforge.tcmu;

import static org.lunforge.tcmu.TcmuAbi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskResponse;

/**
 * The command ring of one mapping, walked by one thread (see {@link TcmuAbi} for the design). It reads entries from
 * the private consumer position up to the kernel's cmd_head, and writes completions at cmd_tail, out of order.
 *
 * <p>Not thread-safe: only the ring thread calls it. Every offset it takes from the ring is checked against the
 * mapping before it is used, so a corrupt entry stops the device instead of faulting.
 */
final class TcmuRing {
    private final MemorySegment map;
    private final long cmdrOff;
    private final int cmdrSize;
    private final long dataOff;
    private final int flags;
    /** How far we have READ: the next entry to look at. */
    private int consumer;
    /** How far we have COMPLETED: our copy of cmd_tail, ahead of what the kernel sees until {@link #publish}. */
    private int tail;
    private int published;
    /** CMD entries in [tail, consumer): equal to the commands read and not yet completed. */
    private int slots;
    /** See {@link #wasFull}. */
    private boolean full;

    /** What a pass over the ring hands out. */
    interface EntryHandler {
        void onCommand(TcmuCommand command, boolean endOfBatch);

        /** A command entry that cannot be served as a task (a CDB the kernel should never send); complete it. */
        void onMalformed(int cmdId, String reason);

        void onTaskManagement(int type, int[] cmdIds);
    }

    TcmuRing(MemorySegment map) {
        this.map = map;
        if (map.byteSize() < MAILBOX_SIZE) {
            throw new TcmuProtocolException("mapping smaller than the mailbox: " + map.byteSize());
        }
        int version = version(map);
        if (version != MAILBOX_VERSION) {
            throw new TcmuProtocolException("mailbox version " + version + ", expected " + MAILBOX_VERSION);
        }
        this.flags = TcmuAbi.flags(map);
        if ((flags & CAP_OOOC) == 0) {
            throw new TcmuProtocolException("kernel lacks out-of-order completion (mailbox flags 0x"
                    + Integer.toHexString(flags) + ")");
        }
        this.cmdrOff = Integer.toUnsignedLong(TcmuAbi.cmdrOff(map));
        this.cmdrSize = TcmuAbi.cmdrSize(map);
        this.dataOff = cmdrOff + Integer.toUnsignedLong(cmdrSize);
        if (cmdrOff < MAILBOX_SIZE || cmdrSize <= 0 || cmdrSize % ALIGN != 0 || dataOff > map.byteSize()) {
            throw new TcmuProtocolException("bad ring geometry: cmdr_off " + cmdrOff + ", cmdr_size " + cmdrSize
                    + ", mapping " + map.byteSize());
        }
        int start = cmdTailPlain(map);
        checkPosition(start, "cmd_tail");
        this.consumer = start;
        this.tail = start;
        this.published = start;
    }

    int flags() {
        return flags;
    }

    int cmdrSize() {
        return cmdrSize;
    }

    private int head() {
        int head = cmdHeadAcquire(map);
        checkPosition(head, "cmd_head");
        return head;
    }

    private void checkPosition(int position, String what) {
        if (position < 0 || position >= cmdrSize || position % ALIGN != 0) {
            throw new TcmuProtocolException(what + " out of the ring: " + position);
        }
    }

    /** True if the kernel has published entries we have not read. */
    boolean hasUnread() {
        return consumer != head();
    }

    /** Commands read and not yet completed. */
    int inFlight() {
        return slots;
    }

    /**
     * True if, at the head the last {@link #read} reached, the ring had no room for even the smallest command entry
     * (an entry header and a 16-byte CDB: {@link TcmuAbi#CMD_ENTRY_SIZE} + 16) between the head and the cmd_tail the
     * kernel saw: the kernel then holds new commands back (its qfull queue) until completions free the ring.
     */
    boolean wasFull() {
        return full;
    }

    /**
     * Reads every entry up to the cmd_head seen on entry, handing commands and TMRs to {@code handler} in ring
     * order. Returns the number of entries read.
     */
    int read(EntryHandler handler, Nexus nexus, TcmuCommand.CompletionSink sink) {
        int head = head();
        int count = 0;
        // One byte stays unused (head == tail means empty), as in the kernel's spc_free.
        full = cmdrSize - Math.floorMod(head - published, cmdrSize) - 1 < CMD_ENTRY_SIZE + 16;
        while (consumer != head) {
            long entry = cmdrOff + consumer;
            int lenOp = lenOp(map, entry);
            int length = length(lenOp);
            // The kernel publishes whole entries: each ends at or before cmd_head. A longer one would carry the
            // consumer past the head and round the ring for ever.
            int unread = Math.floorMod(head - consumer, cmdrSize);
            if (length < HDR_SIZE || consumer + (long) length > cmdrSize || length > unread) {
                throw new TcmuProtocolException("entry at " + consumer + " has length " + length + " (cmd_head "
                        + head + ")");
            }
            int next = consumer + length == cmdrSize ? 0 : consumer + length;
            switch (opcode(lenOp)) {
                case OP_PAD -> {
                }
                case OP_CMD -> {
                    if (length < CMD_ENTRY_SIZE) {
                        throw new TcmuProtocolException("command entry at " + consumer + " too short: " + length);
                    }
                    slots++;
                    consumer = next; // before the handler runs: it may complete the command at once
                    readCommand(entry, length, handler, nexus, sink, next == head);
                }
                case OP_TMR -> readTmr(entry, length, handler);
                default -> throw new TcmuProtocolException("unknown entry opcode " + opcode(lenOp) + " at " + consumer);
            }
            consumer = next;
            count++;
        }
        return count;
    }

    private void readCommand(long entry, int length, EntryHandler handler, Nexus nexus,
                             TcmuCommand.CompletionSink sink, boolean endOfBatch) {
        int cmdId = cmdId(map, entry);
        int iovCnt = iovCount(map, entry);
        int bidiCnt = iovBidiCount(map, entry);
        if (iovCnt < 0 || bidiCnt < 0 || REQ_IOV + ((long) iovCnt + bidiCnt) * IOV_SIZE > length) {
            handler.onMalformed(cmdId, "iovec counts " + iovCnt + "+" + bidiCnt + " exceed entry length " + length);
            return;
        }
        long cdbOff = cdbOff(map, entry);
        long entryEnd = entry + length;
        if (cdbOff < entry + REQ_IOV || cdbOff >= entryEnd) {
            handler.onMalformed(cmdId, "cdb_off " + cdbOff + " outside its entry");
            return;
        }
        int available = (int) (entryEnd - cdbOff);
        int opcode = Byte.toUnsignedInt(map.get(ValueLayout.JAVA_BYTE, cdbOff));
        int additional = available > 7 ? Byte.toUnsignedInt(map.get(ValueLayout.JAVA_BYTE, cdbOff + 7)) : -1;
        int cdbLength = cdbLength(opcode, additional);
        if (cdbLength < 0 || cdbLength > available) {
            handler.onMalformed(cmdId, "CDB of opcode 0x" + Integer.toHexString(opcode) + " does not fit its entry");
            return;
        }
        byte[] cdb = new byte[cdbLength];
        MemorySegment.copy(map, ValueLayout.JAVA_BYTE, cdbOff, cdb, 0, cdbLength);
        SgList data = iovecs(entry, 0, iovCnt);
        SgList bidi = bidiCnt == 0 ? null : iovecs(entry, iovCnt, bidiCnt);
        if (data == null || (bidiCnt != 0 && bidi == null)) {
            handler.onMalformed(cmdId, "iovec outside the data area");
            return;
        }
        handler.onCommand(new TcmuCommand(sink, nexus, cmdId, new Cdb(cdb), data, bidi), endOfBatch);
    }

    /** Views over iovecs [first, first+count); null if one points outside the data area. */
    private SgList iovecs(long entry, int first, int count) {
        if (count == 0) {
            return SgList.EMPTY;
        }
        MemorySegment[] segments = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            long base = iovBase(map, entry, first + i);
            long len = iovLen(map, entry, first + i);
            if (base < dataOff || len < 0 || len > map.byteSize() - base) {
                return null;
            }
            segments[i] = map.asSlice(base, len);
        }
        return SgList.of(segments);
    }

    private void readTmr(long entry, int length, EntryHandler handler) {
        int count = tmrCmdCount(map, entry);
        if (count < 0 || TMR_CMD_IDS + 2L * count > length) {
            throw new TcmuProtocolException("TMR entry lists " + count + " ids in " + length + " bytes");
        }
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = tmrCmdId(map, entry, i);
        }
        handler.onTaskManagement(tmrType(map, entry), ids);
    }

    /**
     * Writes the completion of command {@code cmdId} into the CMD entry at the tail and moves the tail past it
     * (out-of-order completion). Not visible to the kernel before {@link #publish}.
     *
     * @param data the command's buffer: zero-filled when a Data-In command returns GOOD with nothing, so that the
     *     kernel, which cannot be told "0 bytes" (read_len 0 means "not set"), returns zeros and not stale bytes
     */
    void complete(int cmdId, TaskResponse response, SgList data) {
        if (slots == 0) {
            throw new IllegalStateException("completion of " + cmdId + " with no command in flight");
        }
        skipNonCommands();
        long entry = cmdrOff + tail;
        int length = length(lenOp(map, entry));

        long expected = data.length();
        long moved = Math.min(response.transferLength(), expected);
        int status = response.status().code();
        int uflags = 0;
        int readLen = 0;
        if (moved < expected || status == ScsiStatus.CHECK_CONDITION.code()) {
            if (moved > 0) {
                // READ_LEN: the kernel returns this much Data-In, and with CHECK CONDITION data AND sense.
                uflags = UFLAG_READ_LEN;
                readLen = (int) moved;
            } else if (status == ScsiStatus.GOOD.code() && expected > 0) {
                data.fill(0, expected, (byte) 0);
            }
        }
        setCmdId(map, entry, cmdId);
        setUflags(map, entry, uflags);
        setScsiStatus(map, entry, status);
        setReadLen(map, entry, readLen);
        if (status == ScsiStatus.CHECK_CONDITION.code()) {
            MemorySegment sense = senseBuffer(map, entry);
            byte[] bytes = response.sense();
            int n = Math.min(bytes.length, SENSE_BUFFER_SIZE);
            MemorySegment.copy(bytes, 0, sense, ValueLayout.JAVA_BYTE, 0, n);
            sense.asSlice(n).fill((byte) 0);
        }
        tail = advance(tail, length);
        slots--;
    }

    /** Moves the tail over PAD and TMR entries already read: they need no response. */
    private void skipNonCommands() {
        while (tail != consumer) {
            int lenOp = lenOp(map, cmdrOff + tail);
            if (opcode(lenOp) == OP_CMD) {
                return;
            }
            tail = advance(tail, length(lenOp));
        }
    }

    private int advance(int position, int length) {
        int next = position + length;
        return next == cmdrSize ? 0 : next;
    }

    /**
     * Stores the tail into cmd_tail with release semantics if it moved. Returns true if it did: the kernel should be
     * told (one uio write per batch).
     */
    boolean publish() {
        skipNonCommands();
        if (tail == published) {
            return false;
        }
        cmdTailRelease(map, tail);
        published = tail;
        return true;
    }
}
