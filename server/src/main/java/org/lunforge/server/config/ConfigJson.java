package org.lunforge.server.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MapEntry;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The saved form of a {@link Config}: protobuf's JSON mapping with the proto field names (snake_case), written so
 * that the same configuration always gives the same bytes (maps sorted, two-space indent, final newline), and read
 * strictly: an unknown field, a wrong type or a second member of a oneof is refused with its line.
 *
 * <p>Reading is more forgiving than protobuf's parser in one way meant for people editing by hand: an integer field
 * may be written as a string with a binary size suffix ("64M", "1G").
 */
public final class ConfigJson {
    private ConfigJson() {
    }

    /** A parsed configuration and the line where each value was written, by path ("backstores[0].name"). */
    public record Parsed(Config config, Map<String, Integer> lines) {
        /** The line of the path, or of its nearest written ancestor; 0 if nothing of it was written. */
        public int lineOf(String path) {
            String p = path;
            while (!p.isEmpty()) {
                Integer line = lines.get(p);
                if (line != null) {
                    return line;
                }
                int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
                p = cut < 0 ? "" : p.substring(0, cut);
            }
            return 0;
        }
    }

    public static Parsed read(String source, String text) throws ConfigException {
        JsonTree.Node root = JsonTree.parse(source, text);
        Map<String, Integer> lines = new HashMap<>();
        Config.Builder builder = Config.newBuilder();
        merge(source, root, builder, "", lines);
        return new Parsed(builder.build(), lines);
    }

    public static String write(Config config) {
        try {
            return JsonFormat.printer().preservingProtoFieldNames().print(sortMaps(config)) + "\n";
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a Config always prints", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> M sortMaps(M message) {
        Message.Builder b = message.toBuilder();
        for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            if (f.isMapField()) {
                List<MapEntry<?, ?>> entries = new ArrayList<>((List<MapEntry<?, ?>>) e.getValue());
                entries.sort(Comparator.comparing(m -> String.valueOf(m.getKey())));
                b.clearField(f);
                entries.forEach(m -> b.addRepeatedField(f, m));
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (f.isRepeated()) {
                    List<Message> sorted = ((List<Message>) e.getValue()).stream().map(ConfigJson::sortMaps).toList();
                    b.clearField(f);
                    sorted.forEach(m -> b.addRepeatedField(f, m));
                } else {
                    b.setField(f, sortMaps((Message) e.getValue()));
                }
            }
        }
        return (M) b.build();
    }

    @SuppressWarnings("unchecked")
    private static void merge(String source, JsonTree.Node node, Message.Builder builder, String path,
                              Map<String, Integer> lines) throws ConfigException {
        Descriptor type = builder.getDescriptorForType();
        if (!(node.value() instanceof Map)) {
            throw new ConfigException(source, node.line(), path, "expected an object (" + type.getName() + ")");
        }
        lines.put(path, node.line());
        for (Map.Entry<String, JsonTree.Node> member : ((Map<String, JsonTree.Node>) node.value()).entrySet()) {
            String name = member.getKey();
            JsonTree.Node value = member.getValue();
            FieldDescriptor field = type.findFieldByName(name);
            if (field == null) {
                field = type.getFields().stream().filter(f -> f.getJsonName().equals(name)).findFirst().orElse(null);
            }
            String fieldPath = path.isEmpty() ? name : path + "." + name;
            if (field == null) {
                String known = type.getFields().stream().map(FieldDescriptor::getName)
                        .collect(Collectors.joining(", "));
                throw new ConfigException(source, value.line(), fieldPath,
                        "unknown field in " + type.getName() + " (known: " + known + ")");
            }
            if (value.value() == null) {
                continue;
            }
            lines.put(fieldPath, value.line());
            if (field.getRealContainingOneof() != null
                    && builder.getOneofFieldDescriptor(field.getRealContainingOneof()) != null) {
                throw new ConfigException(source, value.line(), fieldPath, "only one of "
                        + field.getContainingOneof().getFields().stream().map(FieldDescriptor::getName)
                        .collect(Collectors.joining(", ")) + " may be set");
            }
            if (field.isMapField()) {
                if (!(value.value() instanceof Map)) {
                    throw new ConfigException(source, value.line(), fieldPath, "expected an object of entries");
                }
                FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
                FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
                for (Map.Entry<String, JsonTree.Node> entry : ((Map<String, JsonTree.Node>) value.value()).entrySet()) {
                    Message.Builder eb = builder.newBuilderForField(field);
                    eb.setField(keyField, entry.getKey());
                    eb.setField(valueField, scalar(source, valueField, entry.getValue(),
                            fieldPath + "." + entry.getKey()));
                    lines.put(fieldPath + "." + entry.getKey(), entry.getValue().line());
                    builder.addRepeatedField(field, eb.build());
                }
            } else if (field.isRepeated()) {
                if (!(value.value() instanceof List)) {
                    throw new ConfigException(source, value.line(), fieldPath, "expected an array");
                }
                List<JsonTree.Node> items = (List<JsonTree.Node>) value.value();
                for (int i = 0; i < items.size(); i++) {
                    String itemPath = fieldPath + "[" + i + "]";
                    lines.put(itemPath, items.get(i).line());
                    builder.addRepeatedField(field, single(source, builder, field, items.get(i), itemPath, lines));
                }
            } else {
                builder.setField(field, single(source, builder, field, value, fieldPath, lines));
            }
        }
    }

