package org.lunforge.tcmu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Every offset and constant of the kernel's TCMU ABI (include/uapi/linux/target_core_user.h, TCMU_VERSION "2.0"), and
 * the accessors the ring code and the test simulator use over the shared mapping. No other file knows an offset.
 *
 * <h2>Ring design</h2>
 *
 * <p>The mapping of {@code /dev/uioN} (map0, mapped whole at offset 0) holds three parts: the 128-byte mailbox, the
 * command ring of {@code cmdr_size} bytes starting at {@code cmdr_off} (128), and the data area after it. The kernel is
 * the single producer: it writes an entry at {@code cmd_head}, then stores the new {@code cmd_head} with release
 * semantics (smp_store_release) and notifies the uio device. We are the single consumer: {@code cmdHead} is the
 * producer cursor, read with acquire semantics, so every byte of every entry below it is visible to us.
 *
 * <p>Entries are multiples of 8 bytes and never wrap: when an entry does not fit before the end of the ring the kernel
 * writes a PAD entry over the rest and starts again at offset 0. Positions are ring offsets modulo {@code cmdr_size},
 * which is NOT a power of two (8 MiB minus the mailbox by default). The kernel keeps one byte free so that
 * {@code head == tail} means empty.
 *
 * <p>We keep two positions. The consumer position (private) says how far we have READ; {@code cmd_tail} (shared, ours
 * alone to write, stored with release semantics) says how far we have COMPLETED. The kernel reaps between its own
 * {@code cmdr_last_cleaned} and {@code cmd_tail}: it skips PAD and TMR entries by their length, and for each CMD entry
 * looks up the command by the entry's {@code cmd_id} and reads the response written into it.
 *
 * <p>Out-of-order completion (CAP_OOOC): a command is completed by writing its response into whatever CMD entry lies
 * at {@code cmd_tail}, setting that entry's {@code cmd_id} to the completed command's id, and advancing the tail by
 * that entry's own length. The kernel finds commands by id, not by position, and frees ring space by the lengths in
 * the headers, which we never change; so entries of different lengths are fine. There is always such a slot: the
 * number of CMD entries between tail and consumer equals the number of commands read and not yet completed, and each
 * completion uses one slot and ends one command. The slot may still be the request of a command in flight; that is
 * why a command's CDB and iovecs are copied out when it is read (the data buffers are not: they live in the data
 * area, which is released per command id, not per slot).
 *
 * <p>The data area is allocated by the kernel lazily, page by page: touching an offset that no iovec of a live command
 * covers faults with SIGBUS and kills the JVM. Only iovec ranges of commands not yet completed are ever touched.
 *
 * <p>Fields are host-endian (the kernel's own layout); offsets were checked against the kernel header.
 */
final class TcmuAbi {
    private TcmuAbi() {
    }

    // ---- struct tcmu_mailbox (packed, 128 bytes at offset 0 of the mapping) ----
    static final long MB_VERSION = 0;        // u16
    static final long MB_FLAGS = 2;          // u16
    static final long MB_CMDR_OFF = 4;       // u32
    static final long MB_CMDR_SIZE = 8;      // u32
    static final long MB_CMD_HEAD = 12;      // u32, written by the kernel
    static final long MB_CMD_TAIL = 64;      // u32, written by user space; on its own cache line (ALIGN_SIZE 64)
    static final int MAILBOX_SIZE = 128;     // CMDR_OFF: sizeof(struct tcmu_mailbox)
    static final int MAILBOX_VERSION = 2;

    static final int CAP_OOOC = 1 << 0;
    static final int CAP_READ_LEN = 1 << 1;
    static final int CAP_TMR = 1 << 2;
    static final int CAP_KEEP_BUF = 1 << 3;

    // ---- struct tcmu_cmd_entry_hdr (8 bytes) ----
    static final long HDR_LEN_OP = 0;        // u32: length (multiple of 8) | opcode in bits 0..2
    static final long HDR_CMD_ID = 4;        // u16, 1..65535
    static final long HDR_KFLAGS = 6;        // u8
    static final long HDR_UFLAGS = 7;        // u8
    static final int HDR_SIZE = 8;
    static final int OP_MASK = 0x7;
    static final int OP_PAD = 0;
    static final int OP_CMD = 1;
    static final int OP_TMR = 2;
    static final int UFLAG_UNKNOWN_OP = 0x1;
    static final int UFLAG_READ_LEN = 0x2;
    static final int UFLAG_KEEP_BUF = 0x4;
    /** TCMU_OP_ALIGN_SIZE: entry lengths and CDB space are rounded up to this. */
    static final int ALIGN = 8;

    // ---- struct tcmu_cmd_entry, request view ----
    static final long REQ_IOV_CNT = 8;       // u32
    static final long REQ_IOV_BIDI_CNT = 12; // u32
    static final long REQ_IOV_DIF_CNT = 16;  // u32
    static final long REQ_CDB_OFF = 24;      // u64, an offset from the start of the mapping
    static final long REQ_IOV = 48;          // struct iovec[]
    static final int IOV_SIZE = 16;
    static final long IOV_BASE = 0;          // u64, an offset from the start of the mapping (not an address)
    static final long IOV_LEN = 8;           // u64
    /** sizeof(struct tcmu_cmd_entry): the least space before the CDB, so that a response always fits. */
    static final int CMD_ENTRY_SIZE = 112;

    // ---- struct tcmu_cmd_entry, response view (written in place) ----
    static final long RSP_SCSI_STATUS = 8;   // u8
    static final long RSP_READ_LEN = 12;     // u32, valid with UFLAG_READ_LEN (CAP_READ_LEN)
    static final long RSP_SENSE = 16;        // u8[96]
    static final int SENSE_BUFFER_SIZE = 96;

    // ---- struct tcmu_tmr_entry (CAP_TMR, attrib/tmr_notification=1) ----
    static final long TMR_TYPE = 8;          // u8
    static final long TMR_CMD_CNT = 12;      // u32
    static final long TMR_CMD_IDS = 32;      // u16[]
    static final int TMR_ENTRY_SIZE = 32;
    static final int TMR_UNKNOWN = 0;
    static final int TMR_ABORT_TASK = 1;
    static final int TMR_ABORT_TASK_SET = 2;
    static final int TMR_CLEAR_ACA = 3;
    static final int TMR_CLEAR_TASK_SET = 4;
    static final int TMR_LUN_RESET = 5;
    static final int TMR_TARGET_WARM_RESET = 6;
    static final int TMR_TARGET_COLD_RESET = 7;
    /** A pseudo reset: a PERSISTENT RESERVE OUT with PREEMPT AND ABORT aborted these commands. */
    static final int TMR_LUN_RESET_PRO = 128;

    /** The uio notification: read and write move exactly one s32. */
    static final int UIO_EVENT_SIZE = 4;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    private static final VarHandle U32_HANDLE = U32.varHandle();

    // ---- mailbox ----

    static int version(MemorySegment map) {
        return Short.toUnsignedInt(map.get(U16, MB_VERSION));
    }

    static int flags(MemorySegment map) {
        return Short.toUnsignedInt(map.get(U16, MB_FLAGS));
    }

    static int cmdrOff(MemorySegment map) {
        return map.get(U32, MB_CMDR_OFF);
    }

    static int cmdrSize(MemorySegment map) {
        return map.get(U32, MB_CMDR_SIZE);
    }

    /**
     * The producer cursor. Acquire pairs with the kernel's release store of cmd_head: every entry byte the kernel wrote
     * before publishing this head is visible to the reads that follow (tcmu-runner issue 688: without it aarch64 read
     * stale entries).
     */
    static int cmdHeadAcquire(MemorySegment map) {
        return (int) U32_HANDLE.getAcquire(map, MB_CMD_HEAD);
    }

    /**
     * Publishes our completions. Release orders every response byte written into the entries before {@code tail}
     * ahead of the tail itself: the kernel, once it sees the tail, reads complete responses.
     */
    static void cmdTailRelease(MemorySegment map, int tail) {
        U32_HANDLE.setRelease(map, MB_CMD_TAIL, tail);
    }

    /** Plain read of cmd_tail: only at open, before any thread of ours wrote it. */
    static int cmdTailPlain(MemorySegment map) {
        return map.get(U32, MB_CMD_TAIL);
    }

    // ---- kernel side, for the simulator: the mirror images of the two accessors above ----

    static void cmdHeadRelease(MemorySegment map, int head) {
        U32_HANDLE.setRelease(map, MB_CMD_HEAD, head);
    }

    static int cmdTailAcquire(MemorySegment map) {
        return (int) U32_HANDLE.getAcquire(map, MB_CMD_TAIL);
    }

    static void writeMailbox(MemorySegment map, int flags, int cmdrSize) {
        map.set(U16, MB_VERSION, (short) MAILBOX_VERSION);
        map.set(U16, MB_FLAGS, (short) flags);
        map.set(U32, MB_CMDR_OFF, MAILBOX_SIZE);
        map.set(U32, MB_CMDR_SIZE, cmdrSize);
        map.set(U32, MB_CMD_HEAD, 0);
        map.set(U32, MB_CMD_TAIL, 0);
    }

    // ---- entries; {@code entry} is the offset of the entry from the start of the mapping ----

    static int lenOp(MemorySegment map, long entry) {
        return map.get(U32, entry + HDR_LEN_OP);
    }

    static int opcode(int lenOp) {
        return lenOp & OP_MASK;
    }

    static int length(int lenOp) {
        return lenOp & ~OP_MASK;
    }

    static int lenOp(int length, int opcode) {
        return (length & ~OP_MASK) | (opcode & OP_MASK);
    }

    static void setLenOp(MemorySegment map, long entry, int lenOp) {
        map.set(U32, entry + HDR_LEN_OP, lenOp);
    }

    static int cmdId(MemorySegment map, long entry) {
        return Short.toUnsignedInt(map.get(U16, entry + HDR_CMD_ID));
    }

    static void setCmdId(MemorySegment map, long entry, int cmdId) {
        map.set(U16, entry + HDR_CMD_ID, (short) cmdId);
    }

    static int uflags(MemorySegment map, long entry) {
        return Byte.toUnsignedInt(map.get(ValueLayout.JAVA_BYTE, entry + HDR_UFLAGS));
    }

    static void setUflags(MemorySegment map, long entry, int uflags) {
        map.set(ValueLayout.JAVA_BYTE, entry + HDR_UFLAGS, (byte) uflags);
    }

    static void setKflags(MemorySegment map, long entry, int kflags) {
        map.set(ValueLayout.JAVA_BYTE, entry + HDR_KFLAGS, (byte) kflags);
    }

    static int iovCount(MemorySegment map, long entry) {
        return map.get(U32, entry + REQ_IOV_CNT);
    }

    static int iovBidiCount(MemorySegment map, long entry) {
        return map.get(U32, entry + REQ_IOV_BIDI_CNT);
    }

    static long cdbOff(MemorySegment map, long entry) {
        return map.get(U64, entry + REQ_CDB_OFF);
    }

    static long iovBase(MemorySegment map, long entry, int index) {
        return map.get(U64, entry + REQ_IOV + (long) index * IOV_SIZE + IOV_BASE);
    }

    static long iovLen(MemorySegment map, long entry, int index) {
        return map.get(U64, entry + REQ_IOV + (long) index * IOV_SIZE + IOV_LEN);
    }

    static void setRequest(MemorySegment map, long entry, int iovCnt, int iovBidiCnt, long cdbOff) {
        map.set(U32, entry + REQ_IOV_CNT, iovCnt);
        map.set(U32, entry + REQ_IOV_BIDI_CNT, iovBidiCnt);
        map.set(U32, entry + REQ_IOV_DIF_CNT, 0);
        map.set(U64, entry + REQ_CDB_OFF, cdbOff);
    }

    static void setIov(MemorySegment map, long entry, int index, long base, long len) {
        map.set(U64, entry + REQ_IOV + (long) index * IOV_SIZE + IOV_BASE, base);
        map.set(U64, entry + REQ_IOV + (long) index * IOV_SIZE + IOV_LEN, len);
    }

    /** max(offsetof(tcmu_cmd_entry, req.iov[n]), sizeof(tcmu_cmd_entry)): where the CDB starts in a CMD entry. */
    static int baseCommandSize(int iovCount) {
        return Math.max((int) REQ_IOV + iovCount * IOV_SIZE, CMD_ENTRY_SIZE);
    }

    static int roundUp(int n) {
        return (n + ALIGN - 1) & ~(ALIGN - 1);
    }

    static int scsiStatus(MemorySegment map, long entry) {
        return Byte.toUnsignedInt(map.get(ValueLayout.JAVA_BYTE, entry + RSP_SCSI_STATUS));
    }

    static void setScsiStatus(MemorySegment map, long entry, int status) {
        map.set(ValueLayout.JAVA_BYTE, entry + RSP_SCSI_STATUS, (byte) status);
    }

    static long readLen(MemorySegment map, long entry) {
        return Integer.toUnsignedLong(map.get(U32, entry + RSP_READ_LEN));
    }

    static void setReadLen(MemorySegment map, long entry, int readLen) {
        map.set(U32, entry + RSP_READ_LEN, readLen);
    }

    static MemorySegment senseBuffer(MemorySegment map, long entry) {
        return map.asSlice(entry + RSP_SENSE, SENSE_BUFFER_SIZE);
    }

    static int tmrType(MemorySegment map, long entry) {
        return Byte.toUnsignedInt(map.get(ValueLayout.JAVA_BYTE, entry + TMR_TYPE));
    }

    static int tmrCmdCount(MemorySegment map, long entry) {
        return map.get(U32, entry + TMR_CMD_CNT);
    }

    static int tmrCmdId(MemorySegment map, long entry, int index) {
        return Short.toUnsignedInt(map.get(U16, entry + TMR_CMD_IDS + 2L * index));
    }

    static void setTmr(MemorySegment map, long entry, int type, int[] cmdIds) {
        map.set(ValueLayout.JAVA_BYTE, entry + TMR_TYPE, (byte) type);
        map.set(U32, entry + TMR_CMD_CNT, cmdIds.length);
        for (int i = 0; i < cmdIds.length; i++) {
            map.set(U16, entry + TMR_CMD_IDS + 2L * i, (short) cmdIds[i]);
        }
    }

    /** sizeof(struct tcmu_tmr_entry) plus the id list, rounded up to 8. */
    static int tmrEntrySize(int cmdCount) {
        return roundUp(TMR_ENTRY_SIZE + 2 * cmdCount);
    }

    /**
     * The CDB length the kernel copied (scsi_command_size): by the opcode's group, and for VARIABLE LENGTH (7Fh) 8
     * plus ADDITIONAL CDB LENGTH. Returns -1 if byte 7 of a variable-length CDB is needed but not given.
     */
    static int cdbLength(int opcode, int additionalLength) {
        if (opcode == 0x7F) {
            return additionalLength < 0 ? -1 : 8 + additionalLength;
        }
        return switch ((opcode >> 5) & 7) {
            case 0 -> 6;
            case 1, 2, 6, 7 -> 10;
            case 3, 5 -> 12;
            case 4 -> 16;
            default -> throw new AssertionError();
        };
    }

    static String tmrName(int type) {
        return switch (type) {
            case TMR_ABORT_TASK -> "ABORT TASK";
            case TMR_ABORT_TASK_SET -> "ABORT TASK SET";
            case TMR_CLEAR_ACA -> "CLEAR ACA";
            case TMR_CLEAR_TASK_SET -> "CLEAR TASK SET";
            case TMR_LUN_RESET -> "LOGICAL UNIT RESET";
            case TMR_TARGET_WARM_RESET -> "TARGET WARM RESET";
            case TMR_TARGET_COLD_RESET -> "TARGET COLD RESET";
            case TMR_LUN_RESET_PRO -> "LUN RESET (PREEMPT AND ABORT)";
            default -> "TMR " + type;
        };
    }
}
