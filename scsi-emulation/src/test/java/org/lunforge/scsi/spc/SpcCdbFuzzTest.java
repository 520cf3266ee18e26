package org.lunforge.scsi.spc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.testing.FuzzVerdict;

/** Fuzz target: the CDB usage check and the decoders of the SPC commands every device shares (SPC-4 6). */
class SpcCdbFuzzTest {
    private static final CommandTable COMMANDS = new Harness().lu.commands();

    @FuzzTest(maxDuration = "30s")
    void cdb(byte[] bytes) {
        FuzzVerdict.decode(COMMANDS, bytes);
    }
}
