package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireNoSegments;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;

import io.netty.buffer.ByteBuf;

/** RFC 7143 11.14 Logout Request; {@code reasonCode} is one of the LOGOUT_ reasons of {@link IscsiConstants}. */
public record IscsiLogoutRequest(boolean immediate, int reasonCode, int initiatorTaskTag, int cid, int cmdSN,
                                 int expStatSN) implements IscsiPdu {
    private static final String NAME = "Logout Request";

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.LOGOUT_REQUEST;
    }

    static IscsiLogoutRequest decode(ByteBuf h) {
        if ((h.getByte(1) & 0x80) == 0) {
            throw IscsiCodecException.invalidField(NAME + ": bit 7 of byte 1 must be 1");
        }
        requireZero(h, 2, 3, NAME);
        requireNoSegments(h, NAME);
        requireZero(h, 8, 15, NAME);
        requireZero(h, 22, 23, NAME);
        requireZero(h, 32, 47, NAME);
        return new IscsiLogoutRequest((h.getByte(0) & 0x40) != 0, h.getByte(1) & 0x7F, h.getInt(16),
                h.getUnsignedShort(20), h.getInt(24), h.getInt(28));
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte((immediate ? 0x40 : 0) | IscsiOpcode.LOGOUT_REQUEST.code());
        out.writeByte(0x80 | reasonCode);
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(0);
        out.writeInt(initiatorTaskTag);
        out.writeShort(cid);
        out.writeShort(0);
        out.writeInt(cmdSN);
        out.writeInt(expStatSN);
        out.writeZero(16);
    }
}
