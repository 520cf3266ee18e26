package org.lunforge.scsi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A scatter-gather list: the data buffer of one task as a sequence of memory segments. The segments are views, never
 * copies: over the TCMU data area's iovecs, or over Netty buffers holding Data-Out PDUs. Backstores read into and
 * write from these views directly; that is the whole zero-copy data path.
 *
 * <p>Immutable as a list (segments are fixed), mutable as memory. Offsets are bytes from the start of the list.
 */
public final class SgList {
    public static final SgList EMPTY = new SgList(new MemorySegment[0]);

    private final MemorySegment[] segments;
    private final long length;

    private SgList(MemorySegment[] segments) {
        this.segments = segments;
        long total = 0;
        for (MemorySegment s : segments) {
            total += s.byteSize();
        }
        this.length = total;
    }

    public static SgList of(MemorySegment... segments) {
        return new SgList(Arrays.stream(segments).filter(s -> s.byteSize() > 0).toArray(MemorySegment[]::new));
    }

    /** A list of one segment: the common case of a transport buffer, without the varargs filtering. */
    public static SgList of(MemorySegment segment) {
        return segment.byteSize() == 0 ? EMPTY : new SgList(new MemorySegment[] {segment});
    }

    /** A list over one heap array: for small parameter data built or read by the emulation. */
    public static SgList wrap(byte[] bytes) {
        return of(MemorySegment.ofArray(bytes));
    }

    /** A zero-filled heap buffer of the given size. */
    public static SgList allocate(long length) {
        return length == 0 ? EMPTY : wrap(new byte[Math.toIntExact(length)]);
    }

    public long length() {
        return length;
    }

    public int segmentCount() {
        return segments.length;
    }

    public MemorySegment segment(int index) {
        return segments[index];
    }

    /** A view of {@code length} bytes from {@code offset}; shares memory with this list. */
    public SgList slice(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, this.length);
        if (offset == 0 && length == this.length) {
            return this;
        }
        MemorySegment[] out = new MemorySegment[segments.length];
        int n = 0;
        long skip = offset;
        long want = length;
        for (MemorySegment s : segments) {
            if (want == 0) {
                break;
            }
            long size = s.byteSize();
            if (skip >= size) {
                skip -= size;
                continue;
            }
            long take = Math.min(size - skip, want);
            out[n++] = s.asSlice(skip, take);
            want -= take;
            skip = 0;
        }
        return new SgList(Arrays.copyOf(out, n));
    }

    /** The segments as NIO buffers, for FileChannel scatter/gather calls. Native or heap, never copied. */
    public ByteBuffer[] asByteBuffers() {
        ByteBuffer[] out = new ByteBuffer[segments.length];
        for (int i = 0; i < segments.length; i++) {
            out[i] = segments[i].asByteBuffer();
        }
        return out;
    }

    /** Copies {@code src} into this list at {@code offset}. */
    public void copyFrom(long offset, MemorySegment src) {
        Objects.checkFromIndexSize(offset, src.byteSize(), length);
        long done = 0;
        long skip = offset;
        for (MemorySegment s : segments) {
            if (done == src.byteSize()) {
                return;
            }
            long size = s.byteSize();
            if (skip >= size) {
                skip -= size;
                continue;
            }
            long n = Math.min(size - skip, src.byteSize() - done);
            MemorySegment.copy(src, done, s, skip, n);
            done += n;
            skip = 0;
        }
    }

    /** Copies {@code dst.byteSize()} bytes from this list at {@code offset} into {@code dst}. */
    public void copyTo(long offset, MemorySegment dst) {
        Objects.checkFromIndexSize(offset, dst.byteSize(), length);
        long done = 0;
        long skip = offset;
        for (MemorySegment s : segments) {
            if (done == dst.byteSize()) {
                return;
            }
            long size = s.byteSize();
            if (skip >= size) {
                skip -= size;
                continue;
            }
            long n = Math.min(size - skip, dst.byteSize() - done);
            MemorySegment.copy(s, skip, dst, done, n);
            done += n;
            skip = 0;
        }
    }

    /** Copies the whole of {@code src} into this list at {@code offset}; the lists may be of any shapes. */
    public void copyFrom(long offset, SgList src) {
        long at = offset;
        for (MemorySegment s : src.segments) {
            copyFrom(at, s);
            at += s.byteSize();
        }
    }

    /** Writes {@code bytes} at {@code offset}, clipped to the end of the list; returns the count written. */
    public int put(long offset, byte[] bytes) {
        long n = Math.max(0, Math.min(bytes.length, length - offset));
        copyFrom(offset, MemorySegment.ofArray(bytes).asSlice(0, n));
        return (int) n;
    }

    /** Reads {@code length} bytes from {@code offset} into a new array (for parameter lists, not bulk data). */
    public byte[] toByteArray(long offset, int length) {
        byte[] out = new byte[length];
        copyTo(offset, MemorySegment.ofArray(out));
        return out;
    }

    public byte[] toByteArray() {
        return toByteArray(0, Math.toIntExact(length));
    }

    public byte get(long offset) {
        Objects.checkIndex(offset, length);
        long skip = offset;
        for (MemorySegment s : segments) {
            if (skip < s.byteSize()) {
                return s.get(ValueLayout.JAVA_BYTE, skip);
            }
            skip -= s.byteSize();
        }
        throw new AssertionError();
    }

    public void fill(long offset, long length, byte value) {
        SgList view = slice(offset, length);
        for (MemorySegment s : view.segments) {
            s.fill(value);
        }
    }

    /** True if both lists hold the same bytes. */
    public boolean contentEquals(SgList other) {
        return mismatch(other) < 0;
    }

    /** The first offset where the lists differ, or -1 if they are equal; lengths must match. */
    public long mismatch(SgList other) {
        if (other.length != length) {
            throw new IllegalArgumentException("lengths differ: " + length + " and " + other.length);
        }
        int i = 0;
        int j = 0;
        long offI = 0;
        long offJ = 0;
        long pos = 0;
        while (pos < length) {
            MemorySegment a = segments[i];
            MemorySegment b = other.segments[j];
            long n = Math.min(a.byteSize() - offI, b.byteSize() - offJ);
            long m = MemorySegment.mismatch(a, offI, offI + n, b, offJ, offJ + n);
            if (m >= 0) {
                return pos + m;
            }
            pos += n;
            offI += n;
            offJ += n;
            if (offI == a.byteSize()) {
                i++;
                offI = 0;
            }
            if (offJ == b.byteSize()) {
                j++;
                offJ = 0;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "SgList[" + segments.length + " segments, " + length + " bytes]";
    }
}
