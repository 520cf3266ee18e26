package org.lunforge.backstore.rbd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lunforge.backstore.Extent;

/** The run at an offset from rbd_diff_iterate2's reports (offset, length, exists), with no cluster. */
class RbdExtentsTest {
    static final long MB = 1 << 20;

    @Test
    void nothingReportedIsOneDeallocatedRun() {
        assertEquals(new Extent(8 * MB, false), RbdExtents.runAt(0, 8 * MB, List.of()));
    }

    @Test
    void deallocatedUpToTheFirstObject() {
        assertEquals(new Extent(2 * MB, false), RbdExtents.runAt(0, 8 * MB, List.of(new long[] {2 * MB, MB, 1})));
    }

    @Test
    void adjacentObjectsMergeIntoOneMappedRunClippedToTheEnd() {
        List<long[]> r = List.of(new long[] {MB, MB, 1}, new long[] {0, MB, 1}, new long[] {3 * MB, MB, 1});
        assertEquals(new Extent(2 * MB, true), RbdExtents.runAt(0, 8 * MB, r));
        assertEquals(new Extent(10, true), RbdExtents.runAt(MB, MB + 10, r));
    }

    @Test
    void aWholeObjectReportStartingBeforeTheOffsetCountsFromTheOffset() {
        assertEquals(new Extent(MB - 512, true), RbdExtents.runAt(512, 8 * MB, List.of(new long[] {0, MB, 1})));
    }

    @Test
    void reportsOfNonexistentExtentsAreHoles() {
        assertEquals(new Extent(8 * MB, false), RbdExtents.runAt(0, 8 * MB, List.of(new long[] {0, MB, 0})));
    }
}
