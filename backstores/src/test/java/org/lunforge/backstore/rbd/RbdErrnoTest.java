package org.lunforge.backstore.rbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lunforge.backstore.BlockStoreException;
import org.lunforge.backstore.StoreOutcome;
import org.lunforge.backstore.rbd.RbdErrno.Direction;

/** librbd's negative errno returns as store outcomes, with no cluster. */
class RbdErrnoTest {
    @Test
    void fullPoolOrQuotaIsNoSpace() {
        assertEquals(StoreOutcome.NO_SPACE, RbdErrno.outcome(-RbdErrno.ENOSPC, Direction.WRITE));
        assertEquals(StoreOutcome.NO_SPACE, RbdErrno.outcome(-RbdErrno.EDQUOT, Direction.WRITE));
    }

    @Test
    void blocklistedOrDisconnectedIsUnavailableNotAMediumError() {
        assertEquals(StoreOutcome.UNAVAILABLE, RbdErrno.outcome(-RbdErrno.EBLOCKLISTED, Direction.WRITE));
        assertEquals(StoreOutcome.UNAVAILABLE, RbdErrno.outcome(-RbdErrno.ENOTCONN, Direction.READ));
        assertEquals(StoreOutcome.UNAVAILABLE, RbdErrno.outcome(-RbdErrno.ETIMEDOUT, Direction.READ));
        assertEquals(StoreOutcome.UNAVAILABLE, RbdErrno.outcome(-RbdErrno.EACCES, Direction.READ));
    }

    @Test
    void compareAndWriteMismatchIsMiscompare() {
        assertEquals(StoreOutcome.MISCOMPARE, RbdErrno.outcome(-RbdErrno.EILSEQ, Direction.WRITE));
    }

    @Test
    void readOnlyImageIsReadOnly() {
        assertEquals(StoreOutcome.READ_ONLY, RbdErrno.outcome(-RbdErrno.EROFS, Direction.WRITE));
    }

    @Test
    void anythingElseIsAMediumErrorOfTheDirection() {
        assertEquals(StoreOutcome.READ_ERROR, RbdErrno.outcome(-RbdErrno.EIO, Direction.READ));
        assertEquals(StoreOutcome.WRITE_ERROR, RbdErrno.outcome(-RbdErrno.EIO, Direction.WRITE));
        assertEquals(StoreOutcome.WRITE_ERROR, RbdErrno.outcome(-RbdErrno.EINVAL, Direction.WRITE));
    }

    @Test
    void successIsNotAnOutcome() {
        assertThrows(IllegalArgumentException.class, () -> RbdErrno.outcome(0, Direction.READ));
    }

    @Test
    void failureNamesTheCallAndTheErrno() {
        BlockStoreException e = RbdErrno.failure("rbd_write", -RbdErrno.ESHUTDOWN, Direction.WRITE);
        assertEquals(StoreOutcome.UNAVAILABLE, e.outcome());
        assertTrue(e.getMessage().contains("rbd_write: ESHUTDOWN (blocklisted) (errno 108)"), e.getMessage());
    }
}
