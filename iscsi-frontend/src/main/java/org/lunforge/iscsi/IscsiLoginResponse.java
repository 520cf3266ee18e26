package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZeroBits;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.13 Login Response. Status-Class 0 is success; any other ends the login and the connection
 * (11.13.5). StatSN, ExpCmdSN and MaxCmdSN are only valid when Status-Class is 0.
 */
public record IscsiLoginResponse(boolean transit, boolean continueFlag, int currentStage, int nextStage,
                                 int versionMax, int versionActive, long isid, int tsih, int initiatorTaskTag,
                                 int statSN, int expCmdSN, int maxCmdSN, int statusClass, int statusDetail,
                                 ByteBuf data) implements IscsiPdu {
    private static final String NAME = "Login Response";

    public IscsiLoginResponse {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.LOGIN_RESPONSE;
    }

    static IscsiLoginResponse decode(ByteBuf h, ByteBuf data) {
        int flags = h.getUnsignedByte(1);
        requireZeroBits(h, 1, 0x30, NAME);
        requireZero(h, 20, 23, NAME);
        requireZero(h, 38, 47, NAME);
        return new IscsiLoginResponse((flags & 0x80) != 0, (flags & 0x40) != 0, (flags >> 2) & 3, flags & 3,
                h.getUnsignedByte(2), h.getUnsignedByte(3), IscsiCodecUtil.u48(h, 8), h.getUnsignedShort(14),
                h.getInt(16), h.getInt(24), h.getInt(28), h.getInt(32), h.getUnsignedByte(36),
                h.getUnsignedByte(37), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.LOGIN_RESPONSE.code());
        out.writeByte((transit ? 0x80 : 0) | (continueFlag ? 0x40 : 0) | (currentStage << 2) | nextStage);
        out.writeByte(versionMax);
        out.writeByte(versionActive);
        out.writeInt(0);
        IscsiCodecUtil.writeU48(out, isid);
        out.writeShort(tsih);
        out.writeInt(initiatorTaskTag);
        out.writeInt(0);
        out.writeInt(statSN);
        out.writeInt(expCmdSN);
        out.writeInt(maxCmdSN);
        out.writeByte(statusClass);
        out.writeByte(statusDetail);
        out.writeZero(10);
    }
}
