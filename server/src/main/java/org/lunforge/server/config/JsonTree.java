package org.lunforge.server.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON (RFC 8259) reader that remembers the line of every value, so that a configuration error can name
 * the line a person has to fix. Values: {@code Map<String, Node>}, {@code List<Node>}, String, Double/Long (as
 * written: integers stay exact), Boolean, or null.
 */
final class JsonTree {
    /** A value and the line it starts on. */
    record Node(Object value, int line) {
    }

    private final String source;
    private final String text;
    private int pos;
    private int line = 1;

    private JsonTree(String source, String text) {
        this.source = source;
        this.text = text;
    }

    static Node parse(String source, String text) throws ConfigException {
        JsonTree t = new JsonTree(source, text);
        t.skipSpace();
        Node root = t.value();
        t.skipSpace();
        if (t.pos != t.text.length()) {
            throw t.error("unexpected text after the end of the document");
        }
        return root;
    }

    private Node value() throws ConfigException {
        skipSpace();
        if (pos >= text.length()) {
            throw error("unexpected end of file");
        }
        int at = line;
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> new Node(object(), at);
            case '[' -> new Node(array(), at);
            case '"' -> new Node(string(), at);
            case 't', 'f', 'n' -> new Node(literal(), at);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield new Node(number(), at);
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Node> object() throws ConfigException {
        Map<String, Node> map = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a quoted member name");
            }
            int keyLine = line;
            String key = string();
            skipSpace();
            expect(':');
            Node v = value();
            if (map.put(key, v) != null) {
                throw new ConfigException(source, keyLine, "", "\"" + key + "\" appears twice in one object");
            }
            skipSpace();
            char c = next();
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                throw error("expected ',' or '}' after a member");
            }
        }
    }

    private List<Node> array() throws ConfigException {
        List<Node> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value());
            skipSpace();
            char c = next();
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw error("expected ',' or ']' after an element");
            }
        }
    }

    private String string() throws ConfigException {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\n' || c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("bad \\u escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object literal() throws ConfigException {
        for (String word : new String[] {"true", "false", "null"}) {
            if (text.startsWith(word, pos)) {
                pos += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
        }
        throw error("expected true, false or null");
    }

    private Object number() throws ConfigException {
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        String s = text.substring(start, pos);
        try {
            if (s.matches("-?(0|[1-9][0-9]*)")) {
                return Long.valueOf(s);
            }
            if (s.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                return Double.valueOf(s);
            }
        } catch (NumberFormatException e) {
            // falls through: too large for a long
        }
        throw error("bad number " + s);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() throws ConfigException {
        if (pos >= text.length()) {
            throw error("unexpected end of file");
        }
        return text.charAt(pos);
    }

    private char next() throws ConfigException {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) throws ConfigException {
        if (next() != c) {
            pos--;
            throw error("expected '" + c + "'");
        }
    }

    private ConfigException error(String reason) {
        return new ConfigException(source, line, "", reason);
    }
}
