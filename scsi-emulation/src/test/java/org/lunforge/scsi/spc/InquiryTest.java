package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.StateStore;
import org.lunforge.scsi.TargetPortGroups;

class InquiryTest {
    private final Harness h = new Harness();
    private final Nexus a = nexus("iqn.1994-05.com.redhat:a");

    private byte[] inquiry(Nexus n, int evpd, int page, int alloc) {
        RecordingTask t = h.in(n, alloc, 0x12, evpd, page, alloc >> 8, alloc & 0xFF, 0);
        assertGood(t);
        return t.data();
    }

    @Test
    void standardDataClaimsSpc4WithHisupCmdqueAndTpgs() {
        byte[] d = inquiry(a, 0, 0, 260);
        assertEquals(96, d.length);
        assertEquals(0x00, d[0]); // qualifier 0, direct access
        assertEquals(0x06, d[2]); // SPC-4
        assertEquals(0x12, d[3]); // HISUP, RESPONSE DATA FORMAT 2
        assertEquals(d.length - 5, d[4]);
        assertEquals(0x30, d[5] & 0x30); // TPGS 11b: implicit and explicit ALUA
        assertEquals(0, d[5] & 0x08); // no 3PC
        assertEquals(0x02, d[7] & 0x02); // CMDQUE
        assertEquals(0, d[3] & 0xC0); // no AERC/TRMTSK (iscsi-test-cu Inquiry.Standard)
        assertEquals("LUNFORGE", new String(d, 8, 8, StandardCharsets.US_ASCII));
        assertEquals("disk            ", new String(d, 16, 16, StandardCharsets.US_ASCII));
    }

    @Test
    void versionDescriptorsNameSam5IscsiSpc4AndTheCommandSet() {
        byte[] d = inquiry(a, 0, 0, 96);
        List<Integer> v = new ArrayList<>();
        for (int i = 58; i < 74; i += 2) {
            v.add(BigEndian.u16(d, i));
        }
        assertEquals(List.of(0x00A0, 0x0960, 0x0460, 0x04C0, 0, 0, 0, 0), v);
    }

    @Test
    void allocationLengthTruncatesAndSixteenBitsAreHonoured() {
        for (int alloc = 5; alloc < 256; alloc += 25) {
            assertEquals(Math.min(alloc, 96), inquiry(a, 0, 0, alloc).length);
        }
        // iscsi-test-cu Inquiry.AllocLength: 511 and 512 (low byte 0) give the same data.
        assertArrayEquals(inquiry(a, 0, 0, 511), inquiry(a, 0, 0, 512));
        assertEquals(0, h.in(a, 0, 0x12, 0, 0, 0, 0, 0).response().transferLength());
    }

    @Test
    void pageCodeWithoutEvpdIsInvalidFieldAtByte2() {
        assertInvalidCdbField(h.run(a, 0x12, 0, 1, 1, 0, 0), 2, 7);
    }

    @Test
    void obsoleteCmddtBitIsRefused() {
        assertInvalidCdbField(h.run(a, 0x12, 0x02, 0, 0, 96, 0), 1, 1);
    }

    @Test
    void supportedPagesAreAscendingAndEachCanBeRead() {
        byte[] d = inquiry(a, 1, 0x00, 255);
        assertEquals(0x00, d[1]);
        byte[] pages = Arrays.copyOfRange(d, 4, 4 + BigEndian.u16(d, 2));
        assertArrayEquals(new byte[] {0x00, (byte) 0x80, (byte) 0x83, (byte) 0x86, (byte) 0xB0}, pages);
        for (byte p : pages) {
            byte[] page = inquiry(a, 1, p & 0xFF, 255);
            assertEquals(p, page[1]);
            assertEquals(page.length - 4, BigEndian.u16(page, 2));
        }
    }

    @Test
    void unknownVpdPageIsInvalidFieldAtByte2() {
        assertInvalidCdbField(h.run(a, 0x12, 1, 0xC7, 0, 255, 0), 2, 7);
    }

    @Test
    void unitSerialNumberIsTheIdentitysSerial() {
        byte[] d = inquiry(a, 1, 0x80, 255);
        assertEquals(h.lu.identity().serialNumber(), new String(d, 4, d.length - 4, StandardCharsets.US_ASCII));
    }

    record Designator(int protocol, int codeSet, boolean piv, int association, int type, byte[] value) {
    }

