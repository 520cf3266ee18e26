package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiConstants.BHS_LENGTH;
import static org.lunforge.iscsi.IscsiConstants.DIGEST_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.zip.CRC32C;

/**
 * Writes {@link IscsiPdu}s: BHS, AHS, header digest, data segment, padding, data digest (RFC 7143 11.2).
 *
 * <p>Buffers: the header goes into a small buffer from the channel's allocator. A data segment up to
 * {@link #INLINE_DATA} bytes is copied behind the header (one buffer, one iovec); a larger one is written as the
 * PDU's own buffer, so Data-In payloads go from the buffer the device server filled to the socket without a copy
 * (gathering write). The PDU's data buffer is always released here: passed on to the socket, or freed after the copy.
 * Nothing is flushed: the session flushes once per batch.
 */
public final class IscsiEncoder extends ChannelOutboundHandlerAdapter {
    /** Data segments up to this size are copied next to their header; sense data, text, small reads. */
    static final int INLINE_DATA = 1024;

    private static final byte[] ZEROS = new byte[3];

    private final CRC32C crc = new CRC32C();
    private boolean headerDigest;
    private boolean dataDigest;

    /** Digests for every PDU written from now on (after the final Login Response). */
    public void digests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof IscsiPdu pdu) {
            encode(ctx, pdu, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    private void encode(ChannelHandlerContext ctx, IscsiPdu pdu, ChannelPromise promise) {
        ByteBuf data = pdu.data();
        int dataLength = data.readableBytes();
        int ahsLength = pdu.ahsLength();
        int padding = IscsiCodecUtil.padding(dataLength);
        boolean digestData = dataDigest && dataLength > 0;
        boolean inline = dataLength <= INLINE_DATA;
        int headerLength = BHS_LENGTH + ahsLength + (headerDigest ? DIGEST_LENGTH : 0);
        int trailerLength = padding + (digestData ? DIGEST_LENGTH : 0);
        ByteBuf header;
        try {
            header = ctx.alloc().directBuffer(headerLength + (inline ? dataLength + trailerLength : 0));
            int start = header.writerIndex();
            pdu.encodeHeader(header);
            pdu.encodeAhs(header);
            header.setByte(start + 4, ahsLength / 4);
            header.setMedium(start + 5, dataLength);
            if (headerDigest) {
                IscsiCodecUtil.writeDigest(header, IscsiCodecUtil.crc32c(header, start, BHS_LENGTH + ahsLength));
            }
            if (inline) {
                int dataStart = header.writerIndex();
                header.writeBytes(data, data.readerIndex(), dataLength);
                header.writeZero(padding);
                if (digestData) {
                    IscsiCodecUtil.writeDigest(header, IscsiCodecUtil.crc32c(header, dataStart, dataLength + padding));
                }
            }
        } catch (RuntimeException e) {
            data.release();
            promise.setFailure(e);
            return;
        }
        if (inline) {
            data.release();
            ctx.write(header, promise);
            return;
        }
        ctx.write(header, ctx.voidPromise());
        if (trailerLength == 0) {
            ctx.write(data, promise);
            return;
        }
        ByteBuf trailer = ctx.alloc().directBuffer(trailerLength);
        trailer.writeZero(padding);
        if (digestData) {
            crc.reset();
            IscsiCodecUtil.update(crc, data, data.readerIndex(), dataLength);
            crc.update(ZEROS, 0, padding);
            IscsiCodecUtil.writeDigest(trailer, (int) crc.getValue());
        }
        ctx.write(data, ctx.voidPromise());
        ctx.write(trailer, promise);
    }
}
