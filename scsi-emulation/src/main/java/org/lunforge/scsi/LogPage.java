package org.lunforge.scsi;

import java.util.List;

/**
 * A log page a device adds (SPC-4 7.3): tape drives add TapeAlert (0x2E), sequential-access device (0x0C) and the
 * usage pages. The logical unit writes the page header, answers the supported-pages pages (0x00/0x00 and 0x00/0xFF)
 * and applies PARAMETER POINTER; the page supplies its parameters.
 *
 * <p>Page control values (SPC-4 6.8, LOG SENSE PC field): 0 threshold, 1 cumulative, 2 default threshold,
 * 3 default cumulative. A page without thresholds returns its cumulative values for every PC.
 */
public interface LogPage {
    int pageCode();

    default int subpageCode() {
        return 0;
    }

    /**
     * The parameters for this page control, ascending by parameter code. May have side effects the standard
     * prescribes (TapeAlert flags are cleared when read, SSC-4 8.2.3).
     */
    List<LogParameter> parameters(int pageControl);

    /** LOG SELECT with PCR set (or PCR clear and no parameters): reset the values of this page control. */
    default void reset(int pageControl) {
    }

    /**
     * LOG SELECT carried this parameter. Returns false to refuse it (INVALID FIELD IN PARAMETER LIST pointing at the
     * parameter); by default no parameter is changeable.
     */
    default boolean select(int pageControl, LogParameter parameter) {
        return false;
    }
}
