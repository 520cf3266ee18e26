package org.lunforge.device.disk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lunforge.backstore.BlockStoreException;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LunMap;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.ScsiTask;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SgList;
import org.lunforge.scsi.TaskResponse;

/**
 * The copy manager: EXTENDED COPY (LID1, SPC-4 6.4) with identification CSCD descriptors (E4h) naming disks by NAA,
 * and block-to-block segment descriptors (02h, and 0Ah with byte offsets and a byte count); RECEIVE COPY RESULTS (SPC-4 6.20) with COPY STATUS, OPERATING
 * PARAMETERS and FAILED SEGMENT DETAILS.
 *
 * <p>Checks, in the order libiscsi's ExtendedCopy tests rely on: the parameter list is long enough for its header and
 * the lengths it declares (PARAMETER LIST LENGTH ERROR), the descriptor lists fit MAXIMUM DESCRIPTOR LIST LENGTH
 * (PARAMETER LIST LENGTH ERROR), then CSCD and segment descriptor counts and type codes (TOO MANY ... DESCRIPTORS,
 * UNSUPPORTED ... TYPE CODE). All of this before any data moves.
 *
 * <p>Copy targets are the requester's to address, nothing more (the CVE-2020-28374 class of bug): a CSCD designator
 * names this disk, or a disk in the LUN map of the I_T nexus that sent the command ({@link ScsiTask#lunMap}); any
 * other designator is COPY TARGET DEVICE NOT REACHABLE, exactly as one that names nothing, so a probe learns
 * nothing. Each source and destination is accessed as if the nexus had sent it READ or WRITE itself
 * ({@link LogicalUnit#checkMediumAccess}): its reservations, ALUA access state, readiness and write protection
 * (its own and that of the nexus's mapping). A reservation conflict on any of them ends the command with
 * RESERVATION CONFLICT before any data moves (SPC-4 5.13.1: a conflicting command is not performed). The parameter
 * list is parsed and the designators resolved on the thread that executes the command (a frontend's LUN map may be
 * its event loop's); the data moves on the disk's executor. Failures while segments are processed (an index
 * naming no CSCD descriptor, a designator naming no reachable disk, a range past a disk's capacity, a medium error)
 * are COPY ABORTED, with the segment number in the COMMAND-SPECIFIC INFORMATION field; the underlying sense is kept
 * for FAILED SEGMENT DETAILS.
 *
 * <p>Held results are per I_T nexus and list identifier (LIST ID USAGE 00b), bounded, and dropped with the nexus.
 */
final class ExtendedCopyManager {
    static final int MAX_CSCD_DESCRIPTORS = 8;
    static final int MAX_SEGMENT_DESCRIPTORS = 64;
    static final int MAX_DESCRIPTOR_LIST_LENGTH = 4096;
    static final int MAX_SEGMENT_BYTES = 64 << 20;
    static final byte BLOCK_TO_BLOCK = 0x02;
    /** Block to block with byte offsets and a byte count (SPC-4 6.4.6.6). */
    static final byte BLOCK_TO_BLOCK_BYTES = 0x0A;
    static final int IDENTIFICATION_CSCD = 0xE4;
    private static final int HEADER = 16;
    private static final int CSCD_LENGTH = 32;
    private static final int BLOCK_TO_BLOCK_LENGTH = 28;
    private static final int BLOCK_TO_BLOCK_BYTES_LENGTH = 32;
    private static final int MAX_HELD = 64;
    private static final int CHUNK = 1 << 20;

    /** What RECEIVE COPY RESULTS reports for one EXTENDED COPY. */
    private record Result(int status, int segmentsProcessed, long bytesCopied, byte[] sense) {
        static final int COMPLETED_GOOD = 1;
        static final int COMPLETED_WITH_ERROR = 2;
    }

    private record Key(Nexus nexus, int listId) {
    }

    /** A disk a CSCD descriptor names, and whether the requester reaches it through a write-protected mapping. */
    private record CopyTarget(SbcDisk disk, boolean mappedWriteProtected) {
    }

    /** One segment as byte ranges: from 02h descriptors whole blocks, from 0Ah bytes at offsets into blocks. */
    private record Segment(int source, int destination, long bytes, long sourceLba, int sourceOffset,
                           long destinationLba, int destinationOffset) {
    }