    static List<Designator> designators(byte[] page) {
        List<Designator> out = new ArrayList<>();
        int end = 4 + BigEndian.u16(page, 2);
        for (int p = 4; p < end; p += 4 + (page[p + 3] & 0xFF)) {
            out.add(new Designator((page[p] >> 4) & 0x0F, page[p] & 0x0F, (page[p + 1] & 0x80) != 0,
                    (page[p + 1] >> 4) & 0x03, page[p + 1] & 0x0F,
                    Arrays.copyOfRange(page, p + 4, p + 4 + (page[p + 3] & 0xFF))));
        }
        return out;
    }

    @Test
    void deviceIdentificationNamesTheLogicalUnitFirstAndThePortOfTheNexus() {
        List<Designator> ds = designators(inquiry(a, 1, 0x83, 255));
        Designator naa = ds.getFirst();
        assertEquals(3, naa.type());
        assertEquals(0, naa.association());
        assertArrayEquals(h.lu.identity().naa(), naa.value());
        Designator t10 = ds.get(1);
        assertEquals(1, t10.type());
        assertTrue(new String(t10.value(), StandardCharsets.US_ASCII).startsWith("LUNFORGE"));
        Designator rel = ds.stream().filter(d -> d.type() == 4).findFirst().orElseThrow();
        assertEquals(1, rel.association());
        assertTrue(rel.piv());
        assertEquals(5, rel.protocol()); // iSCSI
        assertEquals(1, BigEndian.u16(rel.value(), 2));
        Designator group = ds.stream().filter(d -> d.type() == 5).findFirst().orElseThrow();
        assertEquals(1, BigEndian.u16(group.value(), 2));
        List<Designator> names = ds.stream().filter(d -> d.type() == 8).toList();
        assertEquals(2, names.size());
        assertEquals(PORT_1.name(), cString(names.get(0).value()));
        assertEquals(0, names.get(0).value().length % 4);
        assertEquals(2, names.get(1).association()); // target device
        assertEquals(TARGET, cString(names.get(1).value()));
    }

    @Test
    void secondPathReportsItsOwnPortAndGroupButTheSameLogicalUnit() {
        TargetPortGroups groups = TargetPortGroups.builder()
                .group(10, AsymmetricAccessState.ACTIVE_OPTIMIZED, true, 1)
                .group(20, AsymmetricAccessState.ACTIVE_NON_OPTIMIZED, false, 2).build();
        Harness two = new Harness(new FakeDisk(), StateStore.inMemory(), groups);
        Nexus viaPort2 = nexus("iqn.1994-05.com.redhat:a", 1, PORT_2);
        byte[] p1 = two.in(a, 255, 0x12, 1, 0x83, 0, 255, 0).data();
        byte[] p2 = two.in(viaPort2, 255, 0x12, 1, 0x83, 0, 255, 0).data();
        assertArrayEquals(designators(p1).getFirst().value(), designators(p2).getFirst().value());
        Designator g2 = designators(p2).stream().filter(d -> d.type() == 5).findFirst().orElseThrow();
        assertEquals(20, BigEndian.u16(g2.value(), 2));
        Designator r2 = designators(p2).stream().filter(d -> d.type() == 4).findFirst().orElseThrow();
        assertEquals(2, BigEndian.u16(r2.value(), 2));
        // Both ports are known now: MULTIP.
        assertEquals(0x10, two.in(a, 96, 0x12, 0, 0, 0, 96, 0).data()[6] & 0x10);
    }

    @Test
    void extendedInquiryDataPageHasTheFixedLength() {
        byte[] d = inquiry(a, 1, 0x86, 255);
        assertEquals(0x3C, BigEndian.u16(d, 2));
        assertEquals(0x07, d[5]); // HEADSUP ORDSUP SIMPSUP
        assertEquals(0x01, d[7] & 0x01); // LUICLR
    }

    @Test
    void implicitOnlyAluaReportsTpgs01AndHasNoSetTargetPortGroups() {
        TargetPortGroups implicit = TargetPortGroups.builder()
                .group(1, AsymmetricAccessState.ACTIVE_OPTIMIZED, true).explicitTransitions(false).build();
        Harness one = new Harness(new FakeDisk(), StateStore.inMemory(), implicit);
        assertEquals(0x10, one.in(a, 96, 0x12, 0, 0, 0, 96, 0).data()[5] & 0x30);
        assertNull(one.lu.commands().find(0xA4, 0x0A));
    }

    @Test
    void identityForTheSameUuidIsStable() {
        LogicalUnitIdentity x = LogicalUnitIdentity.of("V", "P", "1", UNIT);
        assertArrayEquals(x.naa(), h.lu.identity().naa());
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
