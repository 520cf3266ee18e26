package org.lunforge.iscsi;

import static org.lunforge.iscsi.IscsiCodecUtil.padding;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZero;
import static org.lunforge.iscsi.IscsiCodecUtil.requireZeroBits;

import io.netty.buffer.ByteBuf;
import java.util.Objects;
import org.lunforge.scsi.Cdb;

/**
 * RFC 7143 11.3 SCSI Command. CDBs longer than 16 bytes continue in an Extended CDB AHS (11.3.5); a bidirectional
 * command carries its read length in an AHS (11.2.2.2). The data segment is immediate data (11.3.4).
 *
 * @param attributes the ATTR field: 0 untagged, 1 simple, 2 ordered, 3 head of queue, 4 ACA
 * @param bidirectionalReadLength the Expected Bidirectional Read Data Length AHS, or -1 when absent
 */
public record IscsiScsiCommand(boolean immediate, boolean finalPdu, boolean read, boolean write, int attributes,
                               long lun, int initiatorTaskTag, int expectedDataTransferLength, int cmdSN,
                               int expStatSN, Cdb cdb, long bidirectionalReadLength, ByteBuf data)
        implements IscsiPdu {
    private static final String NAME = "SCSI Command";

    public IscsiScsiCommand {
        Objects.requireNonNull(cdb, "cdb");
        Objects.requireNonNull(data, "data");
        if (attributes < 0 || attributes > 4) {
            throw new IllegalArgumentException("ATTR " + attributes);
        }
        if (cdb.length() < IscsiConstants.BHS_CDB_LENGTH || cdb.length() > IscsiConstants.BHS_CDB_LENGTH + 1000) {
            throw new IllegalArgumentException("iSCSI carries CDBs of 16 to 1016 bytes, not " + cdb.length());
        }
    }

    @Override
    public IscsiOpcode opcode() {
        return IscsiOpcode.SCSI_COMMAND;
    }

    static IscsiScsiCommand decode(ByteBuf h, ByteBuf ahs, ByteBuf data) {
        int flags = h.getUnsignedByte(1);
        requireZeroBits(h, 1, 0x18, NAME);
        requireZero(h, 2, 3, NAME);
        int attributes = flags & 0x07;
        if (attributes > 4) {
            throw IscsiCodecException.invalidField(NAME + ": reserved ATTR " + attributes);
        }
        byte[] cdb = new byte[IscsiConstants.BHS_CDB_LENGTH];
        h.getBytes(32, cdb);
        long bidiLength = -1;
        int p = 0;
        while (p < ahs.readableBytes()) {
            if (ahs.readableBytes() - p < 4) {
                throw IscsiCodecException.invalidField(NAME + ": truncated AHS");
            }
            int length = ahs.getUnsignedShort(p);
            int type = ahs.getUnsignedByte(p + 2);
            int end = p + 3 + length;
            if (length == 0 || end + padding(3 + length) > ahs.readableBytes()) {
                throw IscsiCodecException.invalidField(NAME + ": AHSLength " + length + " overruns TotalAHSLength");
            }
            if (ahs.getByte(p + 3) != 0) {
                throw IscsiCodecException.invalidField(NAME + ": reserved byte of AHS type " + type);
            }
            switch (type) {
                case IscsiConstants.AHS_EXTENDED_CDB -> {
                    if (cdb.length > IscsiConstants.BHS_CDB_LENGTH) {
                        throw IscsiCodecException.invalidField(NAME + ": two Extended CDB AHS");
                    }
                    byte[] longer = java.util.Arrays.copyOf(cdb, IscsiConstants.BHS_CDB_LENGTH + length - 1);
                    ahs.getBytes(p + 4, longer, IscsiConstants.BHS_CDB_LENGTH, length - 1);
                    cdb = longer;
                }
                case IscsiConstants.AHS_BIDIRECTIONAL_READ_LENGTH -> {
                    if (length != 5 || bidiLength >= 0) {
                        throw IscsiCodecException.invalidField(NAME + ": bad Bidirectional Read Length AHS");
                    }
                    bidiLength = ahs.getUnsignedInt(p + 4);
                }
                default -> throw IscsiCodecException.invalidField(NAME + ": unknown AHS type " + type);
            }
            p = end + padding(3 + length);
        }
        return new IscsiScsiCommand((h.getByte(0) & 0x40) != 0, (flags & 0x80) != 0, (flags & 0x40) != 0,
                (flags & 0x20) != 0, attributes, h.getLong(8), h.getInt(16), h.getInt(20), h.getInt(24),
                h.getInt(28), new Cdb(cdb), bidiLength, data);
    }

    @Override
    public void encodeHeader(ByteBuf out) {
        out.writeByte((immediate ? 0x40 : 0) | IscsiOpcode.SCSI_COMMAND.code());
        out.writeByte((finalPdu ? 0x80 : 0) | (read ? 0x40 : 0) | (write ? 0x20 : 0) | attributes);
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(lun);
        out.writeInt(initiatorTaskTag);
        out.writeInt(expectedDataTransferLength);
        out.writeInt(cmdSN);
        out.writeInt(expStatSN);
        out.writeBytes(cdb.bytes(), 0, IscsiConstants.BHS_CDB_LENGTH);
    }

    @Override
    public int ahsLength() {
        int n = 0;
        if (cdb.length() > IscsiConstants.BHS_CDB_LENGTH) {
            int specific = cdb.length() - IscsiConstants.BHS_CDB_LENGTH + 1;
            n += 3 + specific + padding(3 + specific);
        }
        if (bidirectionalReadLength >= 0) {
            n += 8;
        }
        return n;
    }

    @Override
    public void encodeAhs(ByteBuf out) {
        if (cdb.length() > IscsiConstants.BHS_CDB_LENGTH) {
            int specific = cdb.length() - IscsiConstants.BHS_CDB_LENGTH + 1;
            out.writeShort(specific);
            out.writeByte(IscsiConstants.AHS_EXTENDED_CDB);
            out.writeByte(0);
            out.writeBytes(cdb.bytes(), IscsiConstants.BHS_CDB_LENGTH, specific - 1);
            out.writeZero(padding(3 + specific));
        }
        if (bidirectionalReadLength >= 0) {
            out.writeShort(5);
            out.writeByte(IscsiConstants.AHS_BIDIRECTIONAL_READ_LENGTH);
            out.writeByte(0);
            out.writeInt((int) bidirectionalReadLength);
        }
    }
}
