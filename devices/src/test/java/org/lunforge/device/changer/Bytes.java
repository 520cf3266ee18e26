package org.lunforge.device.changer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Expected parameter data, written as hex bytes and ASCII fields. */
final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Bytes of(String hex) {
        return new Bytes().hex(hex);
    }

    Bytes hex(String hex) {
        out.writeBytes(HexFormat.of().parseHex(hex.replace(" ", "")));
        return this;
    }

    /** ASCII, space padded to the width. */
    Bytes ascii(String s, int width) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            out.write(i < b.length ? b[i] : ' ');
        }
        return this;
    }

    Bytes zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    /** A primary volume tag: the barcode space padded to 32 bytes, then reserved and sequence number zero. */
    Bytes volumeTag(String barcode) {
        return ascii(barcode, 32).zeros(4);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
