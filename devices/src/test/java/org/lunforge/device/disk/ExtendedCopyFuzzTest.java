package org.lunforge.device.disk;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Set;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.SenseCode;

/**
 * Fuzz target: the EXTENDED COPY (LID1) parameter list (SPC-4 6.4: header, CSCD descriptors, segment descriptors)
 * between two small disks. NAA designators are random per logical unit, so a designator of sixteen AAh (or BBh)
 * bytes in the input stands for the first (or second) disk. RECEIVE COPY RESULTS must be answered afterwards.
 */
class ExtendedCopyFuzzTest {
    private static final int BLOCKS = 64;

    @FuzzTest(maxDuration = "30s")
    void parameterList(byte[] input) {
        try (DiskHarness a = disk(); DiskHarness b = disk()) {
            // Both disks in the requester's LUN map: the copy may reach either (finding 1 of issue 9 keeps it there).
            a.lunMap = DiskHarness.lunMap(List.of(a.lu, b.lu), Set.of());
            byte[] list = input.clone();
            substitute(list, (byte) 0xAA, a.disk.naa());
            substitute(list, (byte) 0xBB, b.disk.naa());
            requireAnswered(a.run(ExtendedCopyTest.extendedCopy(list.length), list));
            requireAnswered(a.run(ExtendedCopyTest.receiveCopyResults(0, list.length > 0 ? list[0] & 0xFF : 0), 1024));
        }
    }

    private static DiskHarness disk() {
        return new DiskHarness(new MemoryBlockStore(BLOCKS * 512), DiskConfig.defaults());
    }

    private static void substitute(byte[] list, byte marker, byte[] naa) {
        outer:
        for (int i = 0; i + naa.length <= list.length; i++) {
            for (int j = 0; j < naa.length; j++) {
                if (list[i + j] != marker) {
                    continue outer;
                }
            }
            System.arraycopy(naa, 0, list, i, naa.length);
            i += naa.length - 1;
        }
    }

    private static void requireAnswered(DiskHarness.Response r) {
        if (r.sense() != null && r.sense().code() == SenseCode.INTERNAL_TARGET_FAILURE) {
            throw new AssertionError("INTERNAL TARGET FAILURE (the exception is logged above)");
        }
    }
}
