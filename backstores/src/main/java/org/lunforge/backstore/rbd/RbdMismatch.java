package org.lunforge.backstore.rbd;

/**
 * Where rbd_compare_and_write says the data first differed, as an offset into the compared data (what COMPARE AND
 * WRITE's INFORMATION field carries, SBC-4 5.3).
 *
 * <p>librbd's {@code mismatch_off} is meant as an image offset. librbd 1.16 (Ceph 16, measured against Debian's
 * 16.2.15) reports the start of the object plus the offset into the data instead: a miscompare at byte 300 of a
 * compare at image offset 73728 (object 1 of 64 KiB, 8192 bytes in) comes back as 65836, not 74028. Both readings
 * are tried, the image offset first; only one lands inside the data for any range a SCSI command can send (a whole
 * 512-byte block, so the offset into the object is 0 or at least the length).
 */
final class RbdMismatch {
    private RbdMismatch() {
    }

    /**
     * @param reported librbd's mismatch_off
     * @param offset the image offset compared from
     * @param length bytes compared
     * @param objectSize the image's object size
     * @return the offset of the first differing byte in the compared data, or -1 if neither reading fits
     */
    static long offsetInData(long reported, long offset, long length, long objectSize) {
        long fromImageOffset = reported - offset;
        if (fromImageOffset >= 0 && fromImageOffset < length) {
            return fromImageOffset;
        }
        long fromObjectStart = reported - offset / objectSize * objectSize;
        if (fromObjectStart >= 0 && fromObjectStart < length) {
            return fromObjectStart;
        }
        return -1;
    }
}
