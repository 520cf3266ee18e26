package org.lunforge.server.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lunforge.server.config.ConfigJson;

/** Splitting a command line into words, and reading the values people type: sizes, booleans, numbers. */
final class ShellWords {
    private ShellWords() {
    }

    /** Words split at spaces; "double" or 'single' quotes keep spaces; a backslash escapes the next character. */
    static List<String> split(String line) throws ShellException {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new ShellException("unclosed " + quote + " quote");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** A size in bytes: digits with an optional binary suffix K, M, G, T (also KiB, MB, ... all binary). */
    static long size(String name, String text) throws ShellException {
        java.util.OptionalLong n = ConfigJson.binarySize(text.toUpperCase(Locale.ROOT).replace("IB", "")
                .replace("B", ""));
        if (n.isPresent() && n.getAsLong() >= 0) {
            return n.getAsLong();
        }
        throw new ShellException(name + "=" + text + ": a size such as 1G, 512M or 1073741824");
    }

    static boolean bool(String name, String text) throws ShellException {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ShellException(name + "=" + text + ": true or false (also yes/no, on/off, 1/0)");
        };
    }

    static int number(String name, String text, int min, int max) throws ShellException {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ShellException(name + "=" + text + ": a whole number from " + min + " to " + max);
    }

    /** Bytes as people read them: "1.0 GiB", "512 MiB", "4096 B". */
    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : "%.1f %s".formatted(v, units[u]);
    }

    static String quoteIfNeeded(String s) {
        return s.isEmpty() || s.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'')
                ? "'" + s.replace("'", "\\'") + "'" : s;
    }
}
