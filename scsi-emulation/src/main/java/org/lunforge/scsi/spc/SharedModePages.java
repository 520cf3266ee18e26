package org.lunforge.scsi.spc;

import org.lunforge.scsi.ModePageDefinition;
import org.lunforge.scsi.PeripheralDeviceType;

/** The mode pages every device type has; a device may replace either by listing a page with the same code. */
final class SharedModePages {
    static final int CONTROL = 0x0A;
    static final int INFORMATIONAL_EXCEPTIONS_CONTROL = 0x1C;

    /** Control page byte 2 bit 2: descriptor format sense data. */
    static final int D_SENSE_BYTE = 2;
    static final int D_SENSE_MASK = 0x04;
    /** Control page byte 4 bit 3: software write protect. */
    static final int SWP_BYTE = 4;
    static final int SWP_MASK = 0x08;

    private SharedModePages() {
    }

    /**
     * SPC-4 7.5.8 control mode page. Defaults: TST 000b (one task set for all I_T nexuses); GLTSD (we do not save log
     * parameters implicitly); QUEUE ALGORITHM MODIFIER 1 (simple tasks run concurrently, so they may complete out of
     * order); QERR 00b; TAS 0; BUSY TIMEOUT PERIOD FFFFh (unlimited). Changeable: D_SENSE, and SWP where write protection
     * means something (disks and tapes).
     */
    static ModePageDefinition control(PeripheralDeviceType type) {
        byte[] defaults = new byte[12];
        defaults[0] = CONTROL;
        defaults[1] = 10;
        defaults[2] = 0x02; // GLTSD
        defaults[3] = 0x10; // QUEUE ALGORITHM MODIFIER 1
        defaults[8] = (byte) 0xFF; // BUSY TIMEOUT PERIOD: unlimited
        defaults[9] = (byte) 0xFF;
        byte[] changeable = new byte[12];
        changeable[D_SENSE_BYTE] = D_SENSE_MASK;
        if (type == PeripheralDeviceType.DIRECT_ACCESS_BLOCK || type == PeripheralDeviceType.SEQUENTIAL_ACCESS) {
            changeable[SWP_BYTE] = SWP_MASK;
        }
        return new ModePageDefinition(CONTROL, 0, defaults, changeable, true);
    }

    /**
     * SPC-4 7.5.14 informational exceptions control mode page. We detect no failure to predict, so DEXCPT is set by
     * default and MRIE is 0; the fields an application may set (PERF, EWASC, DEXCPT, LOGERR, INTERVAL TIMER, REPORT
     * COUNT) are changeable and kept, as real drives do.
     */
    static ModePageDefinition informationalExceptions() {
        byte[] defaults = new byte[12];
        defaults[0] = INFORMATIONAL_EXCEPTIONS_CONTROL;
        defaults[1] = 10;
        defaults[2] = 0x08; // DEXCPT
        byte[] changeable = new byte[12];
        changeable[2] = (byte) 0x99; // PERF, EWASC, DEXCPT, LOGERR
        for (int i = 4; i < 12; i++) {
            changeable[i] = (byte) 0xFF; // INTERVAL TIMER, REPORT COUNT
        }
        return new ModePageDefinition(INFORMATIONAL_EXCEPTIONS_CONTROL, 0, defaults, changeable, true);
    }
}
