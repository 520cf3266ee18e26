package org.lunforge.device.tape;

/**
 * TapeAlert flags a drive raises (SSC-4 annex, TapeAlert; the TapeAlert specification v3): each is one of the 64
 * one-byte parameters of LOG SENSE page 2Eh, numbered 1..64, and a LOG SENSE of that page clears them (read-clear).
 * Named here are the flags this drive raises itself; an operator may inject any of the 64 by number
 * ({@link TapeDrive#injectTapeAlert}).
 */
public enum TapeAlertFlag {
    /** The drive is having problems reading data; no data has been lost. */
    READ_WARNING(1),
    WRITE_WARNING(2),
    /** An unrecoverable read, write or positioning error. */
    HARD_ERROR(3),
    /** The operation failed because the tape in the drive has a fault (the media flag). */
    MEDIA(4),
    READ_FAILURE(5),
    WRITE_FAILURE(6),
    WRITE_PROTECT(9),
    NO_REMOVAL(10),
    /** A cleaning cartridge was loaded: it cannot be read or written. */
    CLEANING_MEDIA(11),
    /** A cartridge of a format (generation) the drive does not read. */
    UNSUPPORTED_FORMAT(12),
    /** A cartridge of a generation the drive reads but does not write. */
    READ_ONLY_FORMAT(17),
    /** The drive needs cleaning now (the cleaning interval has passed). */
    CLEAN_NOW(20),
    CLEAN_PERIODIC(21),
    /** The cleaning cartridge loaded has no uses left. */
    EXPIRED_CLEANING_MEDIA(22),
    INVALID_CLEANING_TAPE(23);

    /** The flag's number, 1..64: its parameter code in page 2Eh. */
    private final int number;

    TapeAlertFlag(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The flag with this name ("CLEAN_NOW", case-insensitive) or number ("20"); IllegalArgumentException if none. */
    public static int parse(String flag) {
        String s = flag.strip();
        if (s.matches("\\d{1,2}")) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 64) {
                return n;
            }
            throw new IllegalArgumentException("TapeAlert flags are numbered 1..64: " + flag);
        }
        for (TapeAlertFlag f : values()) {
            if (f.name().equalsIgnoreCase(s.replace('-', '_'))) {
                return f.number;
            }
        }
        throw new IllegalArgumentException("no TapeAlert flag " + flag + " (1..64, or one of "
                + java.util.Arrays.toString(values()) + ")");
    }
}
