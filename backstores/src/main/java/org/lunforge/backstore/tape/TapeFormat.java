package org.lunforge.backstore.tape;

/**
 * The LTO formats a cartridge can be written in: the density code a drive reports for it (SSC-4 8.3.3 block
 * descriptor, REPORT DENSITY SUPPORT 6.x), its native capacity, and the figures REPORT DENSITY SUPPORT and the medium
 * auxiliary memory describe it with. Native capacities are the LTO consortium's decimal figures (1 TB = 10^12 bytes);
 * tracks, bits per mm and tape lengths are the published ones, rounded.
 *
 * @param densityCode PRIMARY DENSITY CODE (and the block descriptor's DENSITY CODE)
 * @param nativeCapacity uncompressed capacity in bytes
 * @param generation the LTO generation number (Type M counts as 8: only LTO-8 drives use it); which drive reads and
 *     writes which format is the drive model's rule
 * @param dataSuffix the barcode suffix of a data cartridge ("L8"); {@code wormSuffix} that of a WORM one, or null
 */
public enum TapeFormat {
    LTO5(0x58, 1_500_000_000_000L, 5, 15142, 1280, 846, "L5", "LV", "U-516", "LTO-5 (Ultrium 5)"),
    LTO6(0x5A, 2_500_000_000_000L, 6, 15143, 2176, 846, "L6", "LW", "U-616", "LTO-6 (Ultrium 6)"),
    LTO7(0x5C, 6_000_000_000_000L, 7, 19094, 3584, 960, "L7", "LX", "U-732", "LTO-7 (Ultrium 7)"),
    LTO7_TYPE_M(0x5D, 9_000_000_000_000L, 8, 19094, 5376, 960, "M8", null, "U-732M", "LTO-7 Type M (M8)"),
    LTO8(0x5E, 12_000_000_000_000L, 8, 20668, 6656, 960, "L8", "LY", "U-832", "LTO-8 (Ultrium 8)"),
    LTO9(0x60, 18_000_000_000_000L, 9, 23031, 8960, 1035, "L9", "LZ", "U-932", "LTO-9 (Ultrium 9)"),
    /**
     * LTO-10 (media identifier LA, 30 TB native, 1035 m of tape). Density code 62h and 21657 bits per mm as FreeBSD's
     * mt(1) density table has them since March 2026 (taken from IBM's specifications and real drives); the track count
     * is not published in the sources used and is LTO-9's scaled to the capacity. Neither the 40 TB Premium cartridge
     * (density 63h) nor a WORM one is modelled.
     */
    LTO10(0x62, 30_000_000_000_000L, 10, 21657, 11520, 1035, "LA", null, "U-A32", "LTO-10 (Ultrium 10)");

    /** MEDIA WIDTH in tenths of a millimetre: half-inch tape, 12.65 mm. */
    public static final int MEDIA_WIDTH = 127;
    /** ASSIGNING ORGANIZATION of every LTO density (REPORT DENSITY SUPPORT, MAM 0404h). */
    public static final String ASSIGNING_ORGANIZATION = "LTO-CVE";

    private final int densityCode;
    private final long nativeCapacity;
    private final int generation;
    private final int bitsPerMm;
    private final int tracks;
    private final int lengthMetres;
    private final String dataSuffix;
    private final String wormSuffix;
    private final String densityName;
    private final String description;

    TapeFormat(int densityCode, long nativeCapacity, int generation, int bitsPerMm, int tracks, int lengthMetres,
               String dataSuffix, String wormSuffix, String densityName, String description) {
        this.densityCode = densityCode;
        this.nativeCapacity = nativeCapacity;
        this.generation = generation;
        this.bitsPerMm = bitsPerMm;
        this.tracks = tracks;
        this.lengthMetres = lengthMetres;
        this.dataSuffix = dataSuffix;
        this.wormSuffix = wormSuffix;
        this.densityName = densityName;
        this.description = description;
    }

    public int densityCode() {
        return densityCode;
    }

    public long nativeCapacity() {
        return nativeCapacity;
    }

    public int generation() {
        return generation;
    }

    public int bitsPerMm() {
        return bitsPerMm;
    }

    public int tracks() {
        return tracks;
    }

    public int lengthMetres() {
        return lengthMetres;
    }

    public String dataSuffix() {
        return dataSuffix;
    }

    /** The WORM barcode suffix, or null if the format has no WORM cartridge. */
    public String wormSuffix() {
        return wormSuffix;
    }

    public boolean hasWorm() {
        return wormSuffix != null;
    }

    public String densityName() {
        return densityName;
    }

    public String description() {
        return description;
    }

    /** The format whose density code this is, or null. */
    public static TapeFormat ofDensityCode(int code) {
        for (TapeFormat f : values()) {
            if (f.densityCode == code) {
                return f;
            }
        }
        return null;
    }

    /** The format whose data or WORM media identifier this is ("L8" and "LY" are LTO-8), or null. */
    public static TapeFormat ofMediaIdentifier(String mediaIdentifier) {
        for (TapeFormat f : values()) {
            if (mediaIdentifier.equals(f.dataSuffix) || mediaIdentifier.equals(f.wormSuffix)) {
                return f;
            }
        }
        return null;
    }
}
