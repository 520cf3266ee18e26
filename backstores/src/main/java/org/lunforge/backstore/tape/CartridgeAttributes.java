package org.lunforge.backstore.tape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.lunforge.backstore.AtomicFileReplacement;

/**
 * What a cartridge's medium auxiliary memory keeps between loads (SPC-4 7.4): the host type attributes applications
 * write with WRITE ATTRIBUTE, the load count, lifetime byte counters and the last four drives that loaded it, plus the
 * cartridge's write-protect tab. The drive computes the device type attributes it reports from these and the
 * medium; the medium type attributes come from the cartridge header.
 *
 * <p>Kept in {@code <barcode>.mam}, replaced whole and atomically ({@link AtomicFileReplacement}) on every change.
 * Format: magic "LFMAM001", flags (bit 0 write protected), load count, four lifetime/last-load counters, four device
 * strings, then the host attributes as (id u16, format u8, length u16, value), then a CRC32C of all that precedes it.
 * Decoding checks every count and length against the bytes that remain before it allocates.
 *
 * <p>Thread-safety: all methods synchronize on this object.
 */
public final class CartridgeAttributes {
    private static final byte[] MAGIC = "LFMAM001".getBytes(StandardCharsets.US_ASCII);
    /** Host type attribute identifiers (SPC-4 7.4.2.4): 0800h..0BFFh. */
    public static final int FIRST_HOST_ATTRIBUTE = 0x0800;
    public static final int LAST_HOST_ATTRIBUTE = 0x0BFF;
    /** BARCODE (SPC-4 7.4.2.4.7), 32 ASCII characters. */
    public static final int BARCODE = 0x0806;
    /** The MAM capacity we report; host attributes may use at most this many bytes (MAM SPACE REMAINING). */
    public static final int HOST_SPACE = 16 * 1024;
    /** The longest attribute file: the fixed fields, host attributes filling {@link #HOST_SPACE}, the CRC. */
    static final int MAX_ENCODED_LENGTH = MAGIC.length + 1 + 5 * 8 + 4 * 42 + 4 + HOST_SPACE + 4;

    /** One attribute value: FORMAT 00b binary, 01b ASCII, 10b text (SPC-4 7.4.1). */
    public record Attribute(int id, int format, byte[] value) {
        public static final int BINARY = 0;
        public static final int ASCII = 1;
        public static final int TEXT = 2;

        public Attribute {
            Objects.requireNonNull(value, "value");
            if (id < 0 || id > 0xFFFF || format < 0 || format > 2 || value.length > 0xFFFF) {
                throw new IllegalArgumentException("attribute 0x%04x".formatted(id));
            }
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        int encodedLength() {
            return 5 + value.length;
        }
    }

    private final Map<Integer, Attribute> hostAttributes = new TreeMap<>();
    private boolean writeProtected;
    private long loadCount;
    private long bytesWrittenInLife;
    private long bytesReadInLife;
    private long bytesWrittenInLastLoad;
    private long bytesReadInLastLoad;
    /** DEVICE VENDOR/SERIAL NUMBER AT LAST LOAD, LOAD-1, LOAD-2, LOAD-3 (MAM 020Ah..020Dh); "" when none. */
    private final String[] loadedBy = {"", "", "", ""};

    /** A new cartridge's attributes: BARCODE holds its barcode, as a labelled cartridge's MAM does after a library
     * scan. */
    static CartridgeAttributes initial(String barcode) {
        CartridgeAttributes a = new CartridgeAttributes();
        a.hostAttributes.put(BARCODE, new Attribute(BARCODE, Attribute.ASCII, pad(barcode, 32)));
        return a;
    }

    public synchronized boolean writeProtected() {
        return writeProtected;
    }

    synchronized void setWriteProtected(boolean on) {
        writeProtected = on;
    }

    public synchronized long loadCount() {
        return loadCount;
    }

    public synchronized long bytesWrittenInLife() {
        return bytesWrittenInLife;
    }

    public synchronized long bytesReadInLife() {
        return bytesReadInLife;
    }

    public synchronized long bytesWrittenInLastLoad() {
        return bytesWrittenInLastLoad;
    }

    public synchronized long bytesReadInLastLoad() {
        return bytesReadInLastLoad;
    }

    /** The vendor/serial strings of the drives that loaded the cartridge, most recent first (four entries). */
    public synchronized List<String> loadedBy() {
        return List.of(loadedBy);
    }

    /** The host type attributes, ascending by identifier. */
    public synchronized List<Attribute> hostAttributes() {
        return new ArrayList<>(hostAttributes.values());
    }

    public synchronized Attribute hostAttribute(int id) {
        return hostAttributes.get(id);
    }

    /** Bytes the host attributes take, as MAM SPACE REMAINING counts them. */
    public synchronized int hostSpaceUsed() {
        return hostAttributes.values().stream().mapToInt(Attribute::encodedLength).sum();
    }

