package org.lunforge.conformance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the verbose CUnit output of libiscsi's iscsi-test-cu (1.19). A test starts at {@code "  Test: Name ..."}
 * under the last {@code "Suite: Name"} line and ends at a line that is, or ends with, {@code passed} or
 * {@code FAILED}. A {@code [SKIPPED]} note anywhere in between makes it a skip even though CUnit says passed. stdout
 * and stderr interleave, so notes may repeat or straddle lines, and the outcome word may come first on a line with a
 * note after it; only the outcome word closes a test.
 */
public final class CuOutput {
    private CuOutput() {
    }

    /**
     * Maps "Suite.Test" to its family from {@code iscsi-test-cu --list} lines (FAMILY.Suite.Test), preferring the
     * SCSI and iSCSI families over the ALL and LINUX aliases that list the same tests again.
     */
    public static Map<String, String> families(List<String> listLines) {
        Map<String, String> family = new HashMap<>();
        for (String line : listLines) {
            String[] parts = line.trim().split("\\.");
            if (parts.length != 3) {
                continue;
            }
            String key = parts[1] + "." + parts[2];
            if (parts[0].equals("SCSI") || parts[0].equals("iSCSI")) {
                family.put(key, parts[0]);
            } else {
                family.putIfAbsent(key, parts[0]);
            }
        }
        return family;
    }

    public static List<CuResult> parse(List<String> outputLines, Map<String, String> families) {
        List<CuResult> results = new ArrayList<>();
        String suite = null;
        String test = null;
        String skipNote = null;
        String failNote = null;
        for (String raw : outputLines) {
            String line = raw.strip();
            if (line.startsWith("Suite: ")) {
                suite = line.substring("Suite: ".length()).strip();
                continue;
            }
            if (line.startsWith("Test: ")) {
                int dots = line.indexOf(" ...");
                test = (dots < 0 ? line.substring(6) : line.substring(6, dots)).strip();
                skipNote = null;
                failNote = null;
                line = dots < 0 ? "" : line.substring(dots + 4).strip();
            }
            if (test == null) {
                continue;
            }
            int skipped = line.indexOf("[SKIPPED]");
            if (skipped >= 0 && skipNote == null) {
                skipNote = line.substring(skipped + 9).strip();
            }
            int failed = line.indexOf("[FAILED]");
            if (failed >= 0 && failNote == null) {
                failNote = line.substring(failed + 8).strip();
            }
            boolean pass = isOutcome(line, "passed");
            boolean fail = isOutcome(line, "FAILED");
            if (pass || fail) {
                String key = suite + "." + test;
                String name = families.getOrDefault(key, "ALL") + "." + key;
                CuOutcome outcome = fail ? CuOutcome.FAIL : skipNote != null ? CuOutcome.SKIP : CuOutcome.PASS;
                String detail = fail ? (failNote == null ? "" : failNote) : skipNote == null ? "" : skipNote;
                results.add(new CuResult(name, outcome, detail));
                test = null;
            }
        }
        return results;
    }

    /** The word stands alone at the start or the end of the line (the rest is an interleaved note). */
    private static boolean isOutcome(String line, String word) {
        return line.equals(word) || line.endsWith(" " + word) || line.startsWith(word + " ");
    }
}
