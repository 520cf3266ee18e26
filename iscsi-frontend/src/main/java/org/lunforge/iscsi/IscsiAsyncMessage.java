package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.9 Asynchronous Message. {@code asyncEvent} is one of the ASYNC_ events of {@link IscsiConstants};
 * for a logout request, Parameter3 is the time (seconds) the initiator has to log out. ITT is always 0xffffffff.
 */
public record IscsiAsyncMessage(long lun, int statSN, int expCmdSN, int maxCmdSN, int asyncEvent, int asyncVCode,
                                int parameter1, int parameter2, int parameter3, ByteBuf data) implements IscsiPdu {
    private static final String NAME = "Asynchronous Message";

    public IscsiAsyncMessage {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.ASYNC_MESSAGE;
    }

    @Override
    public int initiatorTaskTag() {
        return IscsiConstants.RESERVED_TAG;
    }

    static IscsiAsyncMessage decode(ByteBuf h, ByteBuf data) {
        if ((h.getByte(1) & 0xFF) != 0x80) {
            throw IscsiCodecException.invalidField(NAME + ": byte 1 must be 0x80");
        }
        requireZero(h, 2, 3, NAME);
        if (h.getInt(16) != IscsiConstants.RESERVED_TAG) {
            throw IscsiCodecException.invalidField(NAME + ": ITT must be 0xffffffff");
        }
        requireZero(h, 20, 23, NAME);
        requireZero(h, 44, 47, NAME);
        return new IscsiAsyncMessage(h.getLong(8), h.getInt(24), h.getInt(28), h.getInt(32), h.getUnsignedByte(36),
                h.getUnsignedByte(37), h.getUnsignedShort(38), h.getUnsignedShort(40), h.getUnsignedShort(42), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.ASYNC_MESSAGE.code());
        out.writeByte(0x80);
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(lun);
        out.writeInt(IscsiConstants.RESERVED_TAG);
        out.writeInt(0);
        out.writeInt(statSN);
        out.writeInt(expCmdSN);
        out.writeInt(maxCmdSN);
        out.writeByte(asyncEvent);
        out.writeByte(asyncVCode);
        out.writeShort(parameter1);
        out.writeShort(parameter2);
        out.writeShort(parameter3);
        out.writeInt(0);
    }
}
