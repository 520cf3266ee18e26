package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZeroBits;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.12 Login Request. Always immediate. T (transit) asks to move from stage CSG to NSG; C (continue)
 * says the text continues in the next Login Request. The data segment holds key=value text (6, 13).
 *
 * @param isid the 6-byte initiator session identifier as the low 48 bits
 */
public record IscsiLoginRequest(boolean transit, boolean continueFlag, int currentStage, int nextStage,
                                int versionMax, int versionMin, long isid, int tsih, int initiatorTaskTag, int cid,
                                int cmdSN, int expStatSN, ByteBuf data) implements IscsiPdu {
    private static final String NAME = "Login Request";

    public IscsiLoginRequest {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.LOGIN_REQUEST;
    }

    static IscsiLoginRequest decode(ByteBuf h, ByteBuf data) {
        if ((h.getByte(0) & 0x40) == 0) {
            throw IscsiCodecException.invalidField(NAME + ": the I bit must be 1");
        }
        int flags = h.getUnsignedByte(1);
        requireZeroBits(h, 1, 0x30, NAME);
        requireZero(h, 22, 23, NAME);
        requireZero(h, 32, 47, NAME);
        return new IscsiLoginRequest((flags & 0x80) != 0, (flags & 0x40) != 0, (flags >> 2) & 3, flags & 3,
                h.getUnsignedByte(2), h.getUnsignedByte(3), IscsiCodecUtil.u48(h, 8), h.getUnsignedShort(14),
                h.getInt(16), h.getUnsignedShort(20), h.getInt(24), h.getInt(28), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(0x40 | IscsiOpcode.LOGIN_REQUEST.code());
        out.writeByte((transit ? 0x80 : 0) | (continueFlag ? 0x40 : 0) | (currentStage << 2) | nextStage);
        out.writeByte(versionMax);
        out.writeByte(versionMin);
        out.writeInt(0);
        IscsiCodecUtil.writeU48(out, isid);
        out.writeShort(tsih);
        out.writeInt(initiatorTaskTag);
        out.writeShort(cid);
        out.writeShort(0);
        out.writeInt(cmdSN);
        out.writeInt(expStatSN);
        out.writeZero(16);
    }
}
