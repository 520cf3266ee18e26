package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;

class ModePagesTest {
    private final Harness h = new Harness();
    private final Nexus a = h.login(nexus("iqn.1994-05.com.redhat:a"));
    private final Nexus b = h.login(nexus("iqn.1994-05.com.redhat:b"));

    private RecordingTask sense6(Nexus n, boolean dbd, int pc, int page, int sub, int alloc) {
        return h.in(n, alloc, 0x1A, dbd ? 0x08 : 0, (pc << 6) | page, sub, alloc, 0);
    }

    private RecordingTask sense10(Nexus n, boolean llbaa, boolean dbd, int pc, int page, int sub, int alloc) {
        return h.in(n, alloc, 0x5A, (llbaa ? 0x10 : 0) | (dbd ? 0x08 : 0), (pc << 6) | page, sub, 0, 0, 0,
                alloc >> 8, alloc & 0xFF, 0);
    }

    private RecordingTask select6(Nexus n, boolean pf, boolean sp, byte[] list) {
        return h.out(n, list, 0x15, (pf ? 0x10 : 0) | (sp ? 0x01 : 0), 0, 0, list.length, 0);
    }

    private RecordingTask select10(Nexus n, boolean pf, boolean sp, byte[] list) {
        return h.out(n, list, 0x55, (pf ? 0x10 : 0) | (sp ? 0x01 : 0), 0, 0, 0, 0, 0, list.length >> 8,
                list.length & 0xFF, 0);
    }

    /** The pages of MODE SENSE(6) data, each with its header. */
    static List<byte[]> pages6(byte[] d) {
        return pages(d, 4 + (d[3] & 0xFF));
    }

    static List<byte[]> pages(byte[] d, int start) {
        List<byte[]> out = new ArrayList<>();
        for (int p = start; p < d.length; ) {
            boolean spf = (d[p] & 0x40) != 0;
            int len = spf ? 4 + BigEndian.u16(d, p + 2) : 2 + (d[p + 1] & 0xFF);
            out.add(Arrays.copyOfRange(d, p, p + len));
            p += len;
        }
        return out;
    }

    /** The current control page from MODE SENSE(6), DBD. */
    private byte[] control(Nexus n, int pc) {
        RecordingTask t = sense6(n, true, pc, 0x0A, 0, 255);
        assertGood(t);
        return pages6(t.data()).getFirst();
    }

    /** A MODE SELECT(6) parameter list: the 4-byte header, no block descriptor, then the pages. */
    private static byte[] list6(byte[]... pages) {
        int n = 4;
        for (byte[] p : pages) {
            n += p.length;
        }
        byte[] d = new byte[n];
        int at = 4;
        for (byte[] p : pages) {
            System.arraycopy(p, 0, d, at, p.length);
            at += p.length;
        }
        return d;
    }

    @Test
    void allPagesCarryControlAndTheDevicesPagesInOrder() {
        RecordingTask t = sense6(a, false, 0, 0x3F, 0, 255);
        assertGood(t);
        byte[] d = t.data();
        assertEquals(d.length - 1, d[0] & 0xFF);
        assertEquals(0x10, d[2] & 0xFF); // the device's DPOFUA
        assertEquals(8, d[3]); // short block descriptor
        assertEquals(FakeDisk.BLOCKS, BigEndian.u32(d, 4));
        assertEquals(FakeDisk.BLOCK_LENGTH, BigEndian.u24(d, 9));
        List<Integer> codes = pages6(d).stream().map(p -> p[0] & 0x3F).toList();
        assertEquals(List.of(0x08, 0x0A, 0x1C), codes); // subpage 01h of 08h only with subpage FFh
        for (byte[] p : pages6(d)) {
            assertEquals(0x80, p[0] & 0x80); // PS: all three are savable
        }
    }

