package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZeroBits;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.7 SCSI Data-Out. TTT 0xffffffff marks unsolicited data; otherwise the TTT names the R2T being
 * answered. DataSN counts the PDUs of one sequence from 0; F ends the sequence.
 */
public record IscsiDataOut(boolean finalPdu, long lun, int initiatorTaskTag, int targetTransferTag, int expStatSN,
                           int dataSN, int bufferOffset, ByteBuf data) implements IscsiPdu {
    private static final String NAME = "SCSI Data-Out";

    public IscsiDataOut {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.SCSI_DATA_OUT;
    }

    static IscsiDataOut decode(ByteBuf h, ByteBuf data) {
        requireZeroBits(h, 0, 0x40, NAME);
        requireZeroBits(h, 1, 0x7F, NAME);
        requireZero(h, 2, 3, NAME);
        requireZero(h, 24, 27, NAME);
        requireZero(h, 32, 35, NAME);
        requireZero(h, 44, 47, NAME);
        return new IscsiDataOut((h.getByte(1) & 0x80) != 0, h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(28),
                h.getInt(36), h.getInt(40), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.SCSI_DATA_OUT.code());
        out.writeByte(finalPdu ? 0x80 : 0);
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(lun);
        out.writeInt(initiatorTaskTag);
        out.writeInt(targetTransferTag);
        out.writeInt(0);
        out.writeInt(expStatSN);
        out.writeInt(0);
        out.writeInt(dataSN);
        out.writeInt(bufferOffset);
        out.writeInt(0);
    }
}
