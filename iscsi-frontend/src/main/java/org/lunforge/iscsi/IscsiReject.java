package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.17 Reject: a connection-level refusal of one PDU, whose header is the data segment. ITT is
 * 0xffffffff and StatSN is not advanced. A Reject never ends a task that was already active (RFC 7143, "Usage of
 * Reject PDU in Recovery"): a task ends with its own response.
 */
public record IscsiReject(int reason, int statSN, int expCmdSN, int maxCmdSN, int dataSN, ByteBuf data)
        implements IscsiPdu {
    private static final String NAME = "Reject";

    public IscsiReject {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.REJECT;
    }

    @Override
    public int initiatorTaskTag() {
        return IscsiConstants.RESERVED_TAG;
    }

    static IscsiReject decode(ByteBuf h, ByteBuf data) {
        if ((h.getByte(1) & 0xFF) != 0x80) {
            throw IscsiCodecException.invalidField(NAME + ": byte 1 must be 0x80");
        }
        requireZero(h, 3, 3, NAME);
        requireZero(h, 8, 15, NAME);
        if (h.getInt(16) != IscsiConstants.RESERVED_TAG) {
            throw IscsiCodecException.invalidField(NAME + ": ITT must be 0xffffffff");
        }
        requireZero(h, 20, 23, NAME);
        requireZero(h, 40, 47, NAME);
        return new IscsiReject(h.getUnsignedByte(2), h.getInt(24), h.getInt(28), h.getInt(32), h.getInt(36), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.REJECT.code());
        out.writeByte(0x80);
        out.writeByte(reason);
        out.writeByte(0);
        out.writeInt(0);
        out.writeLong(0);
        out.writeInt(IscsiConstants.RESERVED_TAG);
        out.writeInt(0);
        out.writeInt(statSN);
        out.writeInt(expCmdSN);
        out.writeInt(maxCmdSN);
        out.writeInt(dataSN);
        out.writeLong(0);
    }
}
