package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireNoSegments;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;

import io.netty.buffer.ByteBuf;

/**
 * RFC 7143 11.8 Ready To Transfer: asks for {@code desiredDataTransferLength} bytes of Data-Out from
 * {@code bufferOffset}, at most MaxBurstLength; StatSN is the next one and is not advanced.
 */
public record IscsiR2t(long lun, int initiatorTaskTag, int targetTransferTag, int statSN, int expCmdSN,
                       int maxCmdSN, int r2tSN, int bufferOffset, int desiredDataTransferLength) implements IscsiPdu {
    private static final String NAME = "R2T";

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.R2T;
    }

    static IscsiR2t decode(ByteBuf h) {
        if ((h.getByte(1) & 0xFF) != 0x80) {
            throw IscsiCodecException.invalidField(NAME + ": byte 1 must be 0x80");
        }
        requireZero(h, 2, 3, NAME);
        requireNoSegments(h, NAME);
        return new IscsiR2t(h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24), h.getInt(28), h.getInt(32),
                h.getInt(36), h.getInt(40), h.getInt(44));
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.R2T.code());
        out.writeByte(0x80);
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(lun);
        out.writeInt(initiatorTaskTag);
        out.writeInt(targetTransferTag);
        out.writeInt(statSN);
        out.writeInt(expCmdSN);
        out.writeInt(maxCmdSN);
        out.writeInt(r2tSN);
        out.writeInt(bufferOffset);
        out.writeInt(desiredDataTransferLength);
    }
}
