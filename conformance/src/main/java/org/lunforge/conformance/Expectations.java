package org.lunforge.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed verdict for every test: a TSV of {@code FAMILY.Suite.Test<TAB>PASS|SKIP<TAB>reason}. A test listed
 * PASS must pass; a SKIP must carry the reason we accept it. FAIL is not an expectation anyone may write.
 */
public record Expectations(Map<String, Expected> byName) {

    public record Expected(CuOutcome outcome, String reason) {
    }

    public static Expectations load(Path file) throws IOException {
        Map<String, Expected> map = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file)) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", 3);
            if (f.length < 2) {
                throw new IOException(file + ":" + lineNo + ": want NAME<TAB>PASS|SKIP<TAB>reason");
            }
            CuOutcome outcome = CuOutcome.valueOf(f[1].strip());
            String reason = f.length > 2 ? f[2].strip() : "";
            if (outcome == CuOutcome.FAIL) {
                throw new IOException(file + ":" + lineNo + ": FAIL is not an acceptable expectation");
            }
            if (outcome == CuOutcome.SKIP && reason.isEmpty()) {
                throw new IOException(file + ":" + lineNo + ": a skip needs its reason");
            }
            if (map.put(f[0].strip(), new Expected(outcome, reason)) != null) {
                throw new IOException(file + ":" + lineNo + ": " + f[0] + " listed twice");
            }
        }
        return new Expectations(map);
    }

    /** Compares a run with these expectations. */
    public Verdict judge(List<CuResult> results) {
        List<String> regressions = new ArrayList<>();
        List<String> improvements = new ArrayList<>();
        List<String> unlisted = new ArrayList<>();
        Map<String, CuResult> seen = new LinkedHashMap<>();
        for (CuResult r : results) {
            seen.put(r.name(), r);
            Expected e = byName.get(r.name());
            if (r.outcome() == CuOutcome.FAIL) {
                regressions.add(r.name() + " FAILED: " + r.detail());
            } else if (e == null) {
                unlisted.add(r.name() + " " + r.outcome() + (r.detail().isEmpty() ? "" : ": " + r.detail()));
            } else if (e.outcome() == CuOutcome.PASS && r.outcome() == CuOutcome.SKIP) {
                regressions.add(r.name() + " expected PASS but SKIPPED: " + r.detail());
            } else if (e.outcome() == CuOutcome.SKIP && r.outcome() == CuOutcome.PASS) {
                improvements.add(r.name() + " now passes (listed as skip: " + e.reason() + ")");
            }
        }
        for (String name : byName.keySet()) {
            if (!seen.containsKey(name)) {
                regressions.add(name + " did not run");
            }
        }
        return new Verdict(regressions, improvements, unlisted);
    }

    /**
     * @param regressions failures, expected passes that skipped, expected tests that did not run
     * @param improvements expected skips that passed: update the expectations file to hold on to them
     * @param unlisted tests the file does not name: every test must be classified
     */
    public record Verdict(List<String> regressions, List<String> improvements, List<String> unlisted) {
        public boolean ok() {
            return regressions.isEmpty() && unlisted.isEmpty();
        }
    }
}
