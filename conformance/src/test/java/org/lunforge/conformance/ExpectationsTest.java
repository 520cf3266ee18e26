package org.lunforge.conformance;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpectationsTest {
    @TempDir
    Path dir;

    private Expectations load(String text) throws IOException {
        Path f = dir.resolve("e.tsv");
        Files.writeString(f, text);
        return Expectations.load(f);
    }

    @Test
    void failureSkipOfAnExpectedPassAndMissingTestsAreRegressions() throws IOException {
        Expectations e = load("SCSI.A.One\tPASS\nSCSI.A.Two\tPASS\nSCSI.A.Three\tPASS\n");
        Expectations.Verdict v = e.judge(List.of(new CuResult("SCSI.A.One", CuOutcome.FAIL, "x"),
                new CuResult("SCSI.A.Two", CuOutcome.SKIP, "not implemented")));
        assertEquals(3, v.regressions().size(), v.regressions().toString());
        assertFalse(v.ok());
    }

    @Test
    void listedSkipIsFineAndAPassBeyondItIsReported() throws IOException {
        Expectations e = load("# comment\nSCSI.A.One\tSKIP\tneeds -S\nSCSI.A.Two\tSKIP\tneeds a second URL\n");
        Expectations.Verdict v = e.judge(List.of(new CuResult("SCSI.A.One", CuOutcome.SKIP, "r"),
                new CuResult("SCSI.A.Two", CuOutcome.PASS, "")));
        assertTrue(v.ok());
        assertEquals(1, v.improvements().size());
    }

    @Test
    void unlistedTestsFailTheVerdict() throws IOException {
        Expectations.Verdict v = load("").judge(List.of(new CuResult("SCSI.A.New", CuOutcome.PASS, "")));
        assertFalse(v.ok());
        assertEquals(1, v.unlisted().size());
    }

    @Test
    void fileRefusesFailExpectationsAndReasonlessSkips() {
        assertThrows(IOException.class, () -> load("SCSI.A.One\tFAIL\tknown bug\n"));
        assertThrows(IOException.class, () -> load("SCSI.A.One\tSKIP\n"));
        assertThrows(IOException.class, () -> load("SCSI.A.One\tPASS\nSCSI.A.One\tPASS\n"));
    }
}
