package org.lunforge.device.tape;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.lunforge.backstore.tape.TapeFormat;
import org.lunforge.scsi.BigEndian;

/** REPORT DENSITY SUPPORT parameter data (SSC-4 6.? and 8.? density support and medium type descriptors). */
final class DensitySupport {
    private static final int DENSITY_DESCRIPTOR = 52;
    private static final int MEDIUM_TYPE_DESCRIPTOR = 56;

    private DensitySupport() {
    }

    /**
     * Density support data: a 4-byte header (AVAILABLE DENSITY SUPPORT LENGTH), then one 52-byte descriptor per
     * density: PRIMARY and SECONDARY DENSITY CODE, WRTOK (the drive writes it), DUP (0), DEFLT (the drive's native
     * density), BITS PER MM, MEDIA WIDTH, TRACKS, CAPACITY (MB), ASSIGNING ORGANIZATION, DENSITY NAME, DESCRIPTION.
     */
    static byte[] densities(TapeDriveModel model, List<TapeFormat> formats) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (TapeFormat f : formats) {
            byte[] d = new byte[DENSITY_DESCRIPTOR];
            d[0] = (byte) f.densityCode();
            d[1] = (byte) f.densityCode();
            d[2] = (byte) ((model.canWrite(f) ? 0x80 : 0) | (f == model.nativeFormat() ? 0x20 : 0));
            BigEndian.put24(d, 5, f.bitsPerMm());
            BigEndian.put16(d, 8, TapeFormat.MEDIA_WIDTH);
            BigEndian.put16(d, 10, f.tracks());
            BigEndian.put32(d, 12, f.nativeCapacity() / 1_000_000);
            ascii(d, 16, 8, TapeFormat.ASSIGNING_ORGANIZATION);
            ascii(d, 24, 8, f.densityName());
            ascii(d, 32, 20, f.description());
            out.writeBytes(d);
        }
        return withHeader(out.toByteArray());
    }

    /**
     * Medium type data (MEDIUM TYPE set): one 56-byte descriptor per medium type the drive reads: MEDIUM TYPE (00h
     * data, 80h WORM), DESCRIPTOR LENGTH 52, the densities it holds, MEDIA WIDTH, MEDIUM LENGTH (m), ASSIGNING
     * ORGANIZATION, MEDIUM TYPE NAME, DESCRIPTION.
     */
    static byte[] mediumTypes(List<TapeFormat> formats) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (TapeFormat f : formats) {
            for (boolean worm : f.hasWorm() ? new boolean[] {false, true} : new boolean[] {false}) {
                byte[] d = new byte[MEDIUM_TYPE_DESCRIPTOR];
                d[0] = (byte) (worm ? 0x80 : 0x00);
                BigEndian.put16(d, 2, MEDIUM_TYPE_DESCRIPTOR - 4);
                d[4] = 1;
                d[5] = (byte) f.densityCode();
                BigEndian.put16(d, 14, TapeFormat.MEDIA_WIDTH);
                BigEndian.put16(d, 16, f.lengthMetres());
                ascii(d, 20, 8, TapeFormat.ASSIGNING_ORGANIZATION);
                ascii(d, 28, 8, "LTO-" + (f == TapeFormat.LTO7_TYPE_M ? "M8" : String.valueOf(f.generation()))
                        + (worm ? "W" : ""));
                ascii(d, 36, 20, f.description() + (worm ? " WORM" : ""));
                out.writeBytes(d);
            }
        }
        return withHeader(out.toByteArray());
    }

    private static byte[] withHeader(byte[] body) {
        byte[] d = new byte[4 + body.length];
        BigEndian.put16(d, 0, d.length - 2);
        System.arraycopy(body, 0, d, 4, body.length);
        return d;
    }

    static List<TapeFormat> only(TapeFormat f) {
        List<TapeFormat> l = new ArrayList<>();
        l.add(f);
        return l;
    }

    private static void ascii(byte[] b, int offset, int width, String s) {
        byte[] a = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            b[offset + i] = i < a.length ? a[i] : (byte) ' ';
        }
    }
}
