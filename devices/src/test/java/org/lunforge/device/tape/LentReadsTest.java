package org.lunforge.device.tape;

import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.TapeHarness.assertGood;
import static org.lunforge.device.tape.TapeHarness.assertStream;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.testing.RecordingTask;

/**
 * A READ through a frontend that sends lent memory (iSCSI) gets a plain block of a stream straight from the
 * cartridge's pages; whatever cannot be sent as stored (a compressed block, a small one, one that ends in an
 * incorrect length) is read as before. Either way the host gets the block.
 */
class LentReadsTest {
    private static final int BLOCK = 256 << 10;
    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new TapeHarness(dir, TapeDriveModel.IBM_LTO9);
        h.loadNew("LF0001L9");
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] text(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) "a backup of many files ".charAt(i % 23);
        }
        return b;
    }

    @Test
    void aPlainBlockOfAStreamIsLentAndIsTheBlock() throws Exception {
        byte[] first = random(BLOCK, 1);
        byte[] second = random(BLOCK, 2);
        assertGood(h.writeVariable(first));
        assertGood(h.writeVariable(second));
        assertGood(h.rewind());

        RecordingTask a = h.readVariableTakingLoans(BLOCK, false);
        RecordingTask b = h.readVariableTakingLoans(BLOCK + 512, true);
        assertGood(a);
        assertGood(b);
        assertTrue(a.lent() && b.lent(), "both sent from the cartridge's pages (the second shorter, with SILI)");
        assertArrayEquals(first, a.data());
        assertArrayEquals(second, b.data());
        a.giveBack();
        b.giveBack();
        assertEquals(2, h.tell());
    }

    @Test
    void whatCannotBeSentAsStoredIsRead() throws Exception {
        byte[] compressible = text(BLOCK);
        byte[] small = random(4096, 3);
        byte[] plain = random(BLOCK, 4);
        assertGood(h.writeVariable(compressible));
        assertGood(h.writeVariable(small));
        assertGood(h.writeVariable(plain));
        assertGood(h.rewind());

        RecordingTask packed = h.readVariableTakingLoans(BLOCK, false);
        assertGood(packed);
        assertFalse(packed.lent(), "a compressed block is decompressed into the Data-In");
        assertArrayEquals(compressible, packed.data());

        RecordingTask little = h.readVariableTakingLoans(4096, false);
        assertGood(little);
        assertFalse(little.lent(), "a small block is copied");
        assertArrayEquals(small, little.data());

        RecordingTask longer = h.readVariableTakingLoans(BLOCK + 512, false);
        assertStream(longer, SenseCode.NO_ADDITIONAL_SENSE, false, false, true, 512);
        assertFalse(longer.lent(), "an incorrect length without SILI is read");
        assertArrayEquals(plain, longer.data());
    }
}
