package org.lunforge.device.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.StreamCommandsTest.data;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.SenseCode;

/** Compression through the data compression page, the log pages, and REPORT DENSITY SUPPORT. */
class CompressionAndPagesTest {
    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void load() throws IOException {
        h = new TapeHarness(dir);
        h.loadNew("LF0001L8");
    }

    @AfterEach
    void close() {
        h.close();
    }

    static byte[] text(int length, int seed) {
        byte[] b = new byte[length];
        byte[] words = ("backup of /home seed " + seed + " ").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++) {
            b[i] = words[i % words.length];
        }
        return b;
    }

    /** The current data compression page from MODE SENSE(6) with DBD. */
    private byte[] compressionPage() {
        byte[] d = h.in(255, 0x1A, 0x08, 0x0F, 0, 255, 0).data();
        return Arrays.copyOfRange(d, 4, 4 + 16);
    }

    private void setCompression(boolean on) {
        byte[] page = compressionPage();
        page[0] &= 0x3F; // PS is reserved in MODE SELECT
        page[2] = (byte) (on ? page[2] | 0x80 : page[2] & ~0x80);
        byte[] list = new byte[4 + 16];
        list[2] = 0x10;
        System.arraycopy(page, 0, list, 4, 16);
        assertGood(h.out(list, 0x15, 0x10, 0, 0, list.length, 0));
    }

    private long[] logParameters(int page) {
        byte[] d = h.in(1024, 0x4D, 0, 0x40 | page, 0, 0, 0, 0, 4, 0, 0).data();
        long[] out = new long[0x10000 > 70 ? 70 : 0];
        Arrays.fill(out, -1);
        for (int p = 4; p < d.length; ) {
            int code = BigEndian.u16(d, p);
            int len = d[p + 3] & 0xFF;
            long v = 0;
            for (int i = 0; i < len; i++) {
                v = (v << 8) | (d[p + 4 + i] & 0xFF);
            }
            if (code < out.length) {
                out[code] = v;
            }
            p += 4 + len;
        }
        return out;
    }

    @Test
    void compressionPageDefaultsOnAndMixedBlocksReadBack() {
        byte[] page = compressionPage();
        assertEquals(0x0F, page[0] & 0x3F);
        assertEquals(0xC0, page[2] & 0xC0, "DCE and DCC");
        assertEquals(0x80, page[3] & 0x80, "DDE");
        assertGood(h.writeVariable(text(262144, 1)));
        assertGood(h.writeVariable(data(262144, 2)));
        setCompression(false);
        assertEquals(0, compressionPage()[2] & 0x80);
        assertGood(h.writeVariable(text(262144, 3)));
        setCompression(true);
        assertGood(h.writeVariable(text(1 << 20, 4)));
        assertGood(h.writeFilemarks(1, false));
        long[] log = logParameters(0x1B);
        assertTrue(log[1] > 150, "write compression ratio x100: " + log[1]);
        h.rewind();
        setCompression(false); // blocks written compressed still read back
        assertArrayEquals(text(262144, 1), h.readVariable(262144).data());
        assertArrayEquals(data(262144, 2), h.readVariable(262144).data());
        assertArrayEquals(text(262144, 3), h.readVariable(262144).data());
        assertArrayEquals(text(1 << 20, 4), h.readVariable(1 << 20).data());
        assertTrue(logParameters(0x1B)[0] > 150, "read compression ratio");
    }

    @Test
    void compressedBlocksTakeLessOfTheTape() {
        long before = h.drive.medium().used();
        h.writeVariable(text(1 << 20, 1));
        long compressed = h.drive.medium().used() - before;
        setCompression(false);
        h.writeVariable(text(1 << 20, 1));
        long plain = h.drive.medium().used() - before - compressed;
        assertTrue(compressed * 4 < plain, compressed + " vs " + plain);
    }

    @Test
    void unsupportedAlgorithmRefused() {
        byte[] page = compressionPage();
        page[0] &= 0x3F;
        page[7] = 9;
        byte[] list = new byte[20];
        System.arraycopy(page, 0, list, 4, 16);
        assertCheck(h.out(list, 0x15, 0x10, 0, 0, 20, 0), SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
    }

    @Test
    void deviceConfigurationAndPartitionPages() {
        byte[] d = h.in(255, 0x1A, 0x08, 0x10, 0, 255, 0).data();
        assertEquals(0x10, d[4] & 0x3F);
        assertEquals(0x40, d[4 + 8] & 0x40, "LOIS");
        assertEquals(0x18, d[4 + 10] & 0x18, "EEG and SEW");
        assertEquals(1, d[4 + 14], "SELECT DATA COMPRESSION ALGORITHM");
        byte[] p = h.in(255, 0x1A, 0x08, 0x11, 0, 255, 0).data();
        assertEquals(0x11, p[4] & 0x3F);
        assertEquals(0, p[4 + 2], "no additional partitions");
        assertEquals(12000, BigEndian.u16(p, 4 + 8), "12,000 GB");
    }

    @Test
    void sequentialAccessAndErrorCounterPagesCountBytes() {
        h.writeVariable(data(100_000, 1));
        h.writeFilemarks(1, false);
        h.rewind();
        h.readVariable(100_000);
        long[] seq = logParameters(0x0C);
        assertEquals(100_000, seq[0], "bytes from the application");
        assertEquals(100_000, seq[1], "bytes to the medium (random data does not compress)");
        assertEquals(100_000, seq[3], "bytes to the application");
        assertEquals(100_000, logParameters(0x02)[5]);
        assertEquals(100_000, logParameters(0x03)[5]);
        long[] capacity = logParameters(0x31);
        assertEquals(12_000_000, capacity[3], "maximum MB");
        assertTrue(capacity[1] < capacity[3]);
    }

    @Test
    void tapeAlertFlagsAreReadClear() {
        assertGood(h.run(0x1E, 0, 0, 0, 1, 0));
        assertCheck(h.run(0x1B, 0, 0, 0, 0, 0), SenseCode.MEDIUM_REMOVAL_PREVENTED);
        byte[] d = h.in(1024, 0x4D, 0, 0x40 | 0x2E, 0, 0, 0, 0, 4, 0, 0).data();
        assertEquals(4 + 64 * 5, d.length);
        int flag10 = 4 + 9 * 5;
        assertEquals(10, BigEndian.u16(d, flag10));
        assertEquals(1, d[flag10 + 4], "TapeAlert 10: no removal");
        byte[] again = h.in(1024, 0x4D, 0, 0x40 | 0x2E, 0, 0, 0, 0, 4, 0, 0).data();
        assertEquals(0, again[flag10 + 4]);
    }

    @Test
    void reportDensitySupport() {
        byte[] d = h.in(1024, 0x44, 0, 0, 0, 0, 0, 0, 4, 0, 0).data();
        int count = (BigEndian.u16(d, 0) - 2) / 52;
        assertEquals(3, count, "LTO-8 reads LTO-8, M8 and LTO-7");
        assertEquals(0x5E, d[4] & 0xFF);
        assertEquals(0xA0, d[4 + 2] & 0xE0, "WRTOK and DEFLT on the native density");
        assertEquals(12_000_000, BigEndian.u32(d, 4 + 12), "capacity in MB");
        assertEquals("LTO-CVE ", new String(d, 4 + 16, 8, StandardCharsets.US_ASCII));
        byte[] media = h.in(1024, 0x44, 1, 0, 0, 0, 0, 0, 4, 0, 0).data();
        assertEquals(52 + 4, media.length);
        byte[] types = h.in(1024, 0x44, 2, 0, 0, 0, 0, 0, 4, 0, 0).data();
        assertEquals(0, (BigEndian.u16(types, 0) - 2) % 56);
        assertEquals(0x00, types[4]);
        assertEquals(0x80, types[4 + 56] & 0xFF, "LTO-8 WORM");
        assertEquals(8, h.in(8, 0x44, 0, 0, 0, 0, 0, 0, 0, 8, 0).data().length, "allocation length");
    }
}
