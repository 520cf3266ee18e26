package org.lunforge.backstore;

/**
 * Why a block store operation did not succeed, in the store's own terms. A store never builds sense data; the device
 * emulation has one mapper from these outcomes to sense codes (tcmu-runner's split between backstore and emulation).
 */
public enum StoreOutcome {
    /** The byte range reaches past the end of the store (the device checks LBAs first; this is the backstop). */
    OUT_OF_RANGE,
    /** The medium could not be read (EIO on read). */
    READ_ERROR,
    /** The medium could not be written (EIO on write, or a flush failed). */
    WRITE_ERROR,
    /** The backing has no room left to allocate (ENOSPC, EDQUOT, or a memory store's limit). */
    NO_SPACE,
    /**
     * COMPARE AND WRITE found the medium different from the data to compare, and wrote nothing; the exception's
     * {@link BlockStoreException#miscompareOffset()} says where, when the store knows.
     */
    MISCOMPARE,
    /** The store was opened read-only. */
    READ_ONLY,
    /** The store does not implement the optional operation (unmap on a store that cannot deallocate). */
    UNSUPPORTED,
    /** The store is closed or its backing has gone away. */
    UNAVAILABLE
}
