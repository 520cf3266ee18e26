package org.lunforge.backstore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.lunforge.scsi.SgList;

/** A shared, read-only-by-convention block of zeros for stores that write zeros by writing. */
final class ZeroSource {
    static final int SIZE = 1 << 20;
    /** Never written: every user only reads from it. */
    static final MemorySegment ZEROS = Arena.global().allocate(SIZE, 4096);

    private ZeroSource() {
    }

    static void writeZeros(BlockStore store, long offset, long length) {
        long done = 0;
        while (done < length) {
            long n = Math.min(SIZE, length - done);
            store.write(offset + done, SgList.of(ZEROS.asSlice(0, n)), false);
            done += n;
        }
    }
}
