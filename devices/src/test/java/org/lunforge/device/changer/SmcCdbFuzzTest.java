package org.lunforge.device.changer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.testing.FuzzVerdict;

/** Fuzz target: the medium changer's command table (SMC-3 and its SPC rows): usage data check and CDB decoders. */
class SmcCdbFuzzTest {
    private static final CommandTable COMMANDS = commands();

    private static CommandTable commands() {
        try {
            return ChangerHarness.standard(Files.createTempDirectory("changer-cdb-fuzz")).lu.commands();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void cdb(byte[] bytes) {
        FuzzVerdict.decode(COMMANDS, bytes);
    }
}
