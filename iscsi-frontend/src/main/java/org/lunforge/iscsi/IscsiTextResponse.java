package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZeroBits;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.11 Text Response. With C set, or F clear and a TTT other than 0xffffffff, the target has more to say
 * and the initiator fetches it with an empty Text Request carrying that TTT.
 */
public record IscsiTextResponse(boolean finalPdu, boolean continueFlag, long lun, int initiatorTaskTag,
                                int targetTransferTag, int statSN, int expCmdSN, int maxCmdSN, ByteBuf data)
        implements IscsiPdu {
    private static final String NAME = "Text Response";

    public IscsiTextResponse {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.TEXT_RESPONSE;
    }

    static IscsiTextResponse decode(ByteBuf h, ByteBuf data) {
        int flags = h.getUnsignedByte(1);
        requireZeroBits(h, 1, 0x3F, NAME);
        requireZero(h, 2, 3, NAME);
        requireZero(h, 36, 47, NAME);
        return new IscsiTextResponse((flags & 0x80) != 0, (flags & 0x40) != 0, h.getLong(8), h.getInt(16),
                h.getInt(20), h.getInt(24), h.getInt(28), h.getInt(32), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.TEXT_RESPONSE.code());
        out.writeByte((finalPdu ? 0x80 : 0) | (continueFlag ? 0x40 : 0));
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(lun);
        out.writeInt(initiatorTaskTag);
        out.writeInt(targetTransferTag);
        out.writeInt(statSN);
        out.writeInt(expCmdSN);
        out.writeInt(maxCmdSN);
        out.writeZero(12);
    }
}
