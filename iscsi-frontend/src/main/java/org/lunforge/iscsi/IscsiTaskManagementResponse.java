package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireNoSegments;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;

import io.netty.buffer.ByteBuf;

/** RFC 7143 11.6 Task Management Function Response; {@code response} is one of the TMF_ responses. */
public record IscsiTaskManagementResponse(int response, int initiatorTaskTag, int statSN, int expCmdSN,
                                          int maxCmdSN) implements IscsiPdu {
    private static final String NAME = "Task Management Function Response";

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.TASK_MANAGEMENT_RESPONSE;
    }

    static IscsiTaskManagementResponse decode(ByteBuf h) {
        if ((h.getByte(1) & 0xFF) != 0x80) {
            throw IscsiCodecException.invalidField(NAME + ": byte 1 must be 0x80");
        }
        requireZero(h, 3, 3, NAME);
        requireNoSegments(h, NAME);
        requireZero(h, 8, 15, NAME);
        requireZero(h, 20, 23, NAME);
        requireZero(h, 36, 47, NAME);
        return new IscsiTaskManagementResponse(h.getUnsignedByte(2), h.getInt(16), h.getInt(24), h.getInt(28),
                h.getInt(32));
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.TASK_MANAGEMENT_RESPONSE.code());
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
        out.writeZero(12);
    }
}
