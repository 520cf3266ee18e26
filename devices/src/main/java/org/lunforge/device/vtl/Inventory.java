package org.lunforge.device.vtl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Which cartridge is in which element, and where it came from: the library's lasting state. Immutable; a movement
 * builds the next inventory, saves it and only then publishes it.
 *
 * <p>Invariants: a barcode appears at most once; only storage, import/export and data transfer elements hold
 * cartridges (the library checks addresses against its layout).
 *
 * <p>The saved form is text, one line per full element, and ends with a CRC-32C of everything before it, so a file
 * damaged outside our atomic replace is refused rather than half believed:
 * <pre>
 * lunforge-vtl-inventory 1
 * 0x0400 LF0001L8 LTO8 source=- by=transport
 * 0x0100 LF0002L8 LTO8 source=0x0401 by=transport
 * 0x0010 LF0003L8 LTO8 source=- by=operator
 * crc32c=1a2b3c4d
 * </pre>
 */
record Inventory(NavigableMap<Integer, Occupant> elements) {
    static final Inventory EMPTY = new Inventory(new TreeMap<>());
    private static final String MAGIC = "lunforge-vtl-inventory 1";

    /**
     * A cartridge in an element.
     *
     * @param sourceAddress the last storage or import/export element it was moved from, or -1 (SVALID 0)
     * @param placedByOperator the operator imported it into this import/export element (IMPEXP)
     */
    record Occupant(Volume cartridge, int sourceAddress, boolean placedByOperator) {
        Occupant {
            Objects.requireNonNull(cartridge, "cartridge");
        }
    }

    Inventory {
        elements = Collections.unmodifiableNavigableMap(new TreeMap<>(elements));
        Set<String> seen = new HashSet<>();
        for (Occupant o : elements.values()) {
            if (!seen.add(o.cartridge().barcode())) {
                throw new IllegalArgumentException("cartridge " + o.cartridge().barcode() + " is in two elements");
            }
        }
    }

    /** The occupant of the element, or null if it is empty. */
    Occupant at(int address) {
        return elements.get(address);
    }

    /** The element holding this cartridge, or null. */
    Integer addressOf(String barcode) {
        for (Map.Entry<Integer, Occupant> e : elements.entrySet()) {
            if (e.getValue().cartridge().barcode().equals(barcode)) {
                return e.getKey();
            }
        }
        return null;
    }

    Inventory with(int address, Occupant occupant) {
        TreeMap<Integer, Occupant> next = new TreeMap<>(elements);
        next.put(address, occupant);
        return new Inventory(next);
    }

    Inventory without(int address) {
        TreeMap<Integer, Occupant> next = new TreeMap<>(elements);
        next.remove(address);
        return new Inventory(next);
    }

    byte[] encode() {
        StringBuilder s = new StringBuilder(MAGIC).append('\n');
        for (Map.Entry<Integer, Occupant> e : elements.entrySet()) {
            Occupant o = e.getValue();
            s.append("0x%04x %s %s source=%s by=%s\n".formatted(e.getKey(), o.cartridge().barcode(),
                    o.cartridge().mediaType().name(),
                    o.sourceAddress() < 0 ? "-" : "0x%04x".formatted(o.sourceAddress()),
                    o.placedByOperator() ? "operator" : "transport"));
        }
        byte[] body = s.toString().getBytes(StandardCharsets.US_ASCII);
        CRC32C crc = new CRC32C();
        crc.update(body);
        byte[] tail = "crc32c=%08x\n".formatted(crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[body.length + tail.length];
        System.arraycopy(body, 0, out, 0, body.length);
        System.arraycopy(tail, 0, out, body.length, tail.length);
        return out;
    }

    /** Parses a saved inventory; IOException naming the problem if it is damaged or not ours. */
    static Inventory decode(byte[] bytes) throws IOException {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int tailAt = text.lastIndexOf("crc32c=");
        if (!text.startsWith(MAGIC + "\n") || tailAt < 0 || (tailAt > 0 && text.charAt(tailAt - 1) != '\n')) {
            throw new IOException("not a lunforge VTL inventory, or cut short");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, tailAt);
        String tail = text.substring(tailAt + "crc32c=".length()).strip();
        if (!tail.equals("%08x".formatted(crc.getValue()))) {
            throw new IOException("inventory checksum mismatch: the file is damaged");
        }
        TreeMap<Integer, Occupant> elements = new TreeMap<>();
        String[] lines = text.substring(MAGIC.length() + 1, tailAt).split("\n");
        for (String line : lines) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                String[] f = line.split(" ");
                if (f.length != 5 || !f[3].startsWith("source=") || !f[4].startsWith("by=")) {
                    throw new IllegalArgumentException("five fields expected");
                }
                int address = address(f[0]);
                Volume cartridge = new Volume(f[1], MediaType.valueOf(f[2]));
                String source = f[3].substring("source=".length());
                String by = f[4].substring("by=".length());
                if (!by.equals("operator") && !by.equals("transport")) {
                    throw new IllegalArgumentException("by=" + by);
                }
                if (elements.put(address, new Occupant(cartridge, source.equals("-") ? -1 : address(source),
                        by.equals("operator"))) != null) {
                    throw new IllegalArgumentException("element listed twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IOException("inventory line '" + line + "': " + e.getMessage(), e);
            }
        }
        try {
            return new Inventory(elements);
        } catch (IllegalArgumentException e) {
            throw new IOException("inventory: " + e.getMessage(), e);
        }
    }

    private static int address(String hex) {
        if (!hex.startsWith("0x")) {
            throw new IllegalArgumentException("element address " + hex);
        }
        int a = Integer.parseInt(hex.substring(2), 16);
        if (a < 0 || a > 0xFFFF) {
            throw new IllegalArgumentException("element address " + hex);
        }
        return a;
    }
}
