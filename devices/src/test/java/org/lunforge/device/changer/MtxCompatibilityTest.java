package org.lunforge.device.changer;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.device.changer.ChangerHarness.*;
import static org.lunforge.device.changer.Mtx.tag;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

/**
 * The library read back the way mtx parses it (see {@link Mtx}), and probed the way Linux ch probes a changer; plus
 * what Bacula's mtx-changer script extracts from mtx's output.
 */
class MtxCompatibilityTest {
    @TempDir
    Path dir;
    private ChangerHarness h;
    private Nexus n;

    @BeforeEach
    void setUp() throws Exception {
        h = ChangerHarness.standard(dir);
        h.pool.with("LF0005L8");
        n = h.login("iqn.1994-05.com.redhat:host");
        h.library.importCartridge("LF0005L8", IE);
        h.requestSense(n); // IMPORT OR EXPORT ELEMENT ACCESSED: mtx would fail once on it, as on real libraries
    }

    private List<String> initialStatus() {
        return List.of(
                "  Storage Changer /dev/sg1:2 Drives, 12 Slots ( 2 Import/Export )",
                "Data Transfer Element 0:Empty",
                "Data Transfer Element 1:Empty",
                "      Storage Element 1:Full :VolumeTag=" + tag("LF0001L8"),
                "      Storage Element 2:Full :VolumeTag=" + tag("LF0002L8"),
                "      Storage Element 3:Full :VolumeTag=" + tag("LF0003L8"),
                "      Storage Element 4:Full :VolumeTag=" + tag("LF0004L8"),
                "      Storage Element 5:Empty",
                "      Storage Element 6:Empty",
                "      Storage Element 7:Empty",
                "      Storage Element 8:Empty",
                "      Storage Element 9:Empty",
                "      Storage Element 10:Empty",
                "      Storage Element 11 IMPORT/EXPORT:Full :VolumeTag=" + tag("LF0005L8"),
                "      Storage Element 12 IMPORT/EXPORT:Empty");
    }

    @Test
    void statusReadsEveryElementBack() {
        Mtx.assertLines(initialStatus(), new Mtx(h, n, true, false).statusLines());
    }

    @Test
    void statusWithAllElementTypesInOneWalk() {
        Mtx.assertLines(initialStatus(), new Mtx(h, n, true, true).statusLines());
    }

    @Test
    void statusWithoutBarcodes() {
        List<String> lines = new Mtx(h, n, false, false).statusLines();
        assertEquals("      Storage Element 1:Full ", lines.get(3));
        assertEquals("      Storage Element 11 IMPORT/EXPORT:Full ", lines.get(13));
    }

    @Test
    void loadUnloadTransferAndInventory() {
        Mtx mtx = new Mtx(h, n, true, false);
        mtx.load(3, 1);
        assertEquals("LF0003L8", h.drives.get(1).loaded);
        List<String> lines = mtx.statusLines();
        assertEquals("Data Transfer Element 1:Full (Storage Element 3 Loaded):VolumeTag = " + tag("LF0003L8"),
                lines.get(2));
        assertEquals("      Storage Element 3:Empty", lines.get(5));

        mtx.unload(null, 1); // back where it came from
        assertNull(h.drives.get(1).loaded);
        assertEquals("      Storage Element 3:Full :VolumeTag=" + tag("LF0003L8"), mtx.statusLines().get(5));

        mtx.load(11, 0); // from the mail slot
        mtx.unload(7, 0);
        mtx.transfer(7, 12); // to the other mail slot: an export
        lines = mtx.statusLines();
        assertEquals("      Storage Element 7:Empty", lines.get(9));
        assertEquals("      Storage Element 12 IMPORT/EXPORT:Full :VolumeTag=" + tag("LF0005L8"), lines.get(14));

        mtx.inventory();
        Mtx.assertLines(lines, mtx.statusLines());
    }

    @Test
    void aDriveLoadedFromASlotThatIsFullAgainGetsAnEmptySlotAsMtxDoes() {
        Mtx mtx = new Mtx(h, n, true, false);
        mtx.load(1, 0);
        mtx.transfer(2, 1); // slot 1 is full again: mtx proposes the first empty slot instead
        assertEquals("Data Transfer Element 0:Full (Storage Element 2 Loaded):VolumeTag = " + tag("LF0001L8"),
                mtx.statusLines().get(1));
    }

    @Test
    void mtxErrorsAreTheSenseCodesItNames() {
        Mtx mtx = new Mtx(h, n, true, false);
        mtx.load(1, 0);
        Mtx.MtxFailure full = assertThrows(Mtx.MtxFailure.class, () -> mtx.transfer(2, 3));
        assertEquals(SenseCode.MEDIUM_DESTINATION_ELEMENT_FULL, full.sense.code());
        Mtx.MtxFailure empty = assertThrows(Mtx.MtxFailure.class, () -> mtx.transfer(5, 6));
        assertEquals(SenseCode.MEDIUM_SOURCE_ELEMENT_EMPTY, empty.sense.code());
    }

