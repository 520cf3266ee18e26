package org.lunforge.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Runs libiscsi's iscsi-test-cu against a running target, writes the per-test results and judges them against the
 * committed expectations. Exit status 0 only when nothing regressed and every test is classified.
 *
 * <pre>
 * IscsiTestCuRun --expectations FILE --out DIR [--test ALL] [--extra-arg ARG]... URL [MULTIPATH_URL]
 * </pre>
 */
public final class IscsiTestCuRun {
    private IscsiTestCuRun() {
    }

    public static void main(String[] args) throws Exception {
        Path expectationsFile = null;
        Path out = null;
        String test = "ALL";
        List<String> extra = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--expectations" -> expectationsFile = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--test" -> test = args[++i];
                case "--extra-arg" -> extra.add(args[++i]);
                default -> urls.add(args[i]);
            }
        }
        if (expectationsFile == null || out == null || urls.isEmpty()) {
            System.err.println("usage: IscsiTestCuRun --expectations FILE --out DIR [--test T] URL [MULTIPATH_URL]");
            System.exit(2);
        }
        Files.createDirectories(out);
        List<String> list = run(List.of("iscsi-test-cu", "--list"), out.resolve("list.txt"));
        List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", "-eL", "iscsi-test-cu", "--dataloss",
                "--test=" + test));
        command.addAll(extra);
        command.addAll(urls);
        List<String> output = run(command, out.resolve("iscsi-test-cu.log"));
        List<CuResult> results = CuOutput.parse(output, CuOutput.families(list));
        writeResults(results, out.resolve("results.tsv"));

        Expectations.Verdict verdict = Expectations.load(expectationsFile).judge(results);
        Map<CuOutcome, Integer> counts = new EnumMap<>(CuOutcome.class);
        results.forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
        StringBuilder report = new StringBuilder();
        report.append("iscsi-test-cu --test=%s: %d tests, %d passed, %d failed, %d skipped%n".formatted(test,
                results.size(), counts.getOrDefault(CuOutcome.PASS, 0), counts.getOrDefault(CuOutcome.FAIL, 0),
                counts.getOrDefault(CuOutcome.SKIP, 0)));
        verdict.regressions().forEach(r -> report.append("REGRESSION ").append(r).append('\n'));
        verdict.unlisted().forEach(r -> report.append("UNLISTED   ").append(r).append('\n'));
        verdict.improvements().forEach(r -> report.append("IMPROVED   ").append(r).append('\n'));
        boolean ok = verdict.ok() && !results.isEmpty();
        if (results.isEmpty()) {
            report.append("NO RESULTS: iscsi-test-cu ran no test (see iscsi-test-cu.log)\n");
        }
        report.append(ok ? "conformance OK\n" : "conformance FAILED\n");
        Files.writeString(out.resolve("summary.txt"), report);
        System.out.print(report);
        System.exit(ok ? 0 : 1);
    }

    private static List<String> run(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int rc = p.waitFor();
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        if (lines.isEmpty()) {
            throw new IOException(String.join(" ", command) + " printed nothing (exit " + rc + ")");
        }
        return lines;
    }

    private static void writeResults(List<CuResult> results, Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (CuResult r : results) {
            sb.append(r.name()).append('\t').append(r.outcome()).append('\t').append(r.detail()).append('\n');
        }
        Files.writeString(file, sb);
    }
}
