package org.lunforge.device.tape;

import java.util.ArrayList;
import java.util.List;
import org.lunforge.backstore.tape.TapeFormat;

/**
 * Which real LTO drive the emulation identifies as: INQUIRY's vendor, product and revision, and the LTO generation
 * that decides which cartridges it reads and writes, by the LTO compatibility rules: LTO-5..7 drives read and write
 * their own generation and the one before and read two back (an LTO-7 drive reads LTO-5 cartridges only); LTO-8 and
 * LTO-9 drives read and write their own generation and the one before (LTO-8: L7 and L8, LTO-9: L8 and L9); Type M
 * (M8, an LTO-7 cartridge initialized to 9 TB) is read and written by LTO-8 drives only; an LTO-10 drive reads and
 * writes LTO-10 cartridges only. A format the drive reads but does not write is write protected for it.
 *
 * @param vendor T10 VENDOR IDENTIFICATION, e.g. "IBM" or "HP"
 * @param product PRODUCT IDENTIFICATION as the real drive reports it, which backup software matches on
 */
public record TapeDriveModel(String vendor, String product, String revision, TapeFormat nativeFormat) {
    public static final TapeDriveModel IBM_LTO5 = new TapeDriveModel("IBM", "ULT3580-TD5", "H6T1", TapeFormat.LTO5);
    public static final TapeDriveModel IBM_LTO6 = new TapeDriveModel("IBM", "ULT3580-TD6", "J451", TapeFormat.LTO6);
    public static final TapeDriveModel IBM_LTO7 = new TapeDriveModel("IBM", "ULT3580-TD7", "K4R1", TapeFormat.LTO7);
    public static final TapeDriveModel IBM_LTO8 = new TapeDriveModel("IBM", "ULT3580-TD8", "N9M1", TapeFormat.LTO8);
    public static final TapeDriveModel IBM_LTO9 = new TapeDriveModel("IBM", "ULT3580-TD9", "Q3F1", TapeFormat.LTO9);
    /** IBM's LTO-10 full-height drive; its INQUIRY product is ULT3580-TDA ("A" for ten). */
    public static final TapeDriveModel IBM_LTO10 = new TapeDriveModel("IBM", "ULT3580-TDA", "S57A", TapeFormat.LTO10);
    public static final TapeDriveModel HP_LTO5 = new TapeDriveModel("HP", "Ultrium 5-SCSI", "Z6IB", TapeFormat.LTO5);
    public static final TapeDriveModel HP_LTO6 = new TapeDriveModel("HP", "Ultrium 6-SCSI", "J5SW", TapeFormat.LTO6);
    public static final TapeDriveModel HP_LTO7 = new TapeDriveModel("HP", "Ultrium 7-SCSI", "S41W", TapeFormat.LTO7);
    public static final TapeDriveModel HP_LTO8 = new TapeDriveModel("HP", "Ultrium 8-SCSI", "T15W", TapeFormat.LTO8);
    public static final TapeDriveModel HP_LTO9 = new TapeDriveModel("HP", "Ultrium 9-SCSI", "U12W", TapeFormat.LTO9);

    public TapeDriveModel {
        if (vendor.length() > 8 || product.length() > 16 || revision.length() > 4) {
            throw new IllegalArgumentException("vendor/product/revision too long");
        }
        if (nativeFormat == TapeFormat.LTO7_TYPE_M) {
            throw new IllegalArgumentException("no drive has Type M as its native format");
        }
    }

    /** The preset with this name ("IBM_LTO8", "HP_LTO9"), for configuration files. */
    public static TapeDriveModel named(String name) {
        return switch (name) {
            case "IBM_LTO5" -> IBM_LTO5;
            case "IBM_LTO6" -> IBM_LTO6;
            case "IBM_LTO7" -> IBM_LTO7;
            case "IBM_LTO8" -> IBM_LTO8;
            case "IBM_LTO9" -> IBM_LTO9;
            case "IBM_LTO10" -> IBM_LTO10;
            case "HP_LTO5" -> HP_LTO5;
            case "HP_LTO6" -> HP_LTO6;
            case "HP_LTO7" -> HP_LTO7;
            case "HP_LTO8" -> HP_LTO8;
            case "HP_LTO9" -> HP_LTO9;
            default -> throw new IllegalArgumentException("unknown drive model " + name);
        };
    }

    public int generation() {
        return nativeFormat.generation();
    }

    public boolean canWrite(TapeFormat f) {
        int g = generation();
        if (f == TapeFormat.LTO7_TYPE_M) {
            return g == 8;
        }
        if (g >= 10) {
            return f.generation() == g;
        }
        return f.generation() == g || f.generation() == g - 1;
    }

    public boolean canRead(TapeFormat f) {
        return canWrite(f) || (generation() <= 7 && f.generation() == generation() - 2
                && f != TapeFormat.LTO7_TYPE_M);
    }

    /** The formats this drive reads, newest first (REPORT DENSITY SUPPORT order). */
    public List<TapeFormat> readableFormats() {
        List<TapeFormat> out = new ArrayList<>();
        for (TapeFormat f : TapeFormat.values()) {
            if (canRead(f)) {
                out.addFirst(f);
            }
        }
        return out;
    }
}
