package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZeroBits;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * RFC 7143 11.4 SCSI Response. The data segment is SenseLength (2 bytes) and the sense data (11.4.7), or empty.
 * Residual flags (11.4.5): O and U for the command's data direction, o and u for the read part of a bidirectional
 * command; never both overflow and underflow.
 */
public record IscsiScsiResponse(boolean bidirectionalOverflow, boolean bidirectionalUnderflow, boolean overflow,
                                boolean underflow, int response, int status, int initiatorTaskTag, int snackTag,
                                int statSN, int expCmdSN, int maxCmdSN, int expDataSN,
                                int bidirectionalReadResidualCount, int residualCount, ByteBuf data)
        implements IscsiPdu {
    private static final String NAME = "SCSI Response";

    public IscsiScsiResponse {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.SCSI_RESPONSE;
    }

    static IscsiScsiResponse decode(ByteBuf h, ByteBuf data) {
        int flags = h.getUnsignedByte(1);
        if ((flags & 0x80) == 0) {
            throw IscsiCodecException.invalidField(NAME + ": bit 7 of byte 1 must be 1");
        }
        requireZeroBits(h, 1, 0x61, NAME);
        if ((flags & 0x06) == 0x06 || (flags & 0x18) == 0x18) {
            throw IscsiCodecException.invalidField(NAME + ": overflow and underflow both set");
        }
        requireZero(h, 8, 15, NAME);
        return new IscsiScsiResponse((flags & 0x10) != 0, (flags & 0x08) != 0, (flags & 0x04) != 0,
                (flags & 0x02) != 0, h.getUnsignedByte(2), h.getUnsignedByte(3), h.getInt(16), h.getInt(20),
                h.getInt(24), h.getInt(28), h.getInt(32), h.getInt(36), h.getInt(40), h.getInt(44), data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte(IscsiOpcode.SCSI_RESPONSE.code());
        out.writeByte(0x80 | (bidirectionalOverflow ? 0x10 : 0) | (bidirectionalUnderflow ? 0x08 : 0)
                | (overflow ? 0x04 : 0) | (underflow ? 0x02 : 0));
        out.writeByte(response);
        out.writeByte(status);
        out.writeInt(0);
        out.writeLong(0);
        out.writeInt(initiatorTaskTag);
        out.writeInt(snackTag);
        out.writeInt(statSN);
        out.writeInt(expCmdSN);
        out.writeInt(maxCmdSN);
        out.writeInt(expDataSN);
        out.writeInt(bidirectionalReadResidualCount);
        out.writeInt(residualCount);
    }
}
