package org.lunforge.device.changer;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How a data transfer element names its drive in READ ELEMENT STATUS with DVCID set (SMC-3, READ ELEMENT STATUS, data
 * transfer element descriptor): a T10 vendor ID based identifier (designator type 1, ASCII), the drive's VENDOR
 * IDENTIFICATION (8 bytes), PRODUCT IDENTIFICATION (16 bytes) and PRODUCT SERIAL NUMBER, exactly what the drive's own
 * standard INQUIRY data and VPD page 0x80 report. That equality is how backup software pairs a changer's drive element
 * with a tape device node.
 *
 * @param vendor at most 8 printable ASCII characters, space padded in the identifier
 * @param product at most 16 printable ASCII characters, space padded
 * @param serialNumber printable ASCII, as the drive's unit serial number VPD page reports it
 */
public record DeviceIdentification(String vendor, String product, String serialNumber) {
    public DeviceIdentification {
        requireAscii(vendor, 8, "vendor");
        requireAscii(product, 16, "product");
        requireAscii(serialNumber, 200, "serial number");
    }

    /** The identifier's bytes: vendor, product, serial number, with the serial space padded to {@code serialWidth}. */
    byte[] t10VendorIdentifier(int serialWidth) {
        byte[] b = new byte[8 + 16 + Math.max(serialWidth, serialNumber.length())];
        put(b, 0, 8, vendor);
        put(b, 8, 16, product);
        put(b, 24, b.length - 24, serialNumber);
        return b;
    }

    private static void put(byte[] b, int offset, int width, String s) {
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            b[offset + i] = i < ascii.length ? ascii[i] : (byte) ' ';
        }
    }

    private static void requireAscii(String s, int max, String what) {
        Objects.requireNonNull(s, what);
        if (s.length() > max || s.chars().anyMatch(c -> c < 0x20 || c > 0x7E)) {
            throw new IllegalArgumentException(what + " must be at most " + max + " printable ASCII characters: " + s);
        }
    }
}
