package org.lunforge.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the power-cut scenario's writer ({@code conformance/lab/guest/power_cut_writer.py}) wrote, and from which mark
 * of the dm-log-writes log on each write is durable. A write's ordinal is that of the first mark made after lunforge
 * acknowledged it as durable (a FUA write, a SYNCHRONIZE CACHE, a synchronous filemark, a clean stop); it was issued
 * after the mark before that one. Lines, in the order written:
 * <pre>
 * disk ORDINAL OFFSET LENGTH SHA256        LENGTH bytes at byte OFFSET of the disk
 * block ORDINAL BARCODE LENGTH SHA256      the cartridge's next block
 * filemark ORDINAL BARCODE                 the cartridge's next filemark
 * </pre>
 *
 * @param disk the disk writes, no two of them over the same bytes
 * @param tape by barcode, the objects written to each cartridge from its beginning, in order
 */
public record PowerCutExpectations(List<DiskWrite> disk, Map<String, List<TapeObject>> tape) {
    public PowerCutExpectations {
        disk = List.copyOf(disk);
        Map<String, List<TapeObject>> copy = new LinkedHashMap<>();
        tape.forEach((barcode, objects) -> {
            for (int i = 1; i < objects.size(); i++) {
                if (objects.get(i).ordinal() < objects.get(i - 1).ordinal()) {
                    throw new IllegalArgumentException(barcode + ": object " + i + " is durable before the one ahead");
                }
            }
            copy.put(barcode, List.copyOf(objects));
        });
        tape = Map.copyOf(copy);
    }

    /** Bytes written to the disk with the given SHA-256, durable from mark {@code ordinal} on. */
    public record DiskWrite(int ordinal, long offset, int length, byte[] sha256) {
        public DiskWrite {
            if (ordinal < 1 || offset < 0 || length <= 0 || sha256.length != 32) {
                throw new IllegalArgumentException("disk write " + ordinal + " " + offset + " " + length);
            }
        }
    }

    /** A block (of {@code length} bytes with the given SHA-256) or a filemark, durable from mark {@code ordinal} on. */
    public record TapeObject(int ordinal, boolean filemark, int length, byte[] sha256) {
        public TapeObject {
            if (ordinal < 1 || (filemark ? length != 0 || sha256 != null : length <= 0 || sha256.length != 32)) {
                throw new IllegalArgumentException("tape object " + ordinal + " " + filemark + " " + length);
            }
        }

        @Override
        public String toString() {
            return filemark ? "a filemark" : "a block of " + length + " bytes";
        }
    }

    public static PowerCutExpectations load(Path file) throws IOException {
        List<DiskWrite> disk = new ArrayList<>();
        Map<String, List<TapeObject>> tape = new LinkedHashMap<>();
        HexFormat hex = HexFormat.of();
        int n = 0;
        for (String line : Files.readAllLines(file)) {
            n++;
            String[] f = line.trim().split("\\s+");
            try {
                switch (f[0]) {
                    case "disk" -> {
                        need(f, 5);
                        disk.add(new DiskWrite(Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                                hex.parseHex(f[4])));
                    }
                    case "block" -> {
                        need(f, 5);
                        tape.computeIfAbsent(f[2], b -> new ArrayList<>()).add(new TapeObject(Integer.parseInt(f[1]),
                                false, Integer.parseInt(f[3]), hex.parseHex(f[4])));
                    }
                    case "filemark" -> {
                        need(f, 3);
                        tape.computeIfAbsent(f[2], b -> new ArrayList<>())
                                .add(new TapeObject(Integer.parseInt(f[1]), true, 0, null));
                    }
                    case "" -> {
                    }
                    default -> throw new IllegalArgumentException("unknown kind '" + f[0] + "'");
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + n + ": " + e.getMessage(), e);
            }
        }
        return new PowerCutExpectations(disk, tape);
    }

    private static void need(String[] fields, int count) {
        if (fields.length != count) {
            throw new IllegalArgumentException(count + " fields expected, not " + fields.length);
        }
    }
}
