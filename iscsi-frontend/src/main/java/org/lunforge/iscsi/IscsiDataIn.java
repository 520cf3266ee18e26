package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZeroBits;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.7 SCSI Data-In. With S set (only when there is no sense data) the PDU also carries the status, the
 * residual flags and count, and a StatSN; F ends a sequence (MaxBurstLength) and is always set with S.
 */
public record IscsiDataIn(boolean finalPdu, boolean acknowledge, boolean overflow, boolean underflow,
                          boolean statusPresent, int status, long lun, int initiatorTaskTag, int targetTransferTag,
                          int statSN, int expCmdSN, int maxCmdSN, int dataSN, int bufferOffset, int residualCount,
                          ByteBuf data) implements IscsiPdu {
    private static final String NAME = "SCSI Data-In";

    public IscsiDataIn {
        Objects.requireNonNull(data, "data");
        if (statusPresent && !finalPdu) {
            throw new IllegalArgumentException("S without F");
        }
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.SCSI_DATA_IN;
    }

    static IscsiDataIn decode(ByteBuf h, ByteBuf data) {
        int flags = h.getUnsignedByte(1);
        requireZeroBits(h, 1, 0x38, NAME);
        requireZero(h, 2, 2, NAME);
        boolean s = (flags & 0x01) != 0;
        if (s && (flags & 0x80) == 0) {
            throw IscsiCodecException.invalidField(NAME + ": S set without F");
        }
        if ((flags & 0x06) == 0x06) {
            throw IscsiCodecException.invalidField(NAME + ": overflow and underflow both set");
        }
        return new IscsiDataIn((flags & 0x80) != 0, (flags & 0x40) != 0, (flags & 0x04) != 0, (flags & 0x02) != 0,
                s, h.getUnsignedByte(3), h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24), h.getInt(28),
                h.getInt(32), h.getInt(36), h.getInt(40), h.getInt(44), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.SCSI_DATA_IN.code());
        out.writeByte((finalPdu ? 0x80 : 0) | (acknowledge ? 0x40 : 0) | (overflow ? 0x04 : 0)
                | (underflow ? 0x02 : 0) | (statusPresent ? 0x01 : 0));
        out.writeByte(0);
        out.writeByte(statusPresent ? status : 0);
        out.writeInt(0);
        out.writeLong(lun);
        out.writeInt(initiatorTaskTag);
        out.writeInt(targetTransferTag);
        out.writeInt(statSN);
        out.writeInt(expCmdSN);
        out.writeInt(maxCmdSN);
        out.writeInt(dataSN);
        out.writeInt(bufferOffset);
        out.writeInt(residualCount);
    }
}
