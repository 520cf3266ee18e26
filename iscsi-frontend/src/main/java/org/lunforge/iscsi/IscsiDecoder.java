package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiConstants.BHS_LENGTH;
import static org.lunforge.iscsi.IscsiConstants.DIGEST_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The PDU frame reader (RFC 7143 11.2), shaped like Netty's HTTP/2 frame reader: wait for the 48-byte BHS, check
 * the header digest once BHS and AHS are in, compute the whole PDU's length (BHS + AHS + header digest + padded data
 * segment + data digest), wait for it, take exactly that PDU as one retained slice, validate, build.
 *
 * <p>Buffers: the cumulator composes received buffers rather than copying them, so a PDU's data segment is a slice
 * of the buffers the socket filled: Data-Out payloads reach the logical unit without a copy. Each emitted
 * {@link IscsiPdu} owns a retained slice for its data segment (or the shared empty buffer); the frame slice itself
 * is released here. {@link IscsiPduError}s own no buffer.
 *
 * <p>Errors: a PDU whose extent is known but whose content is wrong becomes an {@link IscsiPduError} and decoding
 * goes on. A header digest mismatch or a data segment longer than {@link #maxDataSegmentLength} makes PDU
 * boundaries untrustworthy: an {@link IscsiCodecException} is thrown once, and every later byte is discarded.
 *
 * <p>Digests and the segment limit are changed by the login handler, on the event loop, between PDUs.
 */
public final class IscsiDecoder extends ByteToMessageDecoder {
    /** RFC 7143 13.12: the default MaxRecvDataSegmentLength, in force during login. */
    public static final int DEFAULT_MAX_DATA_SEGMENT_LENGTH = 8192;

    private boolean headerDigest;
    private boolean dataDigest;
    private int maxDataSegmentLength = DEFAULT_MAX_DATA_SEGMENT_LENGTH;
    private boolean failed;

    public IscsiDecoder() {
        setCumulator(COMPOSITE_CUMULATOR);
    }

    /** Header and data digests in force from the next PDU on (after the final Login Response). */
    public void digests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    /** The MaxRecvDataSegmentLength this target declared: a longer data segment is a fatal protocol error. */
    public void maxDataSegmentLength(int length) {
        if (length < 512 || length > IscsiConstants.MAX_DATA_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("MaxRecvDataSegmentLength " + length);
        }
        this.maxDataSegmentLength = length;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        if (in.readableBytes() < BHS_LENGTH) {
            return;
        }
        int ahsLength = in.getUnsignedByte(start + 4) * 4;
        int headerLength = BHS_LENGTH + ahsLength + (headerDigest ? DIGEST_LENGTH : 0);
        if (in.readableBytes() < headerLength) {
            return;
        }
        if (headerDigest) {
            int expected = IscsiCodecUtil.crc32c(in, start, BHS_LENGTH + ahsLength);
            if (expected != IscsiCodecUtil.readDigest(in, start + BHS_LENGTH + ahsLength)) {
                throw fail(IscsiConstants.REJECT_PROTOCOL_ERROR, "header digest mismatch", null);
            }
        }
        int dataSegmentLength = IscsiCodecUtil.u24(in, start + 5);
        if (dataSegmentLength > maxDataSegmentLength) {
            throw fail(IscsiConstants.REJECT_PROTOCOL_ERROR, "data segment of " + dataSegmentLength
                    + " bytes exceeds MaxRecvDataSegmentLength " + maxDataSegmentLength, copyHeader(in, start));
        }
        int dataLength = dataSegmentLength == 0 ? 0
                : dataSegmentLength + IscsiCodecUtil.padding(dataSegmentLength) + (dataDigest ? DIGEST_LENGTH : 0);
        if (in.readableBytes() < headerLength + dataLength) {
            return;
        }
        ByteBuf frame = in.readRetainedSlice(headerLength + dataLength);
        try {
            out.add(build(frame, ahsLength, headerLength, dataSegmentLength));
        } finally {
            frame.release();
        }
    }

    private Object build(ByteBuf frame, int ahsLength, int headerLength, int dataSegmentLength) {
        int first = frame.getUnsignedByte(0);
        IscsiOpcode opcode = IscsiOpcode.of(first);
        if (opcode == null) {
            return error(frame, IscsiConstants.REJECT_COMMAND_NOT_SUPPORTED, null, dataSegmentLength,
                    "unknown opcode 0x%02x".formatted(first & 0x3F));
        }
        boolean badDigest = dataDigest && dataSegmentLength > 0 && IscsiCodecUtil.crc32c(frame, headerLength,
                dataSegmentLength + IscsiCodecUtil.padding(dataSegmentLength))
                != IscsiCodecUtil.readDigest(frame, frame.writerIndex() - DIGEST_LENGTH);
        ByteBuf data = badDigest || dataSegmentLength == 0 ? Unpooled.EMPTY_BUFFER
                : frame.retainedSlice(headerLength, dataSegmentLength);
        IscsiPdu pdu;
        try {
            if ((first & 0x80) != 0 || !opcode.fromInitiator() && (first & 0x40) != 0) {
                throw IscsiCodecException.invalidField(opcode + ": reserved bits of byte 0 are set");
            }
            if (ahsLength != 0 && opcode != IscsiOpcode.SCSI_COMMAND) {
                throw IscsiCodecException.invalidField(opcode + " carries no AHS");
            }
            ByteBuf ahs = ahsLength == 0 ? Unpooled.EMPTY_BUFFER : frame.slice(BHS_LENGTH, ahsLength);
            pdu = switch (opcode) {
                case NOP_OUT -> IscsiNopOut.decode(frame, data);
                case SCSI_COMMAND -> IscsiScsiCommand.decode(frame, ahs, data);
                case TASK_MANAGEMENT_REQUEST -> IscsiTaskManagementRequest.decode(frame);
                case LOGIN_REQUEST -> IscsiLoginRequest.decode(frame, data);
                case TEXT_REQUEST -> IscsiTextRequest.decode(frame, data);
                case SCSI_DATA_OUT -> IscsiDataOut.decode(frame, data);
                case LOGOUT_REQUEST -> IscsiLogoutRequest.decode(frame);
                case SNACK_REQUEST -> IscsiSnackRequest.decode(frame);
                case NOP_IN -> IscsiNopIn.decode(frame, data);
                case SCSI_RESPONSE -> IscsiScsiResponse.decode(frame, data);
                case TASK_MANAGEMENT_RESPONSE -> IscsiTaskManagementResponse.decode(frame);
                case LOGIN_RESPONSE -> IscsiLoginResponse.decode(frame, data);
                case TEXT_RESPONSE -> IscsiTextResponse.decode(frame, data);
                case SCSI_DATA_IN -> IscsiDataIn.decode(frame, data);
                case LOGOUT_RESPONSE -> IscsiLogoutResponse.decode(frame);
                case R2T -> IscsiR2t.decode(frame);
                case ASYNC_MESSAGE -> IscsiAsyncMessage.decode(frame, data);
                case REJECT -> IscsiReject.decode(frame, data);
            };
        } catch (IscsiCodecException e) {
            data.release();
            return error(frame, e.rejectReason(), null, dataSegmentLength, e.getMessage());
        }
        if (badDigest) {
            return error(frame, IscsiConstants.REJECT_DATA_DIGEST_ERROR, pdu, dataSegmentLength,
                    opcode + ": data digest mismatch");
        }
        return pdu;
    }

    private static IscsiPduError error(ByteBuf frame, int reason, IscsiPdu pdu, int length, String message) {
        return new IscsiPduError(reason, copyHeader(frame, 0), pdu, length, message);
    }

    private static byte[] copyHeader(ByteBuf b, int index) {
        return ByteBufUtil.getBytes(b, index, BHS_LENGTH);
    }

    private IscsiCodecException fail(int reason, String message, byte[] header) {
        failed = true;
        return new IscsiCodecException(reason, true, message, header);
    }
}