    @Test
    void allPagesAndSubpages() {
        RecordingTask t = sense6(a, true, 0, 0x3F, 0xFF, 255);
        List<byte[]> pages = pages6(t.data());
        assertEquals(4, pages.size());
        assertEquals(0x48, pages.get(1)[0] & 0xFF); // 08h/01h: SPF, not savable
        assertEquals(0x01, pages.get(1)[1]);
        assertEquals(2, pages6(sense6(a, true, 0, 0x08, 0xFF, 255).data()).size());
    }

    /** Linux st reads density and block length with MODE SENSE(6) page 00h, 12 bytes. */
    @Test
    void pageZeroIsTheHeaderAndBlockDescriptorOnly() {
        RecordingTask t = sense6(a, false, 0, 0x00, 0, 12);
        assertGood(t);
        assertEquals(12, t.data().length);
        assertEquals(11, t.data()[0]);
        assertEquals(8, t.data()[3]);
    }

    @Test
    void unknownPageAndSubpagePointAtTheirFields() {
        assertInvalidCdbField(sense6(a, true, 0, 0x19, 0, 255), 2, 5);
        assertInvalidCdbField(sense6(a, true, 0, 0x0A, 0x05, 255), 3, 7);
        assertInvalidCdbField(sense6(a, true, 0, 0x3F, 0x05, 255), 3, 7);
    }

    @Test
    void controlPageIsSaneForIscsiTestCu() {
        byte[] c = control(a, 0);
        assertEquals(12, c.length);
        assertEquals(0, (c[2] >> 5) & 0x07); // TST
        int qam = (c[3] >> 4) & 0x0F;
        assertTrue(qam <= 1 || qam > 7);
        assertNotEquals(2, (c[3] >> 1) & 0x03); // QERR
        assertNotEquals(1, (c[4] >> 4) & 0x03); // UA_INTLCK_CTRL
        assertNotEquals(0, BigEndian.u16(c, 8)); // BUSY TIMEOUT PERIOD specified
        // The same page through all pages.
        byte[] viaAll = pages6(sense6(a, true, 0, 0x3F, 0, 255).data()).stream()
                .filter(p -> (p[0] & 0x3F) == 0x0A).findFirst().orElseThrow();
        assertArrayEquals(c, viaAll);
    }

    @Test
    void changeableMaskShowsDSenseAndSwp() {
        byte[] c = control(a, 1);
        assertEquals(0x0A, c[0] & 0x3F);
        assertEquals(10, c[1]);
        assertEquals(0x04, c[2]);
        assertEquals(0x08, c[4]);
    }

    @Test
    void residualsAreNeverOverflows() {
        RecordingTask t = sense6(a, false, 0, 0x3F, 0, 4);
        assertGood(t);
        assertEquals(4, t.response().transferLength());
        RecordingTask all = sense6(a, false, 0, 0x3F, 0, 255);
        assertTrue(all.response().transferLength() < 255);
    }

    @Test
    void longLbaBlockDescriptorOnlyWithLlbaaInModeSense10() {
        byte[] d = sense10(a, true, false, 0, 0x08, 0, 512).data();
        assertEquals(1, d[4] & 0x01); // LONGLBA
        assertEquals(16, BigEndian.u16(d, 6));
        assertEquals(FakeDisk.BLOCKS, BigEndian.s64(d, 8));
        assertEquals(FakeDisk.BLOCK_LENGTH, BigEndian.u32(d, 20));
        assertEquals(d.length - 2, BigEndian.u16(d, 0));
        byte[] shortForm = sense10(a, false, false, 0, 0x08, 0, 512).data();
        assertEquals(8, BigEndian.u16(shortForm, 6));
        assertEquals(0, BigEndian.u16(sense10(a, true, true, 0, 0x08, 0, 512).data(), 6)); // DBD
    }

    @Test
    void savedValuesNeedASavablePageAndDefaultUntilSaved() {
        assertArrayEquals(control(a, 2), control(a, 3));
    }

