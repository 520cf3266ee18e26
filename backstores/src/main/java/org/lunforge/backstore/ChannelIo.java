package org.lunforge.backstore;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import org.lunforge.scsi.SgList;

/**
 * Positional scatter/gather I/O between a {@link FileChannel} and an {@link SgList}: one pread/pwrite per segment,
 * straight into or out of the segment's memory (a native segment's buffer is direct, so the kernel copies to and from
 * it without a bounce buffer). Positional calls need no lock: concurrent tasks never share a channel position.
 */
final class ChannelIo {
    private ChannelIo() {
    }

    /** Reads {@code dst.length()} bytes at {@code offset}; bytes past the end of the file read as zeros. */
    static void read(FileChannel channel, long offset, SgList dst) {
        long pos = offset;
        try {
            for (int s = 0; s < dst.segmentCount(); s++) {
                MemorySegment seg = dst.segment(s);
                ByteBuffer buf = seg.asByteBuffer();
                while (buf.hasRemaining()) {
                    int n = channel.read(buf, pos);
                    if (n < 0) { // past EOF: a file truncated behind our back reads as a hole
                        seg.asSlice(buf.position()).fill((byte) 0);
                        pos += buf.remaining();
                        break;
                    }
                    pos += n;
                }
            }
        } catch (ClosedChannelException e) {
            throw new BlockStoreException(StoreOutcome.UNAVAILABLE, "store closed", e);
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.READ_ERROR);
        }
    }

    /** Writes all of {@code src} at {@code offset}; with {@code fua}, fdatasync before returning. */
    static void write(FileChannel channel, long offset, SgList src, boolean fua) {
        long pos = offset;
        try {
            for (int s = 0; s < src.segmentCount(); s++) {
                ByteBuffer buf = src.segment(s).asByteBuffer();
                while (buf.hasRemaining()) {
                    pos += channel.write(buf, pos);
                }
            }
            if (fua) {
                channel.force(false);
            }
        } catch (ClosedChannelException e) {
            throw new BlockStoreException(StoreOutcome.UNAVAILABLE, "store closed", e);
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.WRITE_ERROR);
        }
    }

    /** fdatasync: data and the metadata needed to read it back (SYNCHRONIZE CACHE). */
    static void flush(FileChannel channel) {
        try {
            channel.force(false);
        } catch (ClosedChannelException e) {
            throw new BlockStoreException(StoreOutcome.UNAVAILABLE, "store closed", e);
        } catch (IOException e) {
            throw BlockStoreException.of(e, StoreOutcome.WRITE_ERROR);
        }
    }
}
