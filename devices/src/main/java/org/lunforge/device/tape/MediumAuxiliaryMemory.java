package org.lunforge.device.tape;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lunforge.backstore.tape.Cartridge;
import org.lunforge.backstore.tape.CartridgeAttributes;
import org.lunforge.backstore.tape.CartridgeAttributes.Attribute;
import org.lunforge.backstore.tape.TapeFormat;
import org.lunforge.backstore.tape.TapeMedium;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.SenseCode;

/**
 * READ ATTRIBUTE and WRITE ATTRIBUTE (SPC-4 6.16, 6.46, 7.4) over the loaded cartridge's medium auxiliary memory.
 * Device type attributes (0000h..03FFh) are computed from the medium and the drive; medium type attributes
 * (0400h..07FFh) come from the cartridge header; both are read only. Host type attributes (0800h..0BFFh) are what
 * applications wrote, BARCODE (0806h) pre-set to the cartridge's barcode; WRITE ATTRIBUTE may set and clear them.
 */
final class MediumAuxiliaryMemory {
    /** The longest value WRITE ATTRIBUTE accepts for the standard host type attributes (SPC-4 table 7.4.2.4). */
    private static final Map<Integer, Integer> HOST_LENGTHS = Map.ofEntries(
            Map.entry(0x0800, 8), Map.entry(0x0801, 32), Map.entry(0x0802, 8), Map.entry(0x0803, 160),
            Map.entry(0x0804, 12), Map.entry(0x0805, 1), Map.entry(0x0806, 32), Map.entry(0x0807, 80),
            Map.entry(0x0808, 160), Map.entry(0x080B, 16), Map.entry(0x080C, 0xFFFF), Map.entry(0x0820, 36),
            Map.entry(0x0821, 36));
    private static final int READ_ONLY = 0x80;
    private static final long MIB = 1L << 20;

    private MediumAuxiliaryMemory() {
    }

    /** One attribute as READ ATTRIBUTE returns it. */
    record Value(int id, boolean readOnly, int format, byte[] value) {
        byte[] encode() {
            byte[] b = new byte[5 + value.length];
            BigEndian.put16(b, 0, id);
            b[2] = (byte) ((readOnly ? READ_ONLY : 0) | format);
            BigEndian.put16(b, 3, value.length);
            System.arraycopy(value, 0, b, 5, value.length);
            return b;
        }
    }

    /** Every attribute of the loaded cartridge, ascending by identifier. */
    static List<Value> attributes(TapeMedium medium, TapeDriveModel model, String driveSerial, long tapeAlerts) {
        Cartridge c = medium.cartridge();
        CartridgeAttributes a = c.attributes();
        TapeFormat f = c.format();
        TreeMap<Integer, Value> v = new TreeMap<>();
        long remaining = Math.max(0, medium.capacity() - medium.used());
        bin(v, 0x0000, remaining / MIB, 8); // REMAINING CAPACITY IN PARTITION (MiB)
        bin(v, 0x0001, medium.capacity() / MIB, 8); // MAXIMUM CAPACITY IN PARTITION
        bin(v, 0x0002, tapeAlerts, 8); // TAPEALERT FLAGS
        bin(v, 0x0003, a.loadCount(), 8); // LOAD COUNT
        bin(v, 0x0004, CartridgeAttributes.HOST_SPACE - a.hostSpaceUsed(), 8); // MAM SPACE REMAINING
        ascii(v, 0x0005, TapeFormat.ASSIGNING_ORGANIZATION, 8); // ASSIGNING ORGANIZATION
        bin(v, 0x0006, f.densityCode(), 1); // FORMATTED DENSITY CODE
        bin(v, 0x0007, 0, 2); // INITIALIZATION COUNT
        ascii(v, 0x0008, c.barcode(), 32); // VOLUME IDENTIFIER
        List<String> ring = a.loadedBy();
        for (int i = 0; i < 4; i++) {
            ascii(v, 0x020A + i, ring.get(i), 40); // DEVICE VENDOR/SERIAL NUMBER AT LAST LOAD .. LOAD-3
        }
        long writtenNow = medium.bytesAppended();
        long readNow = medium.bytesRead();
        bin(v, 0x0220, (a.bytesWrittenInLife() + writtenNow) / MIB, 8);
        bin(v, 0x0221, (a.bytesReadInLife() + readNow) / MIB, 8);
        bin(v, 0x0222, writtenNow / MIB, 8);
        bin(v, 0x0223, readNow / MIB, 8);
        ascii(v, 0x0400, c.spec().manufacturer(), 8); // MEDIUM MANUFACTURER
        ascii(v, 0x0401, c.spec().mediumSerialNumber(), 32); // MEDIUM SERIAL NUMBER
        bin(v, 0x0402, f.lengthMetres(), 4); // MEDIUM LENGTH
        bin(v, 0x0403, TapeFormat.MEDIA_WIDTH, 4); // MEDIUM WIDTH
        ascii(v, 0x0404, TapeFormat.ASSIGNING_ORGANIZATION, 8);
        bin(v, 0x0405, f.densityCode(), 1); // MEDIUM DENSITY CODE
        ascii(v, 0x0406, c.spec().manufactureDate().format(DateTimeFormatter.BASIC_ISO_DATE), 8);
        bin(v, 0x0407, CartridgeAttributes.HOST_SPACE, 8); // MAM CAPACITY
        bin(v, 0x0408, c.worm() ? 0x80 : 0x00, 1); // MEDIUM TYPE: 00h data, 80h WORM
        bin(v, 0x0409, 0, 2); // MEDIUM TYPE INFORMATION
        for (Attribute h : a.hostAttributes()) {
            v.put(h.id(), new Value(h.id(), false, h.format(), h.value()));
        }
        return new ArrayList<>(v.values());
    }

