package org.lunforge.backstore.rbd;

import org.lunforge.backstore.BlockStoreException;
import org.lunforge.backstore.StoreOutcome;

/**
 * librbd's negative return codes (Linux errno values, negated) as a store's abstract outcomes. The device maps those
 * to sense; nothing here knows SCSI.
 *
 * <p>Losing the cluster (a blocklisted client gets {@code -ESHUTDOWN}, Ceph's EBLOCKLISTED; a dropped session
 * {@code -ENOTCONN}; an operation timeout {@code -ETIMEDOUT}) is UNAVAILABLE, not a medium error: the data is not
 * bad, this node can no longer reach it, and another node may be serving it.
 */
final class RbdErrno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EROFS = 30;
    static final int EILSEQ = 84;
    static final int EOPNOTSUPP = 95;
    static final int ENOTCONN = 107;
    static final int ESHUTDOWN = 108;
    static final int ETIMEDOUT = 110;
    static final int EDQUOT = 122;
    static final int EBLOCKLISTED = ESHUTDOWN;

    /** Which way data was moving when the call failed: decides between READ_ERROR and WRITE_ERROR. */
    enum Direction { READ, WRITE }

    private RbdErrno() {
    }

    /** The outcome of a failed call; {@code rc} is the call's negative return value. */
    static StoreOutcome outcome(long rc, Direction direction) {
        if (rc >= 0) {
            throw new IllegalArgumentException("not a failure: " + rc);
        }
        return switch ((int) -rc) {
            case ENOSPC, EDQUOT -> StoreOutcome.NO_SPACE;
            case EROFS -> StoreOutcome.READ_ONLY;
            case EILSEQ -> StoreOutcome.MISCOMPARE;
            case EOPNOTSUPP -> StoreOutcome.UNSUPPORTED;
            case ESHUTDOWN, ENOTCONN, ETIMEDOUT, EPERM, EACCES -> StoreOutcome.UNAVAILABLE;
            default -> direction == Direction.WRITE ? StoreOutcome.WRITE_ERROR : StoreOutcome.READ_ERROR;
        };
    }

    /** The exception for a failed call, naming the call and the errno. */
    static BlockStoreException failure(String call, long rc, Direction direction) {
        return new BlockStoreException(outcome(rc, direction), call + ": " + name(rc));
    }

    /** {@code -ENOENT} as "ENOENT (errno 2)", for messages and logs. */
    static String name(long rc) {
        int errno = (int) -rc;
        String name = switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EIO -> "EIO";
            case EACCES -> "EACCES";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case EROFS -> "EROFS";
            case EILSEQ -> "EILSEQ";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ENOTCONN -> "ENOTCONN";
            case ESHUTDOWN -> "ESHUTDOWN (blocklisted)";
            case ETIMEDOUT -> "ETIMEDOUT";
            case EDQUOT -> "EDQUOT";
            default -> "error";
        };
        return name + " (errno " + errno + ")";
    }
}
