package org.lunforge.device.disk;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.lunforge.backstore.MemoryBlockStore;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.testing.FuzzVerdict;

/** Fuzz target: the disk's command table (SBC-4 and the SPC rows a disk has): usage data check and CDB decoders. */
class SbcCdbFuzzTest {
    private static final CommandTable COMMANDS =
            new DiskHarness(new MemoryBlockStore(64 * 512), DiskConfig.defaults()).lu.commands();

    @FuzzTest(maxDuration = "30s")
    void cdb(byte[] bytes) {
        FuzzVerdict.decode(COMMANDS, bytes);
    }
}
