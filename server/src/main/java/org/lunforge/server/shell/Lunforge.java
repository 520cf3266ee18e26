package org.lunforge.server.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.lunforge.server.control.ControlClient;
import org.lunforge.server.control.ControlSockets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lunforge}: the shell. With a command ({@code lunforge /backstores/memory create disk0 size=1G}) it runs that
 * one and exits; with {@code -f FILE}, or commands on standard input, it runs them in order and stops at the first that
 * fails; on a terminal it prompts, with completion (TAB) and history (~/.lunforge_history).
 */
@Command(name = "lunforge", mixinStandardHelpOptions = true, version = "lunforge 0.1.0",
        description = "Configures a running lunforged: a tree of backstores, iSCSI targets, tape libraries and kernel"
                + " exports, like targetcli.")
public final class Lunforge implements Callable<Integer> {
    /** Exit statuses: a command failed; no daemon could be reached. */
    static final int EXIT_FAILED = 1;
    static final int EXIT_NO_DAEMON = 3;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "the daemon's control socket, lunforged's --control (default: $LUNFORGE_CONTROL, else the"
                    + " daemon's default); the daemon must run as you or root")
    Path socket;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "run the commands in FILE, one per line")
    Path file;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
            description = "wait up to SECONDS for a daemon that is starting (default: do not wait)")
    int waitSeconds;

    @Parameters(paramLabel = "COMMAND", description = "[PATH] COMMAND [ARGS...]; none: interactive")
    List<String> words = List.of();

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new Lunforge());
        cl.setUnmatchedOptionsArePositionalParams(true);
        cl.setStopAtPositional(true);
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Path path = socket != null ? socket : ControlSockets.clientPath();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        ControlClient client = connect(path, err);
        if (client == null) {
            return EXIT_NO_DAEMON;
        }
        try (client) {
            ShellTiming timing = ShellTiming.wanted() ? new ShellTiming(client::call) : null;
            Shell shell = new Shell(timing != null ? timing : client::call, out, err, Path.of("").toAbsolutePath());
            try {
                if (!words.isEmpty()) {
                    return shell.run(words) ? 0 : EXIT_FAILED;
                }
                if (file != null) {
                    try (BufferedReader r = Files.newBufferedReader(file)) {
                        return batch(shell, r, file.toString(), err);
                    }
                }
            } finally {
                if (timing != null) {
                    timing.print(err);
                }
            }
            if (System.console() == null || !System.console().isTerminal()) {
                return batch(shell, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                        "stdin", err);
            }
            return interactive(shell, err);
        }
    }

    /** Connects, retrying every 200 ms until --wait runs out; null (after saying why) when there is no daemon. */
    private ControlClient connect(Path path, PrintWriter err) {
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (true) {
            try {
                return ControlClient.connect(path);
            } catch (IOException e) {
                if (System.nanoTime() - deadline >= 0) {
                    err.println("lunforge: " + e.getMessage());
                    return null;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private static int batch(Shell shell, BufferedReader in, String source, PrintWriter err) throws IOException {
        int n = 0;
        for (String line; (line = in.readLine()) != null; ) {
            n++;
            if (!shell.run(line)) {
                err.println("lunforge: stopped at " + source + " line " + n + ": " + line.strip());
                return EXIT_FAILED;
            }
            if (shell.exitRequested()) {
                break;
            }
        }
        return 0;
    }

    private static int interactive(Shell shell, PrintWriter err) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("lunforge")
                    .completer((r, line, candidates) -> {
                        String before = line.line().substring(0, line.cursor());
                        for (String c : ShellCompletion.complete(shell, before)) {
                            boolean more = c.endsWith("/") || c.endsWith("=");
                            candidates.add(new Candidate(c, c, null, null, null, null, !more));
                        }
                    })
                    .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".lunforge_history"))
                    .option(LineReader.Option.AUTO_FRESH_LINE, true)
                    .build();
            PrintWriter out = terminal.writer();
            out.println("lunforge shell: 'help' for commands, TAB completes, 'exit' leaves. Changes are live;"
                    + " saveconfig keeps them.");
            shell.width(terminal.getWidth() > 0 ? terminal.getWidth() : 100);
            while (!shell.exitRequested()) {
                String line;
                try {
                    line = reader.readLine(shell.cwd() + "> ");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                shell.run(line);
            }
            reader.getHistory().save();
        }
        return 0;
    }
}
