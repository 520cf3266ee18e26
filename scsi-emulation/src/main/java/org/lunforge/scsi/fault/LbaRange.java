package org.lunforge.scsi.fault;

/** Logical blocks {@code first} to {@code last}, both included. */
public record LbaRange(long first, long last) {
    public LbaRange {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("LBA range " + first + "-" + last + ": 0 <= first <= last");
        }
    }

    /** "100-199", or "100" for one block. */
    public static LbaRange parse(String text) {
        int dash = text.indexOf('-');
        try {
            return dash < 0 ? new LbaRange(Long.parseLong(text), Long.parseLong(text))
                    : new LbaRange(Long.parseLong(text.substring(0, dash)), Long.parseLong(text.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("LBA range '" + text + "': write FIRST-LAST, e.g. 2048-2055");
        }
    }

    /** The first block of the access inside this range, or -1 if they do not meet. */
    long firstHit(BlockAccess access) {
        if (access.blocks() == 0) {
            return -1;
        }
        long end = access.lba() + access.blocks() - 1;
        if (end < first || access.lba() > last) {
            return -1;
        }
        return Math.max(first, access.lba());
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
