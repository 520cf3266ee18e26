package org.lunforge.backstore;

/**
 * A run of bytes from some offset that share one provisioning state (SBC-4 4.7.1: mapped or deallocated), as GET LBA
 * STATUS reports it.
 *
 * @param length bytes in the run, at least 1
 * @param mapped true if the run holds allocated data; false if it is deallocated (reads return zeros when the store
 *     says {@link BlockStore#unmapReadsZeros()})
 */
public record Extent(long length, boolean mapped) {
    public Extent {
        if (length <= 0) {
            throw new IllegalArgumentException("extent length " + length);
        }
    }
}
