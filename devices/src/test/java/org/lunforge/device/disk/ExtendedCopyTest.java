package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.disk.DiskHarness.*;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SenseKey;

/**
 * EXTENDED COPY (LID1) between two disks found by NAA in the requester's LUN map, and RECEIVE COPY RESULTS. Disk
 * {@code c} exists, but outside the requester's LUN map.
 */
class ExtendedCopyTest {
    final List<LogicalUnit> mapped = new ArrayList<>();
    final Set<LogicalUnit> mappedReadOnly = new HashSet<>();
    final DiskHarness a = new DiskHarness(new MemoryBlockStore(4096 * 512), DiskConfig.defaults());
    final DiskHarness b = new DiskHarness(new MemoryBlockStore(4096 * 512), DiskConfig.defaults());
    final DiskHarness c = new DiskHarness(new MemoryBlockStore(4096 * 512), DiskConfig.defaults());

    ExtendedCopyTest() {
        mapped.add(a.lu);
        mapped.add(b.lu);
        a.lunMap = DiskHarness.lunMap(mapped, mappedReadOnly);
        b.lunMap = a.lunMap;
        c.lunMap = DiskHarness.lunMap(List.of(c.lu), Set.of());
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        c.close();
    }

    static Cdb extendedCopy(int length) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x83;
        BigEndian.put32(cdb, 10, length);
        return new Cdb(cdb);
    }

    static Cdb receiveCopyResults(int serviceAction, int listId) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x84;
        cdb[1] = (byte) serviceAction;
        cdb[2] = (byte) listId;
        BigEndian.put32(cdb, 10, 1024);
        return new Cdb(cdb);
    }

    /** An identification CSCD descriptor (E4h) naming a logical unit by its NAA designator. */
    static byte[] cscd(byte[] naa, int type) {
        byte[] d = new byte[32];
        d[0] = (byte) type;
        d[4] = 0x01; // binary
        d[5] = 0x03; // association LU, type NAA
        d[7] = (byte) naa.length;
        System.arraycopy(naa, 0, d, 8, naa.length);
        BigEndian.put24(d, 29, 512);
        return d;
    }

    static byte[] segment(int type, int source, int destination, int blocks, long sourceLba, long destinationLba) {
        byte[] d = new byte[28];
        d[0] = (byte) type;
        BigEndian.put16(d, 2, 0x18);
        BigEndian.put16(d, 4, source);
        BigEndian.put16(d, 6, destination);
        BigEndian.put16(d, 10, blocks);
        BigEndian.put64(d, 12, sourceLba);
        BigEndian.put64(d, 20, destinationLba);
        return d;
    }

    static byte[] parameterList(int listId, int listIdUsage, List<byte[]> cscds, List<byte[]> segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[16];
        header[0] = (byte) listId;
        header[1] = (byte) (listIdUsage << 3);
        int cscdLength = cscds.stream().mapToInt(x -> x.length).sum();
        int segmentLength = segments.stream().mapToInt(x -> x.length).sum();
        BigEndian.put16(header, 2, cscdLength);
        BigEndian.put32(header, 8, segmentLength);
        out.writeBytes(header);
        cscds.forEach(out::writeBytes);
        segments.forEach(out::writeBytes);
        return out.toByteArray();
    }

    Response copy(DiskHarness on, byte[] list) {
        return on.run(extendedCopy(list.length), list);
    }

    @Test
    void copiesBetweenTwoDisks() {
        a.run(write16(0, 2048), fill(2048 * 512, 'A')).assertGood();
        byte[] list = parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4), cscd(b.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 1, 2048, 0, 4096 - 2048)));
        copy(a, list).assertGood();
        assertArrayEquals(fill(2048 * 512, 'A'), b.run(read16(2048, 2048), 2048 * 512).dataIn());

        Response status = a.run(receiveCopyResults(0, 1), 1024);
        status.assertGood();
        byte[] s = status.dataIn();
        assertEquals(8, BigEndian.u32(s, 0));
        assertEquals(1, s[4] & 0x7F, "completed without error");
        assertEquals(1, BigEndian.u16(s, 5));
        assertEquals(0, s[7]);
        assertEquals(2048 * 512, BigEndian.u32(s, 8));
        a.run(receiveCopyResults(0, 1), 1024).assertInvalidField(2, 7); // completed results are released
    }

    /** A 0Ah descriptor: a byte count from a byte offset into the source LBA to one into the destination LBA. */
    static byte[] byteSegment(int source, int destination, long bytes, long sourceLba, int sourceOffset,
                              long destinationLba, int destinationOffset) {
        byte[] d = new byte[32];
        d[0] = 0x0A;
        BigEndian.put16(d, 2, 0x1C);
        BigEndian.put16(d, 4, source);
        BigEndian.put16(d, 6, destination);
        BigEndian.put32(d, 8, bytes);
        BigEndian.put64(d, 12, sourceLba);
        BigEndian.put64(d, 20, destinationLba);
        BigEndian.put16(d, 28, sourceOffset);
        BigEndian.put16(d, 30, destinationOffset);
        return d;
    }

    @Test
    void byteOffsetSegmentsCopyExactlyTheirBytes() {
        byte[] data = new byte[3 * 512];
        new java.util.Random(2).nextBytes(data);
        a.run(write16(10, 3), data).assertGood();
        byte[] list = parameterList(3, 0, List.of(cscd(a.disk.naa(), 0xE4), cscd(b.disk.naa(), 0xE4)),
                List.of(byteSegment(0, 1, 1000, 10, 100, 50, 7)));
        copy(a, list).assertGood();
        byte[] back = b.run(read16(50, 3), 3 * 512).dataIn();
        assertArrayEquals(new byte[7], java.util.Arrays.copyOfRange(back, 0, 7));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, 1100), java.util.Arrays.copyOfRange(back, 7, 1007));
        assertArrayEquals(new byte[3 * 512 - 1007], java.util.Arrays.copyOfRange(back, 1007, 3 * 512));
        list = parameterList(3, 0, List.of(cscd(a.disk.naa(), 0xE4)), List.of(byteSegment(0, 0, 1024, 4095, 1, 0, 0)));
        assertEquals(SenseKey.COPY_ABORTED, copy(a, list).sense().key(), "the last byte lies past the capacity");
    }

    @Test
    void copyWithinOneDiskByItsOwnNaa() {
        a.run(write16(0, 4), fill(2048, 'C')).assertGood();
        byte[] list = parameterList(2, 2, List.of(cscd(a.disk.naa(), 0xE4)), List.of(segment(2, 0, 0, 4, 0, 100)));
        copy(a, list).assertGood();
        assertArrayEquals(fill(2048, 'C'), a.run(read16(100, 4), 2048).dataIn());
        a.run(receiveCopyResults(0, 2), 1024).assertInvalidField(2, 7); // LIST ID USAGE 10b: nothing held
    }

    @Test
    void emptyParameterListIsGoodAndShortOnesAreLengthErrors() {
        a.run(extendedCopy(0), new byte[0]).assertGood();
        byte[] list = parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4)), List.of(segment(2, 0, 0, 1, 0, 1)));
        byte[] truncated = java.util.Arrays.copyOf(list, 16 + 32 - 1);
        a.run(extendedCopy(truncated.length), truncated).assertSense(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        truncated = java.util.Arrays.copyOf(list, list.length - 1);
        a.run(extendedCopy(truncated.length), truncated).assertSense(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void descriptorLimits() {
        List<byte[]> nine = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            nine.add(cscd(a.disk.naa(), 0xE4));
        }
        copy(a, parameterList(1, 0, nine, List.of(segment(2, 0, 0, 1, 0, 1))))
                .assertSense(SenseCode.TOO_MANY_TARGET_DESCRIPTORS);
        List<byte[]> segments = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            segments.add(segment(2, 0, 0, 1, 0, 1));
        }
        copy(a, parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4)), segments))
                .assertSense(SenseCode.TOO_MANY_SEGMENT_DESCRIPTORS);
        List<byte[]> tooLong = new ArrayList<>();
        for (int i = 0; i < 140; i++) {
            tooLong.add(segment(2, 0, 0, 1, 0, 1));
        }
        copy(a, parameterList(1, 0, nine, tooLong)).assertSense(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void unsupportedDescriptorTypes() {
        copy(a, parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE0)), List.of(segment(2, 0, 0, 1, 0, 1))))
                .assertSense(SenseCode.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE);
        copy(a, parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4)), List.of(segment(3, 0, 0, 1, 0, 1))))
                .assertSense(SenseCode.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE);
    }

    @Test
    void unreachableTargetsAndRangesAbortTheCopy() {
        Response r = copy(a, parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 1, 1, 0, 1))));
        assertEquals(SenseKey.COPY_ABORTED, r.sense().key());
        byte[] unknown = a.disk.naa().clone();
        unknown[15] ^= 1;
        r = copy(a, parameterList(1, 0, List.of(cscd(unknown, 0xE4)), List.of(segment(2, 0, 0, 1, 0, 1))));
        r.assertSense(SenseCode.COPY_ABORTED_NO_ADDITIONAL_SENSE);
        r = copy(a, parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 0, 2048, 0, 4095))));
        r.assertSense(SenseCode.COPY_ABORTED_NO_ADDITIONAL_SENSE);
        assertEquals(0, r.sense().commandSpecific() == null ? 0 : r.sense().commandSpecific());
        Response details = a.run(receiveCopyResults(4, 1), 1024);
        details.assertGood();
        byte[] d = details.dataIn();
        assertEquals(2, d[56], "COPY COMMAND STATUS: check condition");
        int senseLength = BigEndian.u16(d, 58);
        assertEquals(0x21, d[60 + 12], "the underlying sense: LBA OUT OF RANGE");
        assertTrue(senseLength >= 18);
    }

    @Test
    void writeProtectedDestination() {
        DiskHarness ro = new DiskHarness(new MemoryBlockStore(4096 * 512),
                DiskConfig.defaults().withWriteProtected(true));
        mapped.add(ro.lu);
        Response r = copy(a, parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4), cscd(ro.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 1, 1, 0, 0))));
        assertEquals(SenseKey.COPY_ABORTED, r.sense().key());
        ro.close();
    }

    @Test
    void operatingParameters() {
        Response r = a.run(receiveCopyResults(3, 0), 1024);
        r.assertGood();
        byte[] p = r.dataIn();
        assertEquals(p.length - 4, BigEndian.u32(p, 0));
        assertEquals(ExtendedCopyManager.MAX_CSCD_DESCRIPTORS, BigEndian.u16(p, 8));
        assertEquals(ExtendedCopyManager.MAX_SEGMENT_DESCRIPTORS, BigEndian.u16(p, 10));
        assertEquals(ExtendedCopyManager.MAX_DESCRIPTOR_LIST_LENGTH, BigEndian.u32(p, 12));
        assertEquals(3, p[43]);
        assertEquals(0x02, p[44]);
        assertEquals(0x0A, p[45]);
        assertEquals((byte) 0xE4, p[46]);
    }

    @Test
    void noCopyWithThatListIdIsInvalidField() {
        a.run(receiveCopyResults(0, 7), 1024).assertInvalidField(2, 7);
    }

    @Test
    void heldResultsArePerNexus() {
        byte[] list = parameterList(9, 0, List.of(cscd(a.disk.naa(), 0xE4)), List.of(segment(2, 0, 0, 1, 0, 1)));
        copy(a, list).assertGood();
        a.run(OTHER, receiveCopyResults(0, 9), org.lunforge.scsi.SgList.EMPTY, 1024).assertInvalidField(2, 7);
        a.lu.nexusLost(NEXUS);
        a.clearAttention(NEXUS); // a nexus that comes back is a new one: it sees the reset first
        a.run(receiveCopyResults(0, 9), 1024).assertInvalidField(2, 7);
    }

    /** The failed segment's underlying sense, from RECEIVE COPY RESULTS FAILED SEGMENT DETAILS. */
    Sense failedSegmentSense(DiskHarness on, int listId) {
        Response details = on.run(receiveCopyResults(4, listId), 1024);
        details.assertGood();
        byte[] d = details.dataIn();
        return Sense.decode(java.util.Arrays.copyOfRange(d, 60, 60 + BigEndian.u16(d, 58)));
    }

    @Test
    void aDiskOutsideTheRequestersLunMapIsNotReachable() {
        c.run(write16(0, 4), fill(2048, 'S')).assertGood();
        a.run(write16(0, 4), fill(2048, 'A')).assertGood();
        // c as the source, then as the destination: c exists, but not for this nexus
        Response r = copy(a, parameterList(1, 0, List.of(cscd(c.disk.naa(), 0xE4), cscd(a.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 1, 4, 0, 100))));
        r.assertSense(SenseCode.COPY_ABORTED_NO_ADDITIONAL_SENSE);
        assertEquals(SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE, failedSegmentSense(a, 1).code());
        assertArrayEquals(new byte[2048], a.run(read16(100, 4), 2048).dataIn(), "nothing read from c");
        r = copy(a, parameterList(2, 0, List.of(cscd(a.disk.naa(), 0xE4), cscd(c.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 1, 4, 0, 0))));
        r.assertSense(SenseCode.COPY_ABORTED_NO_ADDITIONAL_SENSE);
        assertEquals(SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE, failedSegmentSense(a, 2).code());
        assertArrayEquals(fill(2048, 'S'), c.run(read16(0, 4), 2048).dataIn(), "nothing written to c");

        // the answer is the one a designator naming no disk at all gets: a probe learns nothing
        byte[] unknown = c.disk.naa().clone();
        unknown[15] ^= 0x55;
        Response none = copy(a, parameterList(3, 0, List.of(cscd(a.disk.naa(), 0xE4), cscd(unknown, 0xE4)),
                List.of(segment(2, 0, 1, 4, 0, 0))));
        assertEquals(r.status(), none.status());
        assertEquals(r.sense(), none.sense());
        assertEquals(SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE, failedSegmentSense(a, 3).code());
    }

    @Test
    void aDestinationReservedByAnotherNexusIsAReservationConflict() {
        b.run(write16(0, 4), fill(2048, 'B')).assertGood();
        a.run(write16(0, 4), fill(2048, 'A')).assertGood();
        b.run(OTHER, Cdb.of(0x16, 0, 0, 0, 0, 0), org.lunforge.scsi.SgList.EMPTY, 0).assertGood(); // RESERVE(6)
        Response r = copy(a, parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4), cscd(b.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 1, 4, 0, 0))));
        assertEquals(ScsiStatus.RESERVATION_CONFLICT, r.status());
        assertArrayEquals(fill(2048, 'B'), b.run(OTHER, read16(0, 4), org.lunforge.scsi.SgList.EMPTY, 2048).dataIn());
    }

    @Test
    void aSourceReservedByAnotherNexusIsAReservationConflictBeforeAnyDataMoves() {
        a.run(write16(0, 4), fill(2048, 'A')).assertGood();
        b.run(write16(0, 4), fill(2048, 'B')).assertGood();
        b.run(OTHER, Cdb.of(0x16, 0, 0, 0, 0, 0), org.lunforge.scsi.SgList.EMPTY, 0).assertGood(); // RESERVE(6)
        // segment 0 (a to a) alone would be allowed; segment 1 reads b, which OTHER reserved: nothing is copied
        Response r = copy(a, parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4), cscd(b.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 0, 4, 0, 8), segment(2, 1, 0, 4, 0, 16))));
        assertEquals(ScsiStatus.RESERVATION_CONFLICT, r.status());
        assertArrayEquals(new byte[2048], a.run(read16(8, 4), 2048).dataIn());
        assertArrayEquals(new byte[2048], a.run(read16(16, 4), 2048).dataIn());
    }

    @Test
    void aDestinationMappedWriteProtectedIsWriteProtected() {
        mappedReadOnly.add(b.lu);
        a.run(write16(0, 4), fill(2048, 'A')).assertGood();
        Response r = copy(a, parameterList(1, 0, List.of(cscd(a.disk.naa(), 0xE4), cscd(b.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 1, 4, 0, 0))));
        r.assertSense(SenseCode.COPY_ABORTED_NO_ADDITIONAL_SENSE);
        assertEquals(SenseCode.WRITE_PROTECTED, failedSegmentSense(a, 1).code());
        assertArrayEquals(new byte[2048], b.run(read16(0, 4), 2048).dataIn());
        // the source may be read through a read-only mapping
        copy(a, parameterList(2, 0, List.of(cscd(b.disk.naa(), 0xE4), cscd(a.disk.naa(), 0xE4)),
                List.of(segment(2, 0, 1, 4, 0, 8)))).assertGood();
    }
}
