package org.lunforge.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per record on stderr: time, level, logger's short name, message; a stack trace only for failures. */
final class Logging {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private Logging() {
    }

    static void configure(Level level) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler stderr = new ConsoleHandler();
        stderr.setLevel(level);
        stderr.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String name = r.getLoggerName() == null ? "" : r.getLoggerName();
                StringBuilder sb = new StringBuilder()
                        .append(LocalDateTime.now().format(TIME)).append(' ')
                        .append(r.getLevel().getName()).append(' ')
                        .append(name.substring(name.lastIndexOf('.') + 1)).append(": ")
                        .append(formatMessage(r)).append('\n');
                if (r.getThrown() != null) {
                    StringWriter w = new StringWriter();
                    r.getThrown().printStackTrace(new PrintWriter(w));
                    sb.append(w);
                }
                return sb.toString();
            }
        });
        root.addHandler(stderr);
        root.setLevel(level);
        Logger.getLogger("io.netty").setLevel(Level.INFO.intValue() < level.intValue() ? level : Level.INFO);
    }
}
