package org.lunforge.scsi.spc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.testing.FuzzVerdict;
import org.lunforge.scsi.testing.RecordingTask;

/**
 * Fuzz target: the MODE SELECT parameter list (SPC-4 7.5.4 header, 7.5.5 block descriptor, 7.5.7 pages) of a disk.
 * The first input byte picks MODE SELECT(6) or (10) (bit 0) and SP (bit 1); the rest is the parameter list, whose
 * length the CDB gives exactly. A MODE SENSE of every page afterwards must still be answered.
 */
class ModeSelectFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parameterList(byte[] input) {
        if (input.length < 1) {
            return;
        }
        boolean ten = (input[0] & 1) != 0;
        int sp = (input[0] >> 1) & 1;
        byte[] list = Arrays.copyOfRange(input, 1, Math.min(input.length, ten ? 0xFFFF + 1 : 0xFF + 1));
        Harness h = new Harness();
        Nexus n = h.login(Harness.nexus("iqn.2025-01.test:fuzz"));
        RecordingTask select = ten
                ? h.out(n, list, 0x55, 0x10 | sp, 0, 0, 0, 0, 0, list.length >> 8, list.length & 0xFF, 0)
                : h.out(n, list, 0x15, 0x10 | sp, 0, 0, list.length, 0);
        FuzzVerdict.requireAnswered(select);
        FuzzVerdict.requireAnswered(h.in(n, 0xFFFF, 0x5A, 0, 0x3F, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0));
    }
}
