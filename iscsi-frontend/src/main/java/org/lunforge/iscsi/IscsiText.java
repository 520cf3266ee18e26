package org.lunforge.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text format of login and text negotiation (RFC 7143 6.1): {@code key=value} pairs, each ended by a NUL byte,
 * in UTF-8. Keys are at most 63 characters of letters, digits and {@code . - + @ _} (plus the {@code X-} and
 * {@code X#} prefixes of extension keys); values are at most 255 bytes, except the binary CHAP values.
 */
public final class IscsiText {
    /** 6.1: "standard-label ... up to 63 characters". */
    static final int MAX_KEY_LENGTH = 63;
    /** 6.1: values are at most 255 bytes. */
    static final int MAX_VALUE_LENGTH = 255;
    /** CHAP_C and CHAP_R carry binary values; 1024 bytes encoded in hex is 2050 characters. */
    static final int MAX_BINARY_VALUE_LENGTH = 8192;

    private IscsiText() {
    }

    /** A text that breaks 6.1; for a login it ends the login as an initiator error. */
    public static final class MalformedTextException extends Exception {
        public MalformedTextException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses complete text (the concatenated data segments of a C-bit sequence). Keys keep their order. A key given
     * twice is malformed (6.2: a key may be offered once per negotiation). Empty entries (stray NULs) are skipped.
     */
    public static Map<String, String> parse(byte[] text) throws MalformedTextException {
        Map<String, String> pairs = new LinkedHashMap<>();
        int start = 0;
        if (text.length > 0 && text[text.length - 1] != 0) {
            throw new MalformedTextException("text does not end with a NUL");
        }
        for (int i = 0; i < text.length; i++) {
            if (text[i] != 0) {
                continue;
            }
            if (i > start) {
                String pair = new String(text, start, i - start, StandardCharsets.UTF_8);
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new MalformedTextException("not key=value: " + abbreviate(pair));
                }
                String key = pair.substring(0, eq);
                String value = pair.substring(eq + 1);
                checkKey(key);
                int limit = key.startsWith("CHAP_") ? MAX_BINARY_VALUE_LENGTH : MAX_VALUE_LENGTH;
                if (value.getBytes(StandardCharsets.UTF_8).length > limit) {
                    throw new MalformedTextException("value of " + key + " exceeds " + limit + " bytes");
                }
                if (pairs.putIfAbsent(key, value) != null) {
                    throw new MalformedTextException("key " + key + " given twice");
                }
            }
            start = i + 1;
        }
        return pairs;
    }

    private static void checkKey(String key) throws MalformedTextException {
        if (key.length() > MAX_KEY_LENGTH) {
            throw new MalformedTextException("key longer than 63 characters: " + abbreviate(key));
        }
        int from = key.startsWith("X-") || key.startsWith("X#") ? 2 : 0;
        for (int i = from; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '-' || c == '+' || c == '@' || c == '_';
            if (!ok) {
                throw new MalformedTextException("bad character in key " + abbreviate(key));
            }
        }
        if (from == key.length()) {
            throw new MalformedTextException("empty key");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    /** The pairs in wire form, each ended by a NUL. */
    public static byte[] encode(Map<String, String> pairs) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\0');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static ByteBuf toBuffer(ByteBufAllocator alloc, byte[] text, int offset, int length) {
        if (length == 0) {
            return io.netty.buffer.Unpooled.EMPTY_BUFFER;
        }
        return alloc.heapBuffer(length).writeBytes(text, offset, length);
    }
}