    /**
     * Sets (or with an empty value removes, SPC-4 6.46) host attributes; all or nothing. Refused if they would take
     * more than {@link #HOST_SPACE} (the drive reports that as MAM space exhausted before it gets here).
     */
    synchronized void putHostAttributes(List<Attribute> attributes) {
        Map<Integer, Attribute> after = new TreeMap<>(hostAttributes);
        for (Attribute a : attributes) {
            if (a.id() < FIRST_HOST_ATTRIBUTE || a.id() > LAST_HOST_ATTRIBUTE) {
                throw new IllegalArgumentException("0x%04x is not a host type attribute".formatted(a.id()));
            }
            if (a.value.length == 0) {
                after.remove(a.id());
            } else {
                after.put(a.id(), a);
            }
        }
        if (after.values().stream().mapToInt(Attribute::encodedLength).sum() > HOST_SPACE) {
            throw new IllegalArgumentException("host attributes beyond the " + HOST_SPACE + " bytes of MAM");
        }
        for (Attribute a : attributes) {
            if (a.value.length == 0) {
                hostAttributes.remove(a.id());
            } else {
                hostAttributes.put(a.id(), a);
            }
        }
    }

    /** A drive loaded the cartridge: LOAD COUNT counts it, the device ring shifts, the last-load counters restart. */
    synchronized void loaded(String deviceVendorSerial) {
        loadCount++;
        System.arraycopy(loadedBy, 0, loadedBy, 1, loadedBy.length - 1);
        loadedBy[0] = deviceVendorSerial;
        bytesWrittenInLastLoad = 0;
        bytesReadInLastLoad = 0;
    }

    synchronized void countTransfer(long written, long read) {
        bytesWrittenInLife += written;
        bytesWrittenInLastLoad += written;
        bytesReadInLife += read;
        bytesReadInLastLoad += read;
    }

    synchronized ByteBuffer encode() {
        int length = MAGIC.length + 1 + 5 * 8 + 4 * 42 + 4;
        for (Attribute a : hostAttributes.values()) {
            length += a.encodedLength();
        }
        length += 4;
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(MAGIC);
        b.put((byte) (writeProtected ? 1 : 0));
        b.putLong(loadCount).putLong(bytesWrittenInLife).putLong(bytesReadInLife).putLong(bytesWrittenInLastLoad)
                .putLong(bytesReadInLastLoad);
        for (String s : loadedBy) {
            b.putShort((short) 0);
            b.put(pad(s, 40));
        }
        b.putInt(hostAttributes.size());
        for (Attribute a : hostAttributes.values()) {
            b.putShort((short) a.id()).put((byte) a.format()).putShort((short) a.value.length).put(a.value);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    static CartridgeAttributes decode(ByteBuffer b, String file) throws IOException {
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, b.limit() - 4);
            if (!Arrays.equals(magic, MAGIC) || (int) crc.getValue() != b.getInt(b.limit() - 4)) {
                throw new IOException(file + ": attribute file damaged");
            }
            CartridgeAttributes a = new CartridgeAttributes();
            a.writeProtected = (b.get() & 1) != 0;
            a.loadCount = b.getLong();
            a.bytesWrittenInLife = b.getLong();
            a.bytesReadInLife = b.getLong();
            a.bytesWrittenInLastLoad = b.getLong();
            a.bytesReadInLastLoad = b.getLong();
            for (int i = 0; i < a.loadedBy.length; i++) {
                b.getShort();
                byte[] s = new byte[40];
                b.get(s);
                a.loadedBy[i] = new String(s, StandardCharsets.US_ASCII).stripTrailing();
            }
            int count = b.getInt();
            if (count < 0 || count > (b.remaining() - 4) / 5) {
                throw new IOException(file + ": attribute file damaged (" + count + " attributes)");
            }
            for (int i = 0; i < count; i++) {
                int id = Short.toUnsignedInt(b.getShort());
                int format = b.get();
                int length = Short.toUnsignedInt(b.getShort());
                if (length > b.remaining() - 4) {
                    throw new IOException(file + ": attribute file damaged (attribute 0x%04x)".formatted(id));
                }
                byte[] value = new byte[length];
                b.get(value);
                a.hostAttributes.put(id, new Attribute(id, format, value));
            }
            return a;
        } catch (RuntimeException e) {
            throw new IOException(file + ": attribute file damaged", e);
        }
    }

    /** ASCII padded with spaces to {@code width} (SPC-4 7.4.1: ASCII attributes are left-aligned, space filled). */
    static byte[] pad(String s, int width) {
        byte[] out = new byte[width];
        Arrays.fill(out, (byte) ' ');
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(ascii, 0, out, 0, Math.min(width, ascii.length));
        return out;
    }
}
