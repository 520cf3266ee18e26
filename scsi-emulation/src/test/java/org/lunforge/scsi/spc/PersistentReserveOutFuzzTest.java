package org.lunforge.scsi.spc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.testing.FuzzVerdict;

/**
 * Fuzz target: PERSISTENT RESERVE OUT parameter lists (SPC-4 6.16.3, and 6.16.4 for REGISTER AND MOVE) as a short
 * sequence of commands from two I_T nexuses, so that later commands meet registrations and reservations. Each
 * command is [nexus and service action][scope and type][list length][list]; PERSISTENT RESERVE IN READ FULL STATUS
 * must be answered after each.
 */
class PersistentReserveOutFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parameterList(byte[] input) {
        Harness h = new Harness();
        Nexus[] nexuses = {h.login(Harness.nexus("iqn.2025-01.test:a")), h.login(Harness.nexus("iqn.2025-01.test:b"))};
        int at = 0;
        for (int command = 0; command < 6 && at + 3 <= input.length; command++) {
            Nexus n = nexuses[(input[at] >> 7) & 1];
            int serviceAction = input[at] & 0x1F;
            int scopeType = input[at + 1] & 0xFF;
            int length = input[at + 2] & 0xFF;
            byte[] list = Arrays.copyOfRange(input, at + 3, Math.min(input.length, at + 3 + length));
            at += 3 + length;
            FuzzVerdict.requireAnswered(h.out(n, list, 0x5F, serviceAction, scopeType, 0, 0,
                    list.length >>> 24, (list.length >> 16) & 0xFF, (list.length >> 8) & 0xFF, list.length & 0xFF, 0));
            FuzzVerdict.requireAnswered(h.in(n, 8192, 0x5E, 0x03, 0, 0, 0, 0, 0, 0x20, 0, 0));
        }
    }
}
