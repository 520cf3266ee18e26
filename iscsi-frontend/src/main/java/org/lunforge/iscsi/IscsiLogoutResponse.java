package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireNoSegments;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;

import io.netty.buffer.ByteBuf;

/** RFC 7143 11.15 Logout Response; Time2Wait and Time2Retain in seconds (11.15.2, 11.15.3). */
public record IscsiLogoutResponse(int response, int initiatorTaskTag, int statSN, int expCmdSN, int maxCmdSN,
                                  int time2Wait, int time2Retain) implements IscsiPdu {
    private static final String NAME = "Logout Response";

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.LOGOUT_RESPONSE;
    }

    static IscsiLogoutResponse decode(ByteBuf h) {
        if ((h.getByte(1) & 0xFF) != 0x80) {
            throw IscsiCodecException.invalidField(NAME + ": byte 1 must be 0x80");
        }
        requireZero(h, 3, 3, NAME);
        requireNoSegments(h, NAME);
        requireZero(h, 8, 15, NAME);
        requireZero(h, 20, 23, NAME);
        requireZero(h, 36, 39, NAME);
        requireZero(h, 44, 47, NAME);
        return new IscsiLogoutResponse(h.getUnsignedByte(2), h.getInt(16), h.getInt(24), h.getInt(28), h.getInt(32),
                h.getUnsignedShort(40), h.getUnsignedShort(42));
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.LOGOUT_RESPONSE.code());
        out.writeByte(0x80);
        out.writeByte(response);
        out.writeByte(0);
        out.writeInt(0);
        out.writeLong(0);
        out.writeInt(initiatorTaskTag);
        out.writeInt(0);
        out.writeInt(statSN);
        out.writeInt(expCmdSN);
        out.writeInt(maxCmdSN);
        out.writeInt(0);
        out.writeShort(time2Wait);
        out.writeShort(time2Retain);
        out.writeInt(0);
    }
}
