package org.lunforge.backstore;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Parsing of the string-valued block store configuration keys shared by the providers. */
public final class StoreConfig {
    private StoreConfig() {
    }

    /** Rejects keys the provider does not know: a typo must not silently fall back to a default. */
    public static void requireOnly(Map<String, String> config, Set<String> known) {
        for (String key : config.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' (known: " + known + ")");
            }
        }
    }

    public static String require(Map<String, String> config, String key) {
        String v = config.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing key '" + key + "'");
        }
        return v.trim();
    }

    /** A byte count: a number with an optional binary suffix K, M, G, T (case-insensitive, "iB"/"B" allowed). */
    public static long parseSize(String key, String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        if (v.endsWith("IB")) {
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
        }
        int shift = 0;
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> { }
            }
        }
        if (shift != 0) {
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >>> shift))) {
                throw new IllegalArgumentException(key + " out of range: " + value);
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not a size: " + value);
        }
    }

    public static boolean parseBoolean(Map<String, String> config, String key, boolean otherwise) {
        String v = config.get(key);
        if (v == null) {
            return otherwise;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException(key + " is not a boolean: " + v);
        };
    }
}
