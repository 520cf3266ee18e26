package org.lunforge.device.changer;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.device.vtl.FakePool;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/**
 * READ ELEMENT STATUS, byte for byte, for each element type with and without VOLTAG and DVCID, and with truncation.
 *
 * <p>The library: LF0001L8 moved from slot 0x0400 into drive 0x0100 (drive LUN 1), LF0002L8..LF0004L8 in slots
 * 0x0401..0x0403, LF0005L8 imported by the operator into import/export element 0x0010.
 */
class ReadElementStatusTest {
    @TempDir
    Path dir;
    private ChangerHarness h;
    private Nexus n;

    @BeforeEach
    void setUp() throws Exception {
        h = ChangerHarness.standard(dir);
        h.pool.with("LF0005L8");
        n = h.login("iqn.1994-05.com.redhat:host");
        assertGood(h.move(n, SLOT, DRIVE));
        h.library.importCartridge("LF0005L8", IE);
        assertEquals(SenseCode.IMPORT_OR_EXPORT_ELEMENT_ACCESSED, h.requestSense(n));
    }

    private byte[] read(int type, boolean voltag, boolean dvcid, int start, int count, int allocation) {
        RecordingTask t = h.readElementStatus(n, type, voltag, dvcid, start, count, allocation);
        assertGood(t);
        return t.data();
    }

    private static void assertBytes(byte[] expected, byte[] actual) {
        assertEquals(Bytes.hex(expected), Bytes.hex(actual));
    }

    @Test
    void dataTransferElementsPlain() {
        byte[] expected = Bytes.of("0100 0002 00 000028")          // first 0x0100, 2 elements, 40 bytes follow
                .hex("04 00 0010 00 000020")                        // DT page, descriptors of 16 bytes, 32 bytes
                .hex("0100 09 00 0000 11 00 00 81 0400 00000000") // FULL ACCESS, LUN 1, SVALID data, from 0x0400
                .hex("0101 08 00 0000 12 00 00 00 0000 00000000")   // empty, LUN 2
                .bytes();
        assertBytes(expected, read(4, false, false, 0, 0xFFFF, 1024));
    }

    @Test
    void dataTransferElementsWithVolumeTags() {
        byte[] expected = Bytes.of("0100 0002 00 000070")          // 8 + 2 x 52 = 112
                .hex("04 80 0034 00 000068")                        // PVOLTAG, 52-byte descriptors
                .hex("0100 09 00 0000 11 00 00 81 0400").volumeTag("LF0001L8").zeros(4)
                .hex("0101 08 00 0000 12 00 00 00 0000").zeros(36).zeros(4)
                .bytes();
        assertBytes(expected, read(4, true, false, 0, 0xFFFF, 1024));
    }

