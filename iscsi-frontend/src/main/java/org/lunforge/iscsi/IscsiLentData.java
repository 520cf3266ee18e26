package org.lunforge.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.foreign.MemorySegment;
import org.lunforge.scsi.SgList;

/**
 * Data-In lent by the device server ({@link org.lunforge.scsi.ScsiTask#lendDataIn}): its memory wrapped, not copied,
 * as one buffer whose Data-In PDUs are retained slices, like those of an allocated Data-In buffer. The loan is given
 * back when the last reference goes: the task's own (released with its buffers) and each PDU's (released by the
 * socket once written, or when the channel drops it), so the memory is read no more by then.
 */
final class IscsiLentData extends CompositeByteBuf {
    private final Runnable giveBack;

    private IscsiLentData(ByteBufAllocator alloc, ByteBuf[] parts, Runnable giveBack) {
        super(alloc, true, Math.max(parts.length, 2), parts);
        this.giveBack = giveBack;
    }

    /** Wraps {@code data}; the buffer owns the loan from here on (a failure to wrap gives it back at once). */
    static ByteBuf wrap(ByteBufAllocator alloc, SgList data, Runnable giveBack) {
        try {
            ByteBuf[] parts = new ByteBuf[data.segmentCount()];
            for (int i = 0; i < parts.length; i++) {
                MemorySegment s = data.segment(i);
                parts[i] = Unpooled.wrappedBuffer(s.asByteBuffer());
            }
            return new IscsiLentData(alloc, parts, giveBack);
        } catch (RuntimeException | Error e) {
            giveBack.run();
            throw e;
        }
    }

    @Override
    protected void deallocate() {
        try {
            super.deallocate();
        } finally {
            giveBack.run();
        }
    }
}