    @Test
    void dSenseSwitchesTheSenseFormatOfEveryNexus() {
        byte[] c = control(a, 0);
        c[0] &= 0x3F;
        c[2] |= 0x04;
        assertGood(select6(a, true, false, list6(c)));
        assertTrue(h.lu.spc().descriptorSense(b));
        assertCheck(h.run(b, 0x00, 0, 0, 0, 0, 0), SenseCode.MODE_PARAMETERS_CHANGED);
        RecordingTask bad = h.run(b, 0x12, 0x02, 0, 0, 36, 0);
        assertEquals(0x72, bad.response().sense()[0]);
        assertEquals(0x04, control(b, 0)[2] & 0x04);
    }

    @Test
    void modeParametersChangedGoesToTheOthersOnlyAndOnlyOnChange() {
        byte[] c = control(a, 0);
        assertGood(select6(a, true, false, list6(c))); // unchanged
        assertGood(h.run(b, 0x00, 0, 0, 0, 0, 0));
        c[2] |= 0x04;
        assertGood(select6(a, true, false, list6(c)));
        assertGood(h.run(a, 0x00, 0, 0, 0, 0, 0));
        assertCheck(h.run(b, 0x00, 0, 0, 0, 0, 0), SenseCode.MODE_PARAMETERS_CHANGED);
    }

    @Test
    void softwareWriteProtectRefusesWritesAndSetsWp() {
        byte[] c = control(a, 0);
        c[4] |= 0x08;
        assertGood(select6(a, true, false, list6(c)));
        assertGood(h.run(a, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0));
        assertCheck(h.run(a, 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0), SenseCode.WRITE_PROTECTED);
        assertEquals(0x80, sense6(a, true, 0, 0x0A, 0, 255).data()[2] & 0x80);
        c[4] &= ~0x08;
        assertGood(select6(a, true, false, list6(c)));
        assertGood(h.run(a, 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0));
    }

    @Test
    void aBitOutsideTheChangeableMaskPointsAtItsByteAndBit() {
        byte[] c = control(a, 0);
        c[3] ^= 0x02; // QERR
        assertInvalidParameter(select6(a, true, false, list6(c)), 4 + 3, 1);
        byte[] ie = pages6(sense6(a, true, 0, 0x1C, 0, 255).data()).getFirst();
        ie[3] = 0x04; // MRIE is not changeable
        assertInvalidParameter(select6(a, true, false, list6(ie)), 4 + 3, 2);
    }

    @Test
    void wrongPageLengthAndUnknownPagePointIntoTheList() {
        byte[] c = control(a, 0);
        byte[] shortPage = Arrays.copyOf(c, 10);
        shortPage[1] = 8;
        assertInvalidParameter(select6(a, true, false, list6(shortPage)), 5, -1);
        byte[] unknown = {0x19, 2, 0, 0};
        assertInvalidParameter(select6(a, true, false, list6(unknown)), 4, 5);
    }

