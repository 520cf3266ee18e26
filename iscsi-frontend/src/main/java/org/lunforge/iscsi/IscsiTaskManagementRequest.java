package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireNoSegments;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;

import io.netty.buffer.ByteBuf;

/**
 * RFC 7143 11.5 Task Management Function Request. {@code function} is one of the TMF_ codes of
 * {@link IscsiConstants}; RefCmdSN matters for ABORT TASK (11.5.5), ExpDataSN only for TASK REASSIGN.
 */
public record IscsiTaskManagementRequest(boolean immediate, int function, long lun, int initiatorTaskTag,
                                         int referencedTaskTag, int cmdSN, int expStatSN, int refCmdSN,
                                         int expDataSN) implements IscsiPdu {
    private static final String NAME = "Task Management Function Request";

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.TASK_MANAGEMENT_REQUEST;
    }

    static IscsiTaskManagementRequest decode(ByteBuf h) {
        if ((h.getByte(1) & 0x80) == 0) {
            throw IscsiCodecException.invalidField(NAME + ": bit 7 of byte 1 must be 1");
        }
        requireZero(h, 2, 3, NAME);
        requireNoSegments(h, NAME);
        requireZero(h, 40, 47, NAME);
        return new IscsiTaskManagementRequest((h.getByte(0) & 0x40) != 0, h.getByte(1) & 0x7F, h.getLong(8),
                h.getInt(16), h.getInt(20), h.getInt(24), h.getInt(28), h.getInt(32), h.getInt(36));
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte((immediate ? 0x40 : 0) | IscsiOpcode.TASK_MANAGEMENT_REQUEST.code());
        out.writeByte(0x80 | function);
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(lun);
        out.writeInt(initiatorTaskTag);
        out.writeInt(referencedTaskTag);
        out.writeInt(cmdSN);
        out.writeInt(expStatSN);
        out.writeInt(refCmdSN);
        out.writeInt(expDataSN);
        out.writeZero(8);
    }
}
