package org.lunforge.device.tape;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;

/** READ ATTRIBUTE and WRITE ATTRIBUTE over the cartridge's medium auxiliary memory. */
class AttributesTest {
    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void load() throws IOException {
        h = new TapeHarness(dir);
        h.loadNew("LF0002LY");
    }

    @AfterEach
    void close() {
        h.close();
    }

    private RecordingTask readAttribute(int serviceAction, int first, int allocation) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x8C;
        c[1] = (byte) serviceAction;
        BigEndian.put16(c, 8, first);
        BigEndian.put32(c, 10, allocation);
        return h.raw(c, allocation);
    }

    /** The value of one attribute and its flags byte. */
    private byte[] value(int id) {
        RecordingTask t = readAttribute(0, id, 4096);
        assertGood(t);
        byte[] d = t.data();
        assertEquals(id, BigEndian.u16(d, 4));
        int len = BigEndian.u16(d, 7);
        byte[] v = new byte[len];
        System.arraycopy(d, 9, v, 0, len);
        return v;
    }

    private int flags(int id) {
        return readAttribute(0, id, 4096).data()[6] & 0xFF;
    }

    private RecordingTask writeAttributes(byte[]... attributes) {
        int length = 0;
        for (byte[] a : attributes) {
            length += a.length;
        }
        byte[] list = new byte[4 + length];
        BigEndian.put32(list, 0, length);
        int p = 4;
        for (byte[] a : attributes) {
            System.arraycopy(a, 0, list, p, a.length);
            p += a.length;
        }
        byte[] c = new byte[16];
        c[0] = (byte) 0x8D;
        BigEndian.put32(c, 10, list.length);
        RecordingTask t = new RecordingTask(h.nexus, new org.lunforge.scsi.Cdb(c), org.lunforge.scsi.SgList.wrap(list), 0);
        h.lu.execute(t);
        return t;
    }

    private static byte[] attribute(int id, int format, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        byte[] a = new byte[5 + v.length];
        BigEndian.put16(a, 0, id);
        a[2] = (byte) format;
        BigEndian.put16(a, 3, v.length);
        System.arraycopy(v, 0, a, 5, v.length);
        return a;
    }

    @Test
    void barcodeVolumeIdentifierMediumTypeAndLoadCount() {
        assertEquals("LF0002LY", new String(value(0x0806), StandardCharsets.US_ASCII).trim());
        assertEquals(0x01, flags(0x0806), "BARCODE: ASCII, writable");
        assertEquals("LF0002LY", new String(value(0x0008), StandardCharsets.US_ASCII).trim());
        assertEquals(0x80, value(0x0408)[0] & 0xFF, "MEDIUM TYPE: WORM");
        assertEquals(0x80, flags(0x0408) & 0x80, "read only");
        assertEquals(1, BigEndian.s64(value(0x0003), 0), "LOAD COUNT");
        assertEquals(0x5E, value(0x0405)[0] & 0xFF);
        assertEquals(12_000_000_000_000L >> 20, BigEndian.s64(value(0x0001), 0));
        assertTrue(new String(value(0x020A), StandardCharsets.US_ASCII).startsWith("IBM     1013000001"));
    }

    @Test
    void attributeListIsAscendingAndStartsAtFirstAttribute() {
        byte[] d = readAttribute(1, 0, 4096).data();
        List<Integer> ids = new ArrayList<>();
        for (int p = 4; p < d.length; p += 2) {
            ids.add(BigEndian.u16(d, p));
        }
        assertEquals(BigEndian.u32(d, 0), d.length - 4);
        assertTrue(ids.containsAll(List.of(0x0000, 0x0001, 0x0003, 0x0401, 0x0408, 0x0806)));
        assertEquals(ids.stream().sorted().toList(), ids);
        byte[] fromHost = readAttribute(1, 0x0800, 4096).data();
        assertEquals(0x0806, BigEndian.u16(fromHost, 4));
        assertEquals(0x0000, BigEndian.u16(readAttribute(5, 0, 4096).data(), 4));
        assertArrayEquals(new byte[] {0, 2, 0, 1}, readAttribute(3, 0, 64).data());
    }

    @Test
    void missingAttributeAndTruncation() {
        assertInvalidCdbField(readAttribute(0, 0x0803, 4096), 8, 7);
        assertEquals(6, readAttribute(0, 0, 6).data().length);
    }

    @Test
    void writeHostAttributesAndSeeThemAfterReload() throws IOException {
        assertGood(writeAttributes(attribute(0x0800, 1, "BACULA  "), attribute(0x0803, 2, "weekly full")));
        assertEquals("weekly full", new String(value(0x0803), StandardCharsets.US_ASCII));
        h.drive.unload();
        h.drive.load(h.pool.cartridge("LF0002LY"));
        h.clearAttentions(h.nexus);
        assertEquals("BACULA  ", new String(value(0x0800), StandardCharsets.US_ASCII));
        assertEquals(2, BigEndian.s64(value(0x0003), 0));
        assertGood(writeAttributes(attribute(0x0803, 2, "")));
        assertInvalidCdbField(readAttribute(0, 0x0803, 4096), 8, 7);
    }

    @Test
    void readOnlyUnknownAndOverlongAttributesRefusedWhole() {
        Sense s = assertCheck(writeAttributes(attribute(0x0801, 1, "ok"), attribute(0x0003, 0, "12345678")),
                SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(4 + 7, s.fieldPointer().byteIndex(), "points at the read-only attribute");
        assertInvalidCdbField(readAttribute(0, 0x0801, 4096), 8, 7); // nothing was written
        assertCheck(writeAttributes(attribute(0x1000, 0, "x")), SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        Sense tooLong = assertCheck(writeAttributes(attribute(0x0806, 1, "X".repeat(33))),
                SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        assertEquals(4 + 3, tooLong.fieldPointer().byteIndex());
    }
}
