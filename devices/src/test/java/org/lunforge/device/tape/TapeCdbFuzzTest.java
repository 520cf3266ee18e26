package org.lunforge.device.tape;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.lunforge.scsi.CommandTable;
import org.lunforge.scsi.testing.FuzzVerdict;

/** Fuzz target: the tape drive's command table (SSC-4 and its SPC rows): usage data check and CDB decoders. */
class TapeCdbFuzzTest {
    private static final CommandTable COMMANDS = commands();

    private static CommandTable commands() {
        try {
            return new TapeHarness(Files.createTempDirectory("tape-cdb-fuzz")).lu.commands();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void cdb(byte[] bytes) {
        FuzzVerdict.decode(COMMANDS, bytes);
    }
}