    @Test
    void baculaMtxChangerReadsSlotsAndTheLoadedSlot() {
        Mtx mtx = new Mtx(h, n, true, false);
        mtx.load(2, 0);
        List<String> lines = mtx.statusLines();
        // "loaded": grep "^Data Transfer Element $drive:Full" | awk "{print \$7}"
        String drive0 = lines.stream().filter(l -> l.startsWith("Data Transfer Element 0:Full")).findFirst()
                .orElseThrow();
        assertEquals("2", Mtx.awkField(drive0, 7));
        // "list": grep " *Storage Element [0-9]*:.*Full" | awk "{print \$3 \$4}" | sed "s/Full *\(:VolumeTag=\)*//"
        List<String> list = lines.stream()
                .filter(l -> l.matches(" *Storage Element [0-9]*:.*Full.*"))
                .map(l -> (Mtx.awkField(l, 3) + Mtx.awkField(l, 4)).replaceFirst("Full *(:VolumeTag=)*", ""))
                .toList();
        assertEquals(List.of("1:LF0001L8", "3:LF0003L8", "4:LF0004L8"), list);
    }

    /** ch.c's probe and ioctls, for a changer at LUN 1 (ch writes the LUN into CDB byte 1 bits 7..5). */
    @Test
    void linuxChProbeAndIoctls() {
        int lun = 1 << 5;
        // ch_readconfig: MODE SENSE(6) page 1Dh without DBD, allocation 255.
        RecordingTask mode = h.in(n, 255, 0x1A, lun, 0x1D, 0, 255, 0);
        assertGood(mode);
        byte[] b = mode.data();
        int[] firsts = new int[4];
        int[] counts = new int[4];
        for (int type = 0; type < 4; type++) {
            firsts[type] = BigEndian.u16(b, (b[3] & 0xFF) + 6 + 4 * type);
            counts[type] = BigEndian.u16(b, (b[3] & 0xFF) + 8 + 4 * type);
        }
        assertArrayEquals(new int[] {0x0000, 0x0400, 0x0010, 0x0100}, firsts); // MT, ST, IE, DT
        assertArrayEquals(new int[] {1, 10, 2, 2}, counts);
        // Each drive element, without volume tags: it must come back at offset 16; LU VALID names the drive's LUN.
        for (int i = 0; i < counts[3]; i++) {
            int elem = firsts[3] + i;
            RecordingTask t = h.in(n, 256, 0xB8, lun | 4, elem >> 8, elem & 0xFF, 0, 1, 0, 0, 0, 255, 0, 0);
            assertGood(t);
            byte[] data = java.util.Arrays.copyOfRange(t.data(), 16, 32);
            assertEquals(elem, BigEndian.u16(data, 0));
            assertEquals(0, data[6] & 0x80, "NOT BUS");
            assertEquals(0x10, data[6] & 0x30, "LU VALID, no ID VALID");
            assertEquals(i + 1, data[6] & 0x07);
        }
        // ch_init_elem at probe.
        assertGood(h.run(n, 0x07, lun, 0, 0, 0, 0));
        // CHIOMOVE storage 0 -> drive 0, transport firsts[MT].
        assertGood(h.run(n, 0xA5, lun, 0, 0, 0x04, 0x00, 0x01, 0x00, 0, 0, 0, 0));
        // CHIOGELEM for the drive, with volume tags: status, source, primary volume tag.
        RecordingTask t = h.in(n, 256, 0xB8, lun | 0x10 | 4, 0x01, 0x00, 0, 1, 0, 0, 0, 255, 0, 0);
        assertGood(t);
        byte[] g = java.util.Arrays.copyOf(t.data(), 256);
        assertEquals(0x09, g[18]); // cge_status: FULL, ACCESS
        assertEquals(0x80, g[25] & 0xC0); // CGE_SRC, not inverted
        assertEquals(0x0400, BigEndian.u16(g, 26)); // source: storage 0
        assertEquals(0x80, g[9] & 0xC0); // CGE_PVOLTAG only
        assertEquals(tag("LF0001L8"), Mtx.ascii(g, 28, 32));
        // CHIOEXCHANGE and CHIOPOSITION.
        assertGood(h.run(n, 0xA6, lun, 0, 0, 0x04, 0x01, 0x01, 0x00, 0x04, 0x01, 0, 0));
        assertEquals("LF0002L8", h.drives.get(0).loaded);
        assertGood(h.run(n, 0x2B, lun, 0, 0, 0x00, 0x11, 0, 0, 0, 0));
        // CHIOGSTATUS walks every element of a type one by one.
        for (int i = 0; i < counts[1]; i++) {
            int elem = firsts[1] + i;
            RecordingTask s = h.in(n, 256, 0xB8, lun | 0x10 | 2, elem >> 8, elem & 0xFF, 0, 1, 0, 0, 0, 255, 0, 0);
            assertGood(s);
            assertEquals(elem, BigEndian.u16(s.data(), 16));
        }
    }
}