    @Test
    void truncatedListsAreParameterListLengthErrors() {
        byte[] c = control(a, 0);
        byte[] list = list6(c);
        assertCheck(select6(a, true, false, Arrays.copyOf(list, list.length - 3)),
                SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        assertCheck(select6(a, true, false, new byte[3]), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        byte[] claimsDescriptor = new byte[4];
        claimsDescriptor[3] = 8;
        assertCheck(select6(a, true, false, claimsDescriptor), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        assertGood(select6(a, true, false, new byte[0])); // a zero length list is not an error
    }

    @Test
    void badBlockDescriptorLengthPointsAtTheLengthField() {
        byte[] list = new byte[4 + 4];
        list[3] = 4;
        assertInvalidParameter(select6(a, true, false, list), 3, -1);
    }

    @Test
    void theCurrentBlockDescriptorIsAcceptedAndAnotherRefused() {
        byte[] list = new byte[12];
        list[3] = 8;
        BigEndian.put32(list, 4, FakeDisk.BLOCKS);
        BigEndian.put24(list, 9, FakeDisk.BLOCK_LENGTH);
        assertGood(select6(a, true, false, list));
        BigEndian.put32(list, 4, 0); // zero blocks: no change (SBC-4)
        assertGood(select6(a, true, false, list));
        BigEndian.put24(list, 9, 4096);
        assertInvalidParameter(select6(a, true, false, list), 4, -1);
    }

    @Test
    void pageFormatZeroIsRefusedWithPages() {
        assertInvalidCdbField(select6(a, false, false, list6(control(a, 0))), 1, 4);
        assertGood(select6(a, false, false, new byte[4]));
    }

    @Test
    void savePagesPersistsAndARestartRestores() {
        byte[] caching = pages6(sense6(a, true, 0, 0x08, 0, 255).data()).getFirst();
        caching[2] &= ~0x04; // WCE off
        byte[] c = control(a, 0);
        c[2] |= 0x04;
        assertGood(select6(a, true, true, list6(caching, c)));
        assertEquals(0x04, control(a, 3)[2] & 0x04);
        Harness again = h.restarted();
        assertTrue(again.lu.spc().descriptorSense(a));
        assertEquals(0, again.lu.spc().modePages().current(0x08, 0)[2] & 0x04);
        // The device learned the restored pages (caching, control) at construction.
        assertEquals(2, again.disk.modePageCallbacks.size());
        assertTrue(again.disk.modePageCallbacks.stream().anyMatch(p -> p[0] == 0x08 && (p[2] & 0x04) == 0));
    }

    @Test
    void savingANonSavablePageIsInvalidFieldAtSp() {
        byte[] sub = pages6(sense6(a, true, 0, 0x08, 0x01, 255).data()).getFirst();
        sub[0] &= 0x7F;
        assertInvalidCdbField(select6(a, true, true, list6(sub)), 1, 0);
        sub[4] = 0x55;
        assertGood(select6(a, true, false, list6(sub)));
        assertEquals(0x55, h.lu.spc().modePages().current(0x08, 0x01)[4]);
    }

    @Test
    void logicalUnitResetReturnsToSavedValues() {
        byte[] c = control(a, 0);
        c[2] |= 0x04;
        assertGood(select6(a, true, false, list6(c)));
        h.lu.reset(a);
        assertFalse(h.lu.spc().descriptorSense(a));
    }

    @Test
    void theDeviceHearsOfChangesAndMayRefuseThem() {
        byte[] caching = pages6(sense6(a, true, 0, 0x08, 0, 255).data()).getFirst();
        caching[0] &= 0x3F;
        caching[2] &= ~0x04;
        assertGood(select6(a, true, false, list6(caching)));
        assertEquals(0, h.disk.modePageCallbacks.getLast()[2] & 0x04);
        h.disk.refuseCachingChanges = true;
        caching[2] |= 0x04;
        assertInvalidParameter(select6(a, true, false, list6(caching)), 2, 2);
        assertEquals(0, h.lu.spc().modePages().current(0x08, 0)[2] & 0x04);
    }

    @Test
    void modeSelect10WithEightByteHeader() {
        byte[] c = control(a, 0);
        c[2] |= 0x04;
        byte[] list = new byte[8 + c.length];
        System.arraycopy(c, 0, list, 8, c.length);
        assertGood(select10(a, true, false, list));
        assertTrue(h.lu.spc().descriptorSense(a));
    }

    @Test
    void modeSenseReservedBitsAndCommandBytesAreChecked() {
        assertInvalidCdbField(h.run(a, 0x1A, 0x10, 0x3F, 0, 255, 0), 1, 4); // LLBAA is not in MODE SENSE(6)
        assertInvalidCdbField(h.run(a, 0x15, 0x02, 0, 0, 0, 0), 1, 1);
    }
}