    private static void bin(Map<Integer, Value> v, int id, long value, int width) {
        byte[] b = new byte[width];
        for (int i = width - 1; i >= 0; i--) {
            b[i] = (byte) value;
            value >>>= 8;
        }
        v.put(id, new Value(id, true, Attribute.BINARY, b));
    }

    private static void ascii(Map<Integer, Value> v, int id, String s, int width) {
        byte[] b = new byte[width];
        byte[] a = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            b[i] = i < a.length ? a[i] : (byte) ' ';
        }
        v.put(id, new Value(id, true, Attribute.ASCII, b));
    }

    /** READ ATTRIBUTE parameter data for the service action. */
    static byte[] read(TapeCommand.ReadAttribute r, List<Value> all) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        switch (r.serviceAction()) {
            case ATTRIBUTE_VALUES -> {
                if (all.stream().noneMatch(x -> x.id() == r.firstAttribute())) {
                    throw CheckCondition.invalidFieldInCdb(8, 7); // no attribute with this identifier
                }
                all.stream().filter(x -> x.id() >= r.firstAttribute()).forEach(x -> body.writeBytes(x.encode()));
            }
            case ATTRIBUTE_LIST, SUPPORTED_ATTRIBUTES -> all.stream().filter(x -> x.id() >= r.firstAttribute())
                    .forEach(x -> body.writeBytes(new byte[] {(byte) (x.id() >> 8), (byte) x.id()}));
            case LOGICAL_VOLUME_LIST, PARTITION_LIST -> {
                // FIRST and NUMBER OF logical volumes or partitions available: one, number 0.
                return new byte[] {0, 2, 0, 1};
            }
        }
        byte[] d = new byte[4 + body.size()];
        BigEndian.put32(d, 0, body.size());
        System.arraycopy(body.toByteArray(), 0, d, 4, body.size());
        return d;
    }

    /**
     * WRITE ATTRIBUTE: validates the whole list first (SPC-4 6.46: nothing is written if any attribute is refused),
     * then stores it durably. Refused with INVALID FIELD IN PARAMETER LIST, pointing at the attribute: a device or
     * medium type (read only) identifier, an unknown or vendor identifier, a value longer than the attribute's, or
     * more than the MAM holds.
     */
    static void write(Cartridge c, byte[] list) throws IOException {
        if (list.length < 4) {
            if (list.length == 0) {
                return;
            }
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        long declared = BigEndian.u32(list, 0);
        int end = (int) Math.min(list.length, 4 + declared);
        List<Attribute> values = new ArrayList<>();
        int p = 4;
        int space = c.attributes().hostSpaceUsed();
        while (p < end) {
            if (end - p < 5 || p + 5 + BigEndian.u16(list, p + 3) > end) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            int id = BigEndian.u16(list, p);
            int format = list[p + 2] & 0x03;
            int length = BigEndian.u16(list, p + 3);
            Integer max = HOST_LENGTHS.get(id);
            if (id < CartridgeAttributes.FIRST_HOST_ATTRIBUTE || id > CartridgeAttributes.LAST_HOST_ATTRIBUTE
                    || max == null) {
                throw CheckCondition.invalidFieldInParameterList(p, -1); // read only, or not one we keep
            }
            if (length > max || format == 3) {
                throw CheckCondition.invalidFieldInParameterList(length > max ? p + 3 : p + 2, -1);
            }
            byte[] value = new byte[length];
            System.arraycopy(list, p + 5, value, 0, length);
            space += 5 + length;
            if (space > CartridgeAttributes.HOST_SPACE) {
                throw CheckCondition.invalidFieldInParameterList(p, -1);
            }
            values.add(new Attribute(id, format, value));
            p += 5 + length;
        }
        c.putHostAttributes(values);
    }
}
