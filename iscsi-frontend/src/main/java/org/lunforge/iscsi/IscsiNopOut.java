package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.18 NOP-Out: a ping from the initiator (ITT valid, TTT 0xffffffff) or the answer to a target's NOP-In
 * (ITT 0xffffffff, TTT copied from the NOP-In). The ping data comes back in the NOP-In.
 */
public record IscsiNopOut(boolean immediate, long lun, int initiatorTaskTag, int targetTransferTag, int cmdSN,
                          int expStatSN, ByteBuf data) implements IscsiPdu {
    public IscsiNopOut {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.NOP_OUT;
    }

    static IscsiNopOut decode(ByteBuf h, ByteBuf data) {
        if ((h.getByte(1) & 0xFF) != 0x80) {
            throw IscsiCodecException.invalidField("NOP-Out: byte 1 must be 0x80");
        }
        requireZero(h, 2, 3, "NOP-Out");
        requireZero(h, 32, 47, "NOP-Out");
        return new IscsiNopOut((h.getByte(0) & 0x40) != 0, h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24),
                h.getInt(28), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte((immediate ? 0x40 : 0) | IscsiOpcode.NOP_OUT.code());
        out.writeByte(0x80);
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