    private static Object single(String source, Message.Builder parent, FieldDescriptor field, JsonTree.Node value,
                                 String path, Map<String, Integer> lines) throws ConfigException {
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            Message.Builder b = parent.newBuilderForField(field);
            merge(source, value, b, path, lines);
            return b.build();
        }
        return scalar(source, field, value, path);
    }

    private static Object scalar(String source, FieldDescriptor field, JsonTree.Node node, String path)
            throws ConfigException {
        Object v = node.value();
        switch (field.getJavaType()) {
            case STRING -> {
                if (v instanceof String s) {
                    return s;
                }
                throw new ConfigException(source, node.line(), path, "expected a string");
            }
            case BOOLEAN -> {
                if (v instanceof Boolean b) {
                    return b;
                }
                throw new ConfigException(source, node.line(), path, "expected true or false");
            }
            case INT, LONG -> {
                long n = integer(source, node, path);
                boolean unsigned = switch (field.getType()) {
                    case UINT32, UINT64, FIXED32, FIXED64 -> true;
                    default -> false;
                };
                if (unsigned && n < 0) {
                    throw new ConfigException(source, node.line(), path, "must not be negative");
                }
                if (field.getJavaType() == FieldDescriptor.JavaType.INT) {
                    if (unsigned ? n > 0xFFFF_FFFFL : n != (int) n) {
                        throw new ConfigException(source, node.line(), path, "out of range for a 32-bit field");
                    }
                    return (int) n;
                }
                return n;
            }
            case ENUM -> {
                if (v instanceof String s) {
                    EnumValueDescriptor e = field.getEnumType().findValueByName(s.toUpperCase(Locale.ROOT));
                    if (e != null) {
                        return e;
                    }
                }
                throw new ConfigException(source, node.line(), path, "expected one of " + field.getEnumType()
                        .getValues().stream().map(EnumValueDescriptor::getName).collect(Collectors.joining(", ")));
            }
            default -> throw new ConfigException(source, node.line(), path, "unsupported field type");
        }
    }

    /**
     * Digits (an optional minus first) with an optional binary suffix K, M, G or T, as sizes are written in a
     * configuration and in the shell ("64M" is 64 MiB); empty if the text is not one or the value does not fit a long.
     */
    public static java.util.OptionalLong binarySize(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        int shift = t.isEmpty() ? 0 : switch (t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        if (digits.matches("-?[0-9]{1,19}")) { // a long has 19 digits: the JSON writer prints int64s as such strings
            try {
                long n = Long.parseLong(digits);
                if (Long.numberOfLeadingZeros(Math.abs(n)) > shift) {
                    return java.util.OptionalLong.of(n << shift);
                }
            } catch (NumberFormatException tooLarge) {
                // 19 digits beyond Long.MAX_VALUE: not a size
            }
        }
        return java.util.OptionalLong.empty();
    }

    /** A JSON integer, or a string of digits with an optional K/M/G/T (binary) suffix. */
    private static long integer(String source, JsonTree.Node node, String path) throws ConfigException {
        if (node.value() instanceof Long n) {
            return n;
        }
        if (node.value() instanceof String s) {
            java.util.OptionalLong n = binarySize(s);
            if (n.isPresent()) {
                return n.getAsLong();
            }
        }
        throw new ConfigException(source, node.line(), path, "expected an integer (a size may say 64M or 1G)");
    }
}
