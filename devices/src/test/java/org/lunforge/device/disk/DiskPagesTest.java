package org.lunforge.device.disk;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.ModePageDefinition;
import org.lunforge.scsi.VpdPage;

/** VPD B0h, B1h, B2h and 8Fh, the mode pages 01h and 08h, the block descriptor. */
class DiskPagesTest {
    final DiskHarness h = new DiskHarness(new MemoryBlockStore(1 << 30),
            DiskConfig.defaults().withLimits(16384, 1 << 22, 0xFFFFFFFFL, 4095));

    @AfterEach
    void close() {
        h.close();
    }

    Map<Integer, byte[]> pages(SbcDisk disk) {
        return disk.vpdPages().stream().collect(Collectors.toMap(VpdPage::pageCode, p -> p.payload(DiskHarness.NEXUS)));
    }

    @Test
    void blockLimitsIsTheSbc3LengthWithOurLimits() {
        byte[] b0 = pages(h.disk).get(0xB0);
        assertEquals(0x3C, b0.length, "page length 3Ch");
        int at = -4; // payload offset = page offset - 4
        assertEquals(0, b0[4 + at] & 1, "WSNZ 0");
        assertEquals(255, b0[5 + at] & 0xFF, "MAXIMUM COMPARE AND WRITE LENGTH");
        assertEquals(16384, BigEndian.u32(b0, 8 + at));
        assertEquals(0xFFFFFFFFL, BigEndian.u32(b0, 20 + at), "MAXIMUM UNMAP LBA COUNT: no limit");
        assertEquals(4095, BigEndian.u32(b0, 24 + at));
        assertEquals(MemoryBlockStore.CHUNK_SIZE / 512, BigEndian.u32(b0, 28 + at), "OPTIMAL UNMAP GRANULARITY");
        assertEquals(1L << 22, BigEndian.s64(b0, 36 + at), "MAXIMUM WRITE SAME LENGTH");
        long atomic = BigEndian.u32(b0, 44 + at);
        assertTrue(atomic > 0 && atomic <= 16384, "MAXIMUM ATOMIC TRANSFER LENGTH within MAXIMUM TRANSFER LENGTH");
    }

    @Test
    void blockDeviceCharacteristicsSayNonRotating() {
        byte[] b1 = pages(h.disk).get(0xB1);
        assertEquals(0x3C, b1.length);
        assertEquals(1, BigEndian.u16(b1, 0));
    }

    @Test
    void logicalBlockProvisioningSaysWhetherThin() {
        byte[] b2 = pages(h.disk).get(0xB2);
        assertEquals(4, b2.length);
        assertEquals(0xE4, b2[1] & 0xFF, "LBPU, LBPWS, LBPWS10, LBPRZ 001b");
        assertEquals(2, b2[2] & 7, "thin");
        DiskHarness thick = new DiskHarness(new MemoryBlockStore(1 << 20),
                DiskConfig.defaults().withThinProvisioned(false));
        Map<Integer, byte[]> pages = pages(thick.disk);
        assertArrayEquals(new byte[4], pages.get(0xB2), "fully provisioned: no LBPU, LBPWS, LBPRZ");
        assertEquals(0, BigEndian.u32(pages.get(0xB0), 20 - 4), "no UNMAP limits without LBPU");
        thick.close();
    }

    @Test
    void thirdPartyCopyListsReceiveCopyResultsAndTheDescriptorTypes() {
        byte[] tpc = pages(h.disk).get(0x8F);
        boolean status = false;
        boolean descriptors = false;
        for (int at = 0; at < tpc.length; ) {
            int type = BigEndian.u16(tpc, at);
            int length = BigEndian.u16(tpc, at + 2);
            assertEquals(0, length % 4, "descriptor bodies are padded to 4 bytes");
            if (type == 0x0001) {
                int listLength = tpc[at + 4] & 0xFF;
                for (int p = at + 5; p < at + 5 + listLength; p += 2 + tpc[p + 1]) {
                    if ((tpc[p] & 0xFF) == 0x84) {
                        for (int i = 0; i < tpc[p + 1]; i++) {
                            status |= tpc[p + 2 + i] == 0x00;
                        }
                    }
                }
            }
            if (type == 0x0008) {
                descriptors = tpc[at + 4] == 3 && tpc[at + 5] == 0x02 && tpc[at + 6] == 0x0A
                        && (tpc[at + 7] & 0xFF) == 0xE4;
            }
            at += 4 + length;
        }
        assertTrue(status, "RECEIVE COPY RESULTS / COPY STATUS is listed");
        assertTrue(descriptors);
    }

    @Test
    void modePagesAndWriteCacheEnable() {
        ModePageDefinition caching = h.disk.modePages().stream().filter(p -> p.pageCode() == 8).findFirst()
                .orElseThrow();
        assertEquals(0x04, caching.defaults()[2] & 0x04, "WCE");
        assertEquals(0x04, caching.changeable()[2]);
        assertTrue(h.disk.modePages().stream().anyMatch(p -> p.pageCode() == 1));
        CountingStore store = new CountingStore(new MemoryBlockStore(1 << 20), false);
        DiskHarness d = new DiskHarness(store, DiskConfig.defaults());
        byte[] off = caching.defaults();
        off[2] &= ~0x04;
        d.disk.modePageChanged(caching, off);
        d.run(DiskHarness.write10(0, 1), new byte[512]).assertGood();
        assertEquals(1, store.fuaWrites.get(), "WCE 0: written through");
        d.disk.modePageChanged(caching, caching.defaults());
        d.run(DiskHarness.write10(0, 1), new byte[512]).assertGood();
        assertEquals(1, store.fuaWrites.get());
        d.close();
    }

    @Test
    void blockDescriptorReportsCapacityAndLength() {
        assertEquals(new org.lunforge.scsi.BlockDescriptor(0, 2L << 20, 512), h.disk.blockDescriptor());
    }

    @Test
    void fourKibibyteLogicalBlocks() {
        DiskHarness big = new DiskHarness(new MemoryBlockStore(1 << 24), DiskConfig.defaults().withBlockLength(4096));
        assertEquals(4096, big.disk.capacity());
        big.run(DiskHarness.write10(4095, 1), DiskHarness.fill(4096, 1)).assertGood();
        assertArrayEquals(DiskHarness.fill(4096, 1), big.run(DiskHarness.read10(4095, 1), 4096).dataIn());
        big.run(DiskHarness.read10(4096, 1), 4096).assertSense(org.lunforge.scsi.SenseCode
                .LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
        big.close();
    }

    @Test
    void operationsFollowTheConfiguration() {
        assertTrue(h.disk.operations().contains(SbcOperation.UNMAP));
        assertFalse(h.disk.operations().contains(SbcOperation.PREVENT_ALLOW_MEDIUM_REMOVAL));
        assertTrue(h.lu.commands().all().contains(SbcOperation.READ_16));
    }
}
