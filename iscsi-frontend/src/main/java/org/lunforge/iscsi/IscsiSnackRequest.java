package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireNoSegments;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZeroBits;

import io.netty.buffer.ByteBuf;

/**
 * RFC 7143 11.16 SNACK Request: type 0 Data/R2T, 1 Status, 2 DataACK, 3 R-Data. Only meaningful at
 * ErrorRecoveryLevel above 0; this target negotiates 0 and rejects SNACKs.
 */
public record IscsiSnackRequest(int type, long lun, int initiatorTaskTag, int targetTransferTag, int expStatSN,
                                int begRun, int runLength) implements IscsiPdu {
    private static final String NAME = "SNACK Request";

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.SNACK_REQUEST;
    }

    static IscsiSnackRequest decode(ByteBuf h) {
        requireZeroBits(h, 0, 0x40, NAME);
        if ((h.getByte(1) & 0x80) == 0) {
            throw IscsiCodecException.invalidField(NAME + ": bit 7 of byte 1 must be 1");
        }
        requireZeroBits(h, 1, 0x70, NAME);
        requireZero(h, 2, 3, NAME);
        requireNoSegments(h, NAME);
        requireZero(h, 24, 27, NAME);
        requireZero(h, 32, 39, NAME);
        return new IscsiSnackRequest(h.getByte(1) & 0x0F, h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(28),
                h.getInt(40), h.getInt(44));
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.SNACK_REQUEST.code());
        out.writeByte(0x80 | type);
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(lun);
        out.writeInt(initiatorTaskTag);
        out.writeInt(targetTransferTag);
        out.writeInt(0);
        out.writeInt(expStatSN);
        out.writeLong(0);
        out.writeInt(begRun);
        out.writeInt(runLength);
    }
}
