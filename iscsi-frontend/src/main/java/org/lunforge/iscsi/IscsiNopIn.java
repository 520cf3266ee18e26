package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.19 NOP-In: the answer to a NOP-Out ping (ITT copied, TTT 0xffffffff, StatSN advanced) or a target's
 * own ping (ITT 0xffffffff, TTT valid, StatSN not advanced), which the initiator answers with a NOP-Out.
 */
public record IscsiNopIn(long lun, int initiatorTaskTag, int targetTransferTag, int statSN, int expCmdSN,
                         int maxCmdSN, ByteBuf data) implements IscsiPdu {
    public IscsiNopIn {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.NOP_IN;
    }

    static IscsiNopIn decode(ByteBuf h, ByteBuf data) {
        if ((h.getByte(1) & 0xFF) != 0x80) {
            throw IscsiCodecException.invalidField("NOP-In: byte 1 must be 0x80");
        }
        requireZero(h, 2, 3, "NOP-In");
        requireZero(h, 36, 47, "NOP-In");
        return new IscsiNopIn(h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24), h.getInt(28), h.getInt(32),
                data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.NOP_IN.code());
        out.writeByte(0x80);
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
