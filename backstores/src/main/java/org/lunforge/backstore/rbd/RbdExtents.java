package org.lunforge.backstore.rbd;

import java.util.Comparator;
import java.util.List;
import org.lunforge.backstore.Extent;

/** The provisioning run at an offset, from what rbd_diff_iterate2 reported over {@code [offset, end)}. */
final class RbdExtents {
    private RbdExtents() {
    }

    /**
     * The run starting at {@code offset} and ending at most at {@code end}: mapped up to the end of the contiguous
     * existing extents that cover {@code offset}, else deallocated up to the first existing extent. {@code reported}
     * holds {offset, length, exists} triples in any order, possibly reaching outside the range (whole objects).
     */
    static Extent runAt(long offset, long end, List<long[]> reported) {
        List<long[]> existing = reported.stream().filter(e -> e[2] != 0 && e[1] > 0 && e[0] + e[1] > offset
                && e[0] < end).sorted(Comparator.comparingLong(e -> e[0])).toList();
        long at = offset;
        for (long[] e : existing) {
            if (e[0] > at) {
                break;
            }
            at = Math.max(at, e[0] + e[1]);
        }
        if (at > offset) {
            return new Extent(Math.min(at, end) - offset, true);
        }
        long next = existing.isEmpty() ? end : Math.min(end, existing.getFirst()[0]);
        return new Extent(next - offset, false);
    }
}
