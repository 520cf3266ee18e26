package org.lunforge.device.tape;

import org.lunforge.scsi.BigEndian;

/**
 * READ POSITION parameter data (SSC-4 7.7). Every form reports logical object identifiers: the number of blocks and
 * filemarks between BOP and the position. READ POSITION flushes the object buffer first, so FIRST and LAST LOGICAL
 * OBJECT LOCATION are equal and the buffer is empty.
 *
 * @param objectNumber the logical object identifier of the position
 * @param fileIdentifier the logical file identifier: the number of filemarks between BOP and the position
 * @param beginningOfPartition BOP: the position is object 0
 * @param endOfPartition EOP: the position is between early warning and the end of the partition
 */
record PositionData(long objectNumber, long fileIdentifier, boolean beginningOfPartition,
                    boolean endOfPartition) {
    static final int SHORT_LENGTH = 20;
    static final int LONG_LENGTH = 32;
    static final int EXTENDED_LENGTH = 32;

    /**
     * Short form (service actions 00h and 01h): flags BOP (7), EOP (6), LOCU (5), BYCU (4), LOLU (2), PERR (1), BPEW
     * (0); PARTITION NUMBER; FIRST and LAST LOGICAL OBJECT LOCATION (4 bytes each); objects and bytes in the buffer.
     * A position beyond 32 bits cannot be told this way: LOLU is set (the long or extended form can).
     */
    byte[] shortForm() {
        byte[] d = new byte[SHORT_LENGTH];
        boolean fits = objectNumber <= 0xFFFF_FFFFL;
        d[0] = (byte) flags(fits);
        if (fits) {
            BigEndian.put32(d, 4, objectNumber);
            BigEndian.put32(d, 8, objectNumber);
        }
        return d;
    }

    /**
     * Long form (06h): flags BOP (7), EOP (6), MPU (3), LONU (2), BPEW (0); PARTITION NUMBER (bytes 4..7); LOGICAL
     * OBJECT NUMBER (8..15); LOGICAL FILE IDENTIFIER (16..23); bytes 24..31 obsolete (logical set identifier).
     */
    byte[] longForm() {
        byte[] d = new byte[LONG_LENGTH];
        d[0] = (byte) ((beginningOfPartition ? 0x80 : 0) | (endOfPartition ? 0x40 : 0));
        BigEndian.put64(d, 8, objectNumber);
        BigEndian.put64(d, 16, fileIdentifier);
        return d;
    }

    /**
     * Extended form (08h): the short form's flags and PARTITION NUMBER; ADDITIONAL LENGTH 1Ch; objects in the buffer
     * (bytes 5..7); FIRST and LAST LOGICAL OBJECT LOCATION (8 bytes each); bytes in the buffer (24..31).
     */
    byte[] extendedForm() {
        byte[] d = new byte[EXTENDED_LENGTH];
        d[0] = (byte) flags(true);
        BigEndian.put16(d, 2, EXTENDED_LENGTH - 4);
        BigEndian.put64(d, 8, objectNumber);
        BigEndian.put64(d, 16, objectNumber);
        return d;
    }

    private int flags(boolean locationKnown) {
        return (beginningOfPartition ? 0x80 : 0) | (endOfPartition ? 0x40 : 0) | (locationKnown ? 0 : 0x04);
    }
}
