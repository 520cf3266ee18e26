package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZeroBits;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.10 Text Request: key=value text in full feature phase (SendTargets, renegotiation). F ends the
 * initiator's part of the exchange; C says the text continues. The TTT is 0xffffffff on a new exchange, else the
 * value from the target's last Text Response.
 */
public record IscsiTextRequest(boolean immediate, boolean finalPdu, boolean continueFlag, long lun,
                               int initiatorTaskTag, int targetTransferTag, int cmdSN, int expStatSN, ByteBuf data)
        implements IscsiPdu {
    private static final String NAME = "Text Request";

    public IscsiTextRequest {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.TEXT_REQUEST;
    }

    static IscsiTextRequest decode(ByteBuf h, ByteBuf data) {
        int flags = h.getUnsignedByte(1);
        requireZeroBits(h, 1, 0x3F, NAME);
        requireZero(h, 2, 3, NAME);
        requireZero(h, 32, 47, NAME);
        return new IscsiTextRequest((h.getByte(0) & 0x40) != 0, (flags & 0x80) != 0, (flags & 0x40) != 0,
                h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24), h.getInt(28), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte((immediate ? 0x40 : 0) | IscsiOpcode.TEXT_REQUEST.code());
        out.writeByte((finalPdu ? 0x80 : 0) | (continueFlag ? 0x40 : 0));
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(lun);
        out.writeInt(initiatorTaskTag);
        out.writeInt(targetTransferTag);
        out.writeInt(cmdSN);
        out.writeInt(expStatSN);
        out.writeZero(16);
    }
}
