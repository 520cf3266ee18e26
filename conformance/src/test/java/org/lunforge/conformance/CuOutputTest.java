package org.lunforge.conformance;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Parses a real run: iscsi-test-cu 1.19 --test=ALL against tgt 1.0.85 on this machine (222 "passed", 8 failed). */
class CuOutputTest {
    private static List<String> resource(String name) throws IOException {
        try (InputStream in = CuOutputTest.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().toList();
        }
    }

    private final List<CuResult> results;

    CuOutputTest() throws IOException {
        results = CuOutput.parse(resource("iscsi-test-cu-tgt-all.txt"),
                CuOutput.families(resource("iscsi-test-cu-list.txt")));
    }

    @Test
    void everyTestOfTheRunIsFoundOnce() {
        assertEquals(230, results.size());
        assertEquals(230, results.stream().map(CuResult::name).distinct().count());
    }

    @Test
    void countsMatchCunitsSummaryWithSkipsSeparated() {
        Map<CuOutcome, Long> counts = results.stream()
                .collect(Collectors.groupingBy(CuResult::outcome, Collectors.counting()));
        assertEquals(8, counts.get(CuOutcome.FAIL)); // CUnit's own "Failed" column
        assertEquals(222, counts.get(CuOutcome.PASS) + counts.get(CuOutcome.SKIP));
        assertEquals(62, counts.get(CuOutcome.SKIP)); // ANCHORS.md: tgt skips 62
    }

    @Test
    void namesCarryTheirFamily() {
        CuResult beyondEol = find("SCSI.GetLBAStatus.BeyondEol");
        assertEquals(CuOutcome.FAIL, beyondEol.outcome());
        assertTrue(beyondEol.detail().startsWith("GET_LBA_STATUS successful"), beyondEol.detail());
        assertEquals(CuOutcome.SKIP, find("SCSI.CompareAndWrite.Simple").outcome());
        assertEquals(CuOutcome.PASS, find("SCSI.Read10.Simple").outcome());
        assertTrue(results.stream().anyMatch(r -> r.name().startsWith("iSCSI.")));
    }

    private CuResult find(String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() ->
                new AssertionError(name + " not parsed"));
    }
}
