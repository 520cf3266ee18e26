package org.lunforge.backstore.tape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.zip.CRC32C;

/**
 * The first {@link #LENGTH} bytes of a cartridge file: what the cartridge is. Written once, when the cartridge is
 * created (to a temporary file that is synced and then renamed), never changed afterwards, so it needs no crash
 * protection beyond its CRC.
 *
 * <pre>
 * offset  size  field
 *      0     8  magic "LFTAPE01"
 *      8     4  format version (1)
 *     12     4  header length (4096)
 *     16    32  barcode, ASCII, space padded
 *     48     1  density code (TapeFormat); 0 for a cleaning cartridge
 *     49     1  flags: bit 0 WORM, bit 1 cleaning cartridge (no format, capacity 0)
 *     56     8  capacity in bytes
 *     64     8  early-warning zone in bytes
 *     72     8  creation time, ms since the epoch
 *     80    32  medium serial number, ASCII, space padded
 *    112     8  medium manufacturer, ASCII, space padded
 *    120     8  manufacture date YYYYMMDD
 *   4092     4  CRC32C of bytes 0..4091
 * </pre>
 */
record CartridgeHeader(CartridgeSpec spec, long createdMillis) {
    static final int LENGTH = 4096;
    static final int VERSION = 1;
    private static final byte[] MAGIC = "LFTAPE01".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter DATE = DateTimeFormatter.BASIC_ISO_DATE;

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.put(0, MAGIC);
        b.putInt(8, VERSION);
        b.putInt(12, LENGTH);
        putAscii(b, 16, 32, spec.barcode());
        b.put(48, (byte) (spec.cleaning() ? 0 : spec.format().densityCode()));
        b.put(49, (byte) ((spec.worm() ? 1 : 0) | (spec.cleaning() ? 2 : 0)));
        b.putLong(56, spec.capacity());
        b.putLong(64, spec.earlyWarningZone());
        b.putLong(72, createdMillis);
        putAscii(b, 80, 32, spec.mediumSerialNumber());
        putAscii(b, 112, 8, spec.manufacturer());
        putAscii(b, 120, 8, spec.manufactureDate().format(DATE));
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, LENGTH - 4);
        b.putInt(LENGTH - 4, (int) crc.getValue());
        return b;
    }

    static CartridgeHeader decode(ByteBuffer b, String file) throws IOException {
        if (b.limit() < LENGTH) {
            throw new IOException(file + ": short cartridge header");
        }
        byte[] magic = new byte[MAGIC.length];
        b.get(0, magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + ": not a lunforge cartridge");
        }
        byte[] all = new byte[LENGTH];
        b.get(0, all);
        CRC32C crc = new CRC32C();
        crc.update(all, 0, LENGTH - 4);
        if ((int) crc.getValue() != b.getInt(LENGTH - 4)) {
            throw new IOException(file + ": cartridge header CRC mismatch");
        }
        if (b.getInt(8) != VERSION || b.getInt(12) != LENGTH) {
            throw new IOException(file + ": cartridge format version " + b.getInt(8) + " not supported");
        }
        boolean cleaning = (b.get(49) & 2) != 0;
        TapeFormat format = TapeFormat.ofDensityCode(b.get(48) & 0xFF);
        if (format == null && !cleaning) {
            throw new IOException(file + ": unknown density code " + (b.get(48) & 0xFF));
        }
        try {
            CartridgeSpec spec = new CartridgeSpec(ascii(b, 16, 32), format, (b.get(49) & 1) != 0, b.getLong(56),
                    b.getLong(64), ascii(b, 112, 8), ascii(b, 80, 32), LocalDate.parse(ascii(b, 120, 8), DATE));
            return new CartridgeHeader(spec, b.getLong(72));
        } catch (RuntimeException e) {
            throw new IOException(file + ": bad cartridge header: " + e.getMessage(), e);
        }
    }

    private static void putAscii(ByteBuffer b, int offset, int width, String s) {
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            b.put(offset + i, i < ascii.length ? ascii[i] : (byte) ' ');
        }
    }

    private static String ascii(ByteBuffer b, int offset, int width) {
        byte[] bytes = new byte[width];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.US_ASCII).stripTrailing();
    }
}
