package org.lunforge.device.tape;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.tape.TapeHarness.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.backstore.tape.CartridgeSpec;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.SenseKey;

/**
 * tar -M over Linux st, played against the drive: st turns the first early-warning EOM into "write done" and the
 * next write into ENOSPC (without sending it), tar closes the volume (st writes a filemark, which must succeed at
 * EOM), the changer swaps cartridges, and tar writes the refused record first on the next volume. Reading both
 * volumes back gives the archive byte for byte.
 */
class MultiVolumeTest {
    @TempDir
    Path dir;
    TapeHarness h;

    @BeforeEach
    void create() throws IOException {
        h = new TapeHarness(dir);
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void archiveSpansTwoCartridgesAndRestoresByteForByte() throws IOException {
        int record = 10240; // tar's default record size
        byte[] archive = new byte[record * 300];
        new Random(7).nextBytes(archive);
        for (String barcode : new String[] {"VOL001L8", "VOL002L8"}) {
            h.pool.create(CartridgeSpec.ofBarcode(barcode).withCapacity(2_000_000, 400_000));
        }
        h.drive.load(h.pool.cartridge("VOL001L8"));
        h.clearAttentions(h.nexus);
        int next = 0;
        boolean stReportsEnospc = false;
        int volumes = 1;
        while (next < 300) {
            if (stReportsEnospc) {
                // ENOSPC: tar closes the volume; st writes its filemark at close.
                RecordingTask fm = h.writeFilemarks(1, false);
                Sense s = assertStream(fm, SenseCode.END_OF_PARTITION_MEDIUM_DETECTED, false, true, false, 0);
                assertEquals(SenseKey.NO_SENSE, s.key());
                assertGood(h.rewind());
                assertGood(h.run(0x1B, 0, 0, 0, 0, 0)); // mt offline
                h.drive.unload();
                h.drive.load(h.pool.cartridge("VOL00" + (++volumes) + "L8"));
                h.clearAttentions(h.nexus);
                stReportsEnospc = false;
                continue;
            }
            byte[] block = new byte[record];
            System.arraycopy(archive, next * record, block, 0, record);
            RecordingTask t = h.writeVariable(block);
            if (t.response().status() == ScsiStatus.GOOD) {
                next++;
                continue;
            }
            Sense s = Sense.decode(t.response().sense());
            assertTrue(s.endOfMedium(), "EOM with " + s);
            if (s.key() == SenseKey.NO_SENSE) {
                next++; // written; st returns success now and ENOSPC on the next write
                stReportsEnospc = true;
            } else {
                fail("VOLUME OVERFLOW before st's ENOSPC: the early-warning zone is too small " + s);
            }
        }
        assertGood(h.writeFilemarks(1, false));
        assertEquals(2, volumes);

        ByteArrayOutputStream restored = new ByteArrayOutputStream();
        for (String barcode : new String[] {"VOL001L8", "VOL002L8"}) {
            h.drive.unload();
            h.drive.load(h.pool.cartridge(barcode));
            h.clearAttentions(h.nexus);
            while (true) {
                RecordingTask t = h.readVariable(record);
                if (t.response().status() != ScsiStatus.GOOD) {
                    assertCheck(t, SenseCode.FILEMARK_DETECTED);
                    break;
                }
                restored.writeBytes(t.data());
            }
        }
        assertArrayEquals(archive, restored.toByteArray());
    }

    @Test
    void logicalUnitResetEndsPrevention() {
        assertDoesNotThrow(() -> h.loadNew("LF0001L8"));
        assertGood(h.run(0x1E, 0, 0, 0, 1, 0));
        assertTrue(h.drive.isMediumRemovalPrevented());
        h.lu.reset(h.nexus);
        assertFalse(h.drive.isMediumRemovalPrevented());
    }

    @Test
    void reportSupportedOperationCodesListsTapeRows() throws IOException {
        h.loadNew("LF0001L8");
        // One command, with service action: READ POSITION long form.
        RecordingTask t = h.in(64, 0xA3, 0x0C, 0x02, 0x34, 0x00, 0x06, 0, 0, 0, 64, 0, 0);
        assertGood(t);
        byte[] d = t.data();
        assertEquals(0x03, d[1] & 0x07, "supported");
        assertEquals(10, BigEndian.u16(d, 2));
        assertEquals(0x34, d[4] & 0xFF);
        assertEquals(0x06, d[5] & 0xFF);
        // REQUEST SENSE is the drive's row, listed once.
        RecordingTask all = h.in(4096, 0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0);
        byte[] list = all.data();
        int requestSense = 0;
        for (int p = 4; p < list.length; p += 8) {
            if ((list[p] & 0xFF) == 0x03) {
                requestSense++;
            }
        }
        assertEquals(1, requestSense);
    }
}