    private final SbcDisk disk;
    private final Map<Key, Result> held = new LinkedHashMap<>(); // guarded by itself; oldest first

    ExtendedCopyManager(SbcDisk disk) {
        this.disk = disk;
    }

    void extendedCopy(ScsiTask task, SbcCommand.ExtendedCopy x) {
        long length = x.parameterListLength();
        if (length == 0) { // SPC-4 6.4.1: not an error, nothing to do
            disk.lu().good(task, 0);
            return;
        }
        if (length < HEADER || task.dataOut().length() < length || length > HEADER + MAX_DESCRIPTOR_LIST_LENGTH
                + 2L * (CSCD_LENGTH + BLOCK_TO_BLOCK_LENGTH)) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] p = task.dataOut().toByteArray(0, (int) length);
        int listId = p[0] & 0xFF;
        int listIdUsage = (p[1] >> 3) & 0x3;
        int cscdLength = BigEndian.u16(p, 2);
        long segmentLength = BigEndian.u32(p, 8);
        long inlineLength = BigEndian.u32(p, 12);
        if (HEADER + cscdLength + segmentLength + inlineLength > length) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (cscdLength + segmentLength > MAX_DESCRIPTOR_LIST_LENGTH) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (inlineLength != 0) {
            throw new CheckCondition(SenseCode.INLINE_DATA_LENGTH_EXCEEDED); // MAXIMUM INLINE DATA LENGTH is 0
        }
        if (listIdUsage == 1 || (listIdUsage == 3 && listId != 0)) {
            throw CheckCondition.invalidFieldInParameterList(listIdUsage == 1 ? 1 : 0, listIdUsage == 1 ? 4 : -1);
        }
        List<byte[]> designators = parseCscdDescriptors(p, cscdLength);
        List<Segment> segments = parseSegmentDescriptors(p, HEADER + cscdLength, (int) segmentLength);
        List<CopyTarget> targets = new ArrayList<>();
        for (byte[] designator : designators) {
            targets.add(resolve(designator, task.lunMap()));
        }
        disk.executor().execute(() -> {
            if (task.isAborted()) {
                task.complete(TaskResponse.status(ScsiStatus.TASK_ABORTED));
                return;
            }
            try {
                copy(task, x, listId, listIdUsage, segments, targets);
            } catch (RuntimeException e) {
                disk.lu().fail(task, e);
            }
        });
    }

    private void copy(ScsiTask task, SbcCommand.ExtendedCopy x, int listId, int listIdUsage, List<Segment> segments,
                      List<CopyTarget> targets) {
        for (Segment s : segments) { // SPC-4 5.13.1: a conflicting command is not performed at all
            checkReservations(task.nexus(), s, targets);
        }
        int done = 0;
        long bytes = 0;
        try {
            for (Segment s : segments) {
                bytes += copy(task.nexus(), s, targets);
                done++;
            }
        } catch (CopyFailure f) {
            Sense sense = Sense.of(SenseCode.COPY_ABORTED_NO_ADDITIONAL_SENSE).withCommandSpecific(done);
            hold(task.nexus(), listId, listIdUsage,
                    new Result(Result.COMPLETED_WITH_ERROR, done, bytes, f.cause.encode(false)));
            throw new CheckCondition(sense);
        }
        hold(task.nexus(), listId, listIdUsage, new Result(Result.COMPLETED_GOOD, done, bytes, new byte[0]));
        disk.lu().good(task, x.parameterListLength());
    }

    /** A segment failed: {@code cause} is the sense the failing read or write would have returned. */
    private static final class CopyFailure extends RuntimeException {
        final Sense cause;

        CopyFailure(Sense cause) {
            super(cause.toString(), null, false, false);
            this.cause = cause;
        }
    }

    private List<byte[]> parseCscdDescriptors(byte[] p, int cscdLength) {
        List<byte[]> designators = new ArrayList<>();
        int at = HEADER;
        int end = HEADER + cscdLength;
        while (at < end) {
            int type = p[at] & 0xFF;
            if (type != IDENTIFICATION_CSCD) {
                throw new CheckCondition(Sense.of(SenseCode.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE)
                        .withFieldPointer(Sense.FieldPointer.parameterList(at, -1)));
            }
            if (at + CSCD_LENGTH > end) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            if (designators.size() == MAX_CSCD_DESCRIPTORS) {
                throw new CheckCondition(SenseCode.TOO_MANY_TARGET_DESCRIPTORS);
            }
            // LU ID TYPE and NUL are ignored (SPC-4); the peripheral device type must be a block device.
            if ((p[at + 1] & 0x1F) != 0) {
                throw new CheckCondition(Sense.of(SenseCode.INVALID_OPERATION_FOR_COPY_SOURCE_OR_DESTINATION)
                        .withFieldPointer(Sense.FieldPointer.parameterList(at + 1, 4)));
            }
            int designatorType = p[at + 5] & 0x0F;
            int designatorLength = Math.min(p[at + 7] & 0xFF, 20);
            // Only NAA designators (type 3) name a disk; anything else resolves to no disk when a segment uses it.
            designators.add(designatorType == 3 ? Arrays.copyOfRange(p, at + 8, at + 8 + designatorLength) : null);
            int blockLength = BigEndian.u24(p, at + 29);
            if (blockLength != 0 && blockLength != disk.blockLength()) {
                throw new CheckCondition(Sense.of(SenseCode.INVALID_OPERATION_FOR_COPY_SOURCE_OR_DESTINATION)
                        .withFieldPointer(Sense.FieldPointer.parameterList(at + 29, -1)));
            }
            at += CSCD_LENGTH;
        }
        return designators;
    }

    private List<Segment> parseSegmentDescriptors(byte[] p, int start, int length) {
        List<Segment> segments = new ArrayList<>();
        int at = start;
        int end = start + length;
        while (at < end) {
            int type = p[at] & 0xFF;
            int descriptorLength = switch (type) {
                case BLOCK_TO_BLOCK -> BLOCK_TO_BLOCK_LENGTH;
                case BLOCK_TO_BLOCK_BYTES -> BLOCK_TO_BLOCK_BYTES_LENGTH;
                default -> throw new CheckCondition(Sense.of(SenseCode.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE)
                        .withFieldPointer(Sense.FieldPointer.parameterList(at, -1)));
            };
            if (at + 4 > end || BigEndian.u16(p, at + 2) != descriptorLength - 4 || at + descriptorLength > end) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            if (segments.size() == MAX_SEGMENT_DESCRIPTORS) {
                throw new CheckCondition(SenseCode.TOO_MANY_SEGMENT_DESCRIPTORS);
            }
            int bs = disk.blockLength();
            if (type == BLOCK_TO_BLOCK) { // DC 0: NUMBER OF BLOCKS counts source blocks, all of one length
                segments.add(new Segment(BigEndian.u16(p, at + 4), BigEndian.u16(p, at + 6),
                        (long) BigEndian.u16(p, at + 10) * bs, BigEndian.s64(p, at + 12), 0,
                        BigEndian.s64(p, at + 20), 0));
            } else {
                long bytes = BigEndian.u32(p, at + 8);
                int sourceOffset = BigEndian.u16(p, at + 28);
                int destinationOffset = BigEndian.u16(p, at + 30);
                if (bytes > MAX_SEGMENT_BYTES) {
                    throw CheckCondition.invalidFieldInParameterList(at + 8, 7);
                }
                if (sourceOffset >= bs || destinationOffset >= bs) {
                    throw CheckCondition.invalidFieldInParameterList(at + (sourceOffset >= bs ? 28 : 30), 7);
                }
                segments.add(new Segment(BigEndian.u16(p, at + 4), BigEndian.u16(p, at + 6), bytes,
                        BigEndian.s64(p, at + 12), sourceOffset, BigEndian.s64(p, at + 20), destinationOffset));
            }
            at += descriptorLength;
        }
        return segments;
    }

    /** Throws RESERVATION CONFLICT if the nexus may not read the segment's source or write its destination. */
    private static void checkReservations(Nexus nexus, Segment s, List<CopyTarget> targets) {
        CopyTarget source = target(s.source(), targets);
        CopyTarget destination = target(s.destination(), targets);
        if (source == null || destination == null) {
            return; // not reachable: the segment aborts the copy when its turn comes
        }
        try {
            source.disk().lu().checkMediumAccess(nexus, SbcOperation.READ_16, false);
            destination.disk().lu().checkMediumAccess(nexus, SbcOperation.WRITE_16, destination.mappedWriteProtected());
        } catch (CheckCondition notNow) {
            // any other refusal aborts the copy at this segment, once the segments before it are copied
        }
    }

    /** Copies one block-to-block segment in chunks; returns the bytes copied. */
    private long copy(Nexus nexus, Segment s, List<CopyTarget> targets) {
        CopyTarget sourceTarget = target(s.source(), targets);
        CopyTarget destinationTarget = target(s.destination(), targets);
        if (sourceTarget == null || destinationTarget == null) {
            throw new CopyFailure(Sense.of(SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE));
        }
        SbcDisk source = sourceTarget.disk();
        SbcDisk destination = destinationTarget.disk();
        try { // as if the nexus had sent READ to the source and WRITE to the destination itself
            source.lu().checkMediumAccess(nexus, SbcOperation.READ_16, false);
            destination.lu().checkMediumAccess(nexus, SbcOperation.WRITE_16, destinationTarget.mappedWriteProtected());
        } catch (CheckCondition e) {
            throw new CopyFailure(e.sense());
        }
        int bs = disk.blockLength();
        if (source.blockLength() != bs || destination.blockLength() != bs) {
            throw new CopyFailure(Sense.of(SenseCode.INVALID_OPERATION_FOR_COPY_SOURCE_OR_DESTINATION));
        }
        long total = s.bytes();
        try {
            source.checkRange(s.sourceLba(), (s.sourceOffset() + total + bs - 1) / bs);
            destination.checkRange(s.destinationLba(), (s.destinationOffset() + total + bs - 1) / bs);
            source.checkReady();
            destination.checkReady();
        } catch (CheckCondition e) {
            throw new CopyFailure(e.sense());
        }
        long sourceStart = s.sourceLba() * bs + s.sourceOffset();
        long destinationStart = s.destinationLba() * bs + s.destinationOffset();
        SgList buffer = SgList.allocate(Math.min(total, CHUNK));
        for (long done = 0; done < total; done += buffer.length()) {
            long n = Math.min(buffer.length(), total - done);
            SgList chunk = buffer.slice(0, n);
            long from = sourceStart + done;
            long to = destinationStart + done;
            try {
                RangeLock.Hold hold = source.rangeLock().shared(from / bs, (from % bs + n + bs - 1) / bs);
                try {
                    source.store().read(from, chunk);
                } finally {
                    source.rangeLock().release(hold);
                }
                hold = destination.rangeLock().shared(to / bs, (to % bs + n + bs - 1) / bs);
                try {
                    destination.store().write(to, chunk, !destination.writeCacheEnabled());
                } finally {
                    destination.rangeLock().release(hold);
                }
            } catch (BlockStoreException e) {
                throw new CopyFailure(StoreOutcomes.checkCondition(e, from / bs).sense());
            }
        }
        return total;
    }

    /** The copy target a segment's CSCD descriptor index names, or null if there is none or it is not reachable. */
    private static CopyTarget target(int index, List<CopyTarget> targets) {
        return index < targets.size() ? targets.get(index) : null;
    }

    /**
     * The disk an NAA designator names for the nexus whose LUN map this is: this disk (the command reached it), or a
     * disk at one of the map's LUNs; null for anything else, reachable or not by other nexuses.
     */
    private CopyTarget resolve(byte[] naa, LunMap lunMap) {
        if (naa == null) {
            return null;
        }
        if (Arrays.equals(naa, disk.naa())) {
            return new CopyTarget(disk, lunMap.writeProtected(disk.lu()));
        }
        for (int lun : lunMap.luns()) {
            LogicalUnit lu = lunMap.logicalUnit(lun);
            if (lu != null && lu.device() instanceof SbcDisk other && Arrays.equals(naa, lu.identity().naa())) {
                return new CopyTarget(other, lunMap.writeProtected(lu));
            }
        }
        return null;
    }

    private void hold(Nexus nexus, int listId, int listIdUsage, Result result) {
        if (listIdUsage != 0) { // 10b: do not hold; 11b: no list identifier
            return;
        }
        synchronized (held) {
            held.remove(new Key(nexus, listId));
            held.put(new Key(nexus, listId), result);
            Iterator<Key> oldest = held.keySet().iterator();
            while (held.size() > MAX_HELD) {
                oldest.next();
                oldest.remove();
            }
        }
    }

    void nexusLost(Nexus nexus) {
        synchronized (held) {
            held.keySet().removeIf(k -> k.nexus().equals(nexus));
        }
    }

    void receiveCopyResults(ScsiTask task, SbcCommand.ReceiveCopyResults r) {
        switch (r.serviceAction()) {
            case 0x00 -> copyStatus(task, r);
            case 0x03 -> operatingParameters(task, r);
            default -> failedSegmentDetails(task, r);
        }
    }

    private Result take(Nexus nexus, int listId, boolean remove) {
        synchronized (held) {
            Key key = new Key(nexus, listId);
            Result result = remove ? held.remove(key) : held.get(key);
            if (result == null) { // SPC-4 6.20.1: no copy with that list identifier from this nexus
                throw CheckCondition.invalidFieldInCdb(2, 7);
            }
            return result;
        }
    }

    /** SPC-4 6.20.2: status, segments processed, and the byte count (TRANSFER COUNT UNITS 00h: bytes). */
    private void copyStatus(ScsiTask task, SbcCommand.ReceiveCopyResults r) {
        Result result = take(task.nexus(), r.listId(), false);
        byte[] data = new byte[12];
        BigEndian.put32(data, 0, 8);
        data[4] = (byte) result.status();
        BigEndian.put16(data, 5, result.segmentsProcessed());
        long count = result.bytesCopied();
        int units = 0;
        while (count > 0xFFFFFFFFL) { // 01h KiB, 02h MiB, 03h GiB, ...
            count >>>= 10;
            units++;
        }
        data[7] = (byte) units;
        BigEndian.put32(data, 8, count);
        if (result.status() != Result.COMPLETED_WITH_ERROR) {
            take(task.nexus(), r.listId(), true); // completed: nothing more to retrieve
        }
        disk.returnData(task, data, r.allocationLength());
    }

    /** SPC-4 6.20.4: the limits this copy manager enforces, and the descriptor types it implements. */
    private void operatingParameters(ScsiTask task, SbcCommand.ReceiveCopyResults r) {
        byte[] codes = {BLOCK_TO_BLOCK, BLOCK_TO_BLOCK_BYTES, (byte) IDENTIFICATION_CSCD};
        byte[] data = new byte[44 + codes.length];
        BigEndian.put32(data, 0, data.length - 4);
        BigEndian.put16(data, 8, MAX_CSCD_DESCRIPTORS);
        BigEndian.put16(data, 10, MAX_SEGMENT_DESCRIPTORS);
        BigEndian.put32(data, 12, MAX_DESCRIPTOR_LIST_LENGTH);
        BigEndian.put32(data, 16, MAX_SEGMENT_BYTES);
        BigEndian.put32(data, 20, 0); // MAXIMUM INLINE DATA LENGTH
        BigEndian.put32(data, 24, 0); // HELD DATA LIMIT
        BigEndian.put16(data, 34, 1); // TOTAL CONCURRENT COPIES
        data[36] = 1; // MAXIMUM CONCURRENT COPIES
        data[37] = (byte) Integer.numberOfTrailingZeros(disk.blockLength()); // DATA SEGMENT GRANULARITY (log2)
        data[43] = (byte) codes.length;
        System.arraycopy(codes, 0, data, 44, codes.length);
        disk.returnData(task, data, r.allocationLength());
    }

    /** SPC-4 6.20.3: the status and sense data of a copy that failed; its held results are then released. */
    private void failedSegmentDetails(ScsiTask task, SbcCommand.ReceiveCopyResults r) {
        Result result = take(task.nexus(), r.listId(), true);
        byte[] sense = result.sense();
        byte[] data = new byte[60 + sense.length];
        BigEndian.put32(data, 0, data.length - 4);
        data[56] = (byte) (result.status() == Result.COMPLETED_GOOD ? 0x00 : 0x02); // COPY COMMAND STATUS
        BigEndian.put16(data, 58, sense.length);
        System.arraycopy(sense, 0, data, 60, sense.length);
        disk.returnData(task, data, r.allocationLength());
    }
}
