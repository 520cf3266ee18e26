package org.lunforge.device.tape;

import java.util.List;
import org.lunforge.backstore.tape.TapeFormat;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.ModePageDefinition;
import org.lunforge.scsi.SenseCode;

/**
 * The SSC-4 mode pages of the drive (clause 8.3), beside the shared control (0Ah) and informational exceptions (1Ch)
 * pages. The logical unit keeps current and saved values; the drive reads the fields it acts on from
 * {@link TapeDrive#modePageChanged}.
 */
final class TapeModePages {
    static final int DATA_COMPRESSION = 0x0F;
    static final int DEVICE_CONFIGURATION = 0x10;
    static final int MEDIUM_PARTITION = 0x11;

    /** Data compression page byte 2: DCE (bit 7) enables compression, DCC (bit 6) says it can be changed. */
    static final int DCE = 0x80;
    /** COMPRESSION ALGORITHM value 1: the drive's default algorithm (here LZ4); 0 is none. */
    static final int DEFAULT_ALGORITHM = 1;

    private TapeModePages() {
    }

    /**
     * SSC-4 8.3.2 data compression page. Defaults: DCE and DCC set, DDE set (decompression always on: blocks written
     * compressed read back transparently), both algorithms 1. Changeable: DCE and COMPRESSION ALGORITHM (0 or 1).
     */
    static ModePageDefinition dataCompression() {
        byte[] d = new byte[16];
        d[0] = DATA_COMPRESSION;
        d[1] = 14;
        d[2] = (byte) 0xC0; // DCE, DCC
        d[3] = (byte) 0x80; // DDE
        BigEndian.put32(d, 4, DEFAULT_ALGORITHM);
        BigEndian.put32(d, 8, DEFAULT_ALGORITHM);
        byte[] c = new byte[16];
        c[2] = (byte) DCE;
        for (int i = 4; i < 8; i++) {
            c[i] = (byte) 0xFF;
        }
        return new ModePageDefinition(DATA_COMPRESSION, 0, d, c, true);
    }

    /**
     * SSC-4 8.3.3 device configuration page. Defaults: LOIS (logical object identifiers are what READ POSITION and
     * LOCATE use), EEG and SEW (early warning is reported, and buffered data is written out at it), SELECT DATA
     * COMPRESSION ALGORITHM 1. Changeable: WRITE DELAY TIME and SELECT DATA COMPRESSION ALGORITHM (0 or 1); the drive
     * compresses only while both this and the data compression page's DCE say so.
     */
    static ModePageDefinition deviceConfiguration() {
        byte[] d = new byte[16];
        d[0] = DEVICE_CONFIGURATION;
        d[1] = 14;
        d[8] = 0x40; // LOIS
        d[10] = 0x18; // EEG, SEW
        d[14] = 1; // SELECT DATA COMPRESSION ALGORITHM
        byte[] c = new byte[16];
        c[6] = (byte) 0xFF; // WRITE DELAY TIME
        c[7] = (byte) 0xFF;
        c[14] = (byte) 0xFF;
        return new ModePageDefinition(DEVICE_CONFIGURATION, 0, d, c, true);
    }

    /**
     * SSC-4 8.3.4 medium partition page: one partition (MAXIMUM ADDITIONAL PARTITIONS 0), PSUM 11b with PARTITION UNITS
     * 9 (10^9 bytes), the partition's size, MEDIUM FORMAT RECOGNITION 03h. Nothing is changeable: partitioning is not
     * supported.
     */
    static ModePageDefinition mediumPartition(TapeFormat nativeFormat) {
        byte[] d = new byte[10];
        d[0] = MEDIUM_PARTITION;
        d[1] = 8;
        d[4] = 0x18; // PSUM 11b
        d[5] = 0x03; // format and partition recognition
        d[6] = 9; // PARTITION UNITS: 10^9 bytes
        BigEndian.put16(d, 8, (int) Math.min(0xFFFF, nativeFormat.nativeCapacity() / 1_000_000_000L));
        return new ModePageDefinition(MEDIUM_PARTITION, 0, d, new byte[10], false);
    }

    static List<ModePageDefinition> all(TapeFormat nativeFormat) {
        return List.of(dataCompression(), deviceConfiguration(), mediumPartition(nativeFormat));
    }

    /** DCE of a data compression page; refuses an algorithm the drive does not have. */
    static boolean compressionEnabled(byte[] page) {
        long algorithm = BigEndian.u32(page, 4);
        if (algorithm > DEFAULT_ALGORITHM) {
            throw new CheckCondition(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST); // the page's offset is not known here
        }
        return (page[2] & DCE) != 0 && algorithm != 0;
    }

    /** SELECT DATA COMPRESSION ALGORITHM of a device configuration page, 0 or 1. */
    static boolean compressionSelected(byte[] page) {
        int select = page[14] & 0xFF;
        if (select > 1) {
            throw new CheckCondition(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        }
        return select != 0;
    }
}