    @Test
    void dataTransferElementsWithDeviceIdentifiers() {
        // T10 vendor ID identifier: vendor (8), product (16), serial number: 34 bytes, as the drives' INQUIRY says.
        byte[] expected = Bytes.of("0100 0002 00 0000b4")          // page header and 2 x 86: 180
                .hex("04 80 0056 00 0000ac")                        // 86 = 12 + 36 + 4 + 34
                .hex("0100 09 00 0000 11 00 00 81 0400").volumeTag("LF0001L8")
                .hex("02 01 00 22").ascii("IBM", 8).ascii("ULT3580-TD8", 16).ascii("10WT000000", 10)
                .hex("0101 08 00 0000 12 00 00 00 0000").zeros(36)
                .hex("02 01 00 22").ascii("IBM", 8).ascii("ULT3580-TD8", 16).ascii("10WT000001", 10)
                .bytes();
        assertBytes(expected, read(4, true, true, 0, 0xFFFF, 1024));

        byte[] withoutTags = read(4, false, true, 0, 0xFFFF, 1024);
        assertEquals(50, BigEndian.u16(withoutTags, 10), "IBM's LTO figure without VOLTAG: 12 + 4 + 34");
        assertEquals("IBM     ULT3580-TD8     10WT000000",
                new String(withoutTags, 16 + 16, 34, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void mediumTransportElement() {
        byte[] expected = Bytes.of("0000 0001 00 000018")
                .hex("01 00 0010 00 000010")
                .hex("0000 00 00 0000 00 00 00 00 0000 00000000")
                .bytes();
        assertBytes(expected, read(1, false, false, 0, 0xFFFF, 1024));
    }

    @Test
    void storageElementsWithVolumeTags() {
        byte[] expected = Bytes.of("0400 0002 00 000070")
                .hex("02 80 0034 00 000068")
                .hex("0400 08 00 0000 00 00 00 00 0000").zeros(36).zeros(4)              // empty: no volume tag
                .hex("0401 09 00 0000 00 00 00 01 0000").volumeTag("LF0002L8").zeros(4)  // placed at first start
                .bytes();
        assertBytes(expected, read(2, true, false, SLOT, 2, 1024));
    }

    @Test
    void importExportElementsShowTheOperatorsImport() throws Exception {
        byte[] expected = Bytes.of("0010 0002 00 000070")
                .hex("03 80 0034 00 000068")
                .hex("0010 3b 00 0000 00 00 00 01 0000").volumeTag("LF0005L8").zeros(4) // INENAB EXENAB ACCESS IMPEXP
                .hex("0011 38 00 0000 00 00 00 00 0000").zeros(36).zeros(4)              // INENAB EXENAB ACCESS
                .bytes();
        assertBytes(expected, read(3, true, false, 0, 0xFFFF, 1024));

        // Moved by the medium transport into the other I/E slot: IMPEXP 0 (an export), source 0x0010.
        assertGood(h.move(n, IE, IE + 1));
        byte[] after = read(3, false, false, IE + 1, 1, 1024);
        assertBytes(Bytes.of("0011 0001 00 000018").hex("03 00 0010 00 000010")
                .hex("0011 39 00 0000 00 00 00 81 0010 00000000").bytes(), after);
    }

    @Test
    void allTypesComeInAddressOrderOnePagePerType() {
        byte[] d = read(0, true, false, 0, 0xFFFF, 4096);
        assertEquals(0x0000, BigEndian.u16(d, 0));
        assertEquals(1 + 2 + 2 + 10, BigEndian.u16(d, 2));
        int pages = (8 + 52) + (8 + 2 * 52) + (8 + 2 * 52) + (8 + 10 * 52);
        assertEquals(pages, BigEndian.u24(d, 5));
        assertEquals(8 + pages, d.length);
        int p = 8;
        int[][] expected = {{1, 1, 0x0000}, {3, 2, 0x0010}, {4, 2, 0x0100}, {2, 10, 0x0400}};
        for (int[] page : expected) {
            assertEquals(page[0], d[p], "type of page at " + p);
            assertEquals(0x80, d[p + 1] & 0xFF);
            assertEquals(52, BigEndian.u16(d, p + 2));
            assertEquals(52 * page[1], BigEndian.u24(d, p + 5));
            assertEquals(page[2], BigEndian.u16(d, p + 8), "first descriptor's address");
            p += 8 + 52 * page[1];
        }
    }

    @Test
    void startingAddressAndNumberOfElementsSelectAcrossTypes() {
        byte[] d = read(0, false, false, 0x0011, 3, 4096);
        assertEquals(0x0011, BigEndian.u16(d, 0));
        assertEquals(3, BigEndian.u16(d, 2));
        assertEquals(3, d[8]); // one I/E element
        assertEquals(0x0011, BigEndian.u16(d, 16));
        assertEquals(4, d[8 + 8 + 16]); // then two drives
        assertEquals(2 * 16, BigEndian.u24(d, 8 + 8 + 16 + 5));
        // A starting address in the gap between types starts at the next element.
        assertEquals(0x0100, BigEndian.u16(read(0, false, false, 0x0012, 1, 4096), 0));
    }

    @Test
    void truncationCutsAtWholeDescriptorsAndKeepsTheFullByteCounts() {
        byte[] full = read(0, true, false, 0, 0xFFFF, 4096);
        // 8: the header alone, with counts for everything (how mtx learns the size to ask for).
        byte[] header = read(0, true, false, 0, 0xFFFF, 8);
        assertBytes(java.util.Arrays.copyOf(full, 8), header);
        // Short of a whole descriptor: up to the last whole one.
        byte[] cut = read(0, true, false, 0, 0xFFFF, 8 + 8 + 52 + 8 + 51);
        assertEquals(8 + 8 + 52 + 8, cut.length);
        assertBytes(java.util.Arrays.copyOf(full, cut.length), cut);
        assertEquals(BigEndian.u24(full, 5), BigEndian.u24(cut, 5));
        byte[] exact = read(0, true, false, 0, 0xFFFF, 8 + 8 + 52 + 8 + 52);
        assertEquals(8 + 8 + 52 + 8 + 52, exact.length);
        // Below the header's length the bytes are simply cut (SPC-4 allocation length).
        assertBytes(java.util.Arrays.copyOf(full, 5), read(0, true, false, 0, 0xFFFF, 5));
        RecordingTask none = h.readElementStatus(n, 0, true, false, 0, 0xFFFF, 0);
        assertGood(none);
        assertEquals(0, none.response().transferLength());
    }

    @Test
    void linuxChSingleElementRead() {
        // ch.c: 12-byte CDB, VOLTAG, type from its firsts/counts, one element, allocation 255 into a 256-byte buffer;
        // it checks buffer[16..17] is the element and copies 16 bytes from there.
        RecordingTask t = h.in(n, 256, 0xB8, 0x10 | 4, 0x01, 0x00, 0, 1, 0, 0, 0, 255, 0, 0);
        assertGood(t);
        byte[] b = t.data();
        assertEquals(0x0100, BigEndian.u16(b, 16));
        assertEquals(0x09, b[18]);
        assertEquals(0x81, b[25] & 0xFF);
        assertEquals(0x0400, BigEndian.u16(b, 26));
        assertEquals(0x80, b[9] & 0xFF);
        assertEquals("LF0001L8", new String(b, 28, 8, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void startingAddressAboveEveryElementIsAnInvalidElementAddress() {
        assertField(h.readElementStatus(n, 2, false, false, SLOT + 10, 1, 1024), SenseCode.INVALID_ELEMENT_ADDRESS,
                2, 7);
        assertField(h.readElementStatus(n, 0, false, false, 0xFFFF, 1, 1024), SenseCode.INVALID_ELEMENT_ADDRESS,
                2, 7);
        assertField(h.readElementStatus(n, 4, false, false, 0x0102, 1, 1024), SenseCode.INVALID_ELEMENT_ADDRESS,
                2, 7);
        assertField(h.readElementStatus(n, 7, false, false, 0, 1, 1024), SenseCode.INVALID_FIELD_IN_CDB, 1, 3);
    }

    @Test
    void noElementsOfTheTypeOrNoneAskedForIsAnEmptyReport(@TempDir Path other) {
        ChangerHarness noMail = new ChangerHarness(other, new FakePool(), fakeDrives(1), 4, 0, List.of());
        Nexus m = noMail.login("iqn.1994-05.com.redhat:host");
        RecordingTask t = noMail.readElementStatus(m, 3, true, false, 0, 0xFFFF, 1024);
        assertGood(t);
        assertBytes(new byte[8], t.data());
        assertBytes(Bytes.of("0000 0000 00 000000").bytes(), read(2, true, false, SLOT, 0, 1024));
    }

    @Test
    void aDriveThatFailedToLoadReportsExceptWithItsSense() {
        h.drives.get(1).failLoad = new IOException("cartridge store down");
        assertCheck(h.move(n, SLOT + 1, DRIVE + 1), SenseCode.MEDIUM_LOAD_OR_EJECT_FAILED);
        byte[] d = read(4, false, false, DRIVE + 1, 1, 1024);
        assertBytes(Bytes.of("0101 0001 00 000018").hex("04 00 0010 00 000010")
                .hex("0101 0c 00 5300 12 00 00 00 0000 00000000").bytes(), d); // ACCESS|EXCEPT, ASC 53h
        // A load that succeeds clears it.
        h.drives.get(1).failLoad = null;
        assertGood(h.move(n, SLOT + 1, DRIVE + 1));
        assertEquals(0x09, read(4, false, false, DRIVE + 1, 1, 1024)[18]);
    }

    @Test
    void aDriveWhoseRemovalIsPreventedIsNotAccessible() {
        h.drives.get(0).prevented = true;
        assertEquals(0x01, read(4, false, false, DRIVE, 1, 1024)[18]); // FULL, no ACCESS
    }

    @Test
    void cleaningCartridgesHaveMediumTypeCleaning(@TempDir Path other) {
        ChangerHarness c = new ChangerHarness(other, new FakePool(), fakeDrives(1), 4, 0,
                List.of(place("CLN001CU", 1), place("LF0001L8", 2)));
        Nexus m = c.login("iqn.1994-05.com.redhat:host");
        RecordingTask t = c.readElementStatus(m, 2, false, false, SLOT, 2, 1024);
        assertGood(t);
        assertEquals(0x02, t.data()[16 + 9]);
        assertEquals(0x01, t.data()[32 + 9]);
    }
}
