package org.lunforge.scsi.spc;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.TransportProtocol;

/**
 * TransportIDs (SPC-4 7.6.4): how PERSISTENT RESERVE commands name an initiator port. We read and write the iSCSI
 * forms (7.6.4.6: format 00b, the iSCSI name; format 01b, {@code name,i,0x<ISID>}), and the fixed 24-byte FCP
 * (N_PORT_NAME) and SAS (SAS ADDRESS) forms; other protocols are refused when read.
 *
 * @param portIdentifier the ISID (or null for every port of the initiator, iSCSI format 00b)
 * @param length the bytes the TransportID occupies in the parameter list
 */
record TransportId(TransportProtocol protocol, String name, String portIdentifier, int length) {
    private static final String ISCSI_SEPARATOR = ",i,0x";

    /** Reads the TransportID at {@code offset}, or returns null if it is malformed or of a protocol we lack. */
    static TransportId read(byte[] b, int offset, int available) {
        if (available < 4) {
            return null;
        }
        int format = (b[offset] >> 6) & 0x03;
        int protocolId = b[offset] & 0x0F;
        if (protocolId == TransportProtocol.ISCSI.identifier()) {
            int additional = BigEndian.u16(b, offset + 2);
            if (additional < 4 || additional % 4 != 0 || 4 + additional > available || format > 1) {
                return null;
            }
            int end = offset + 4;
            while (end < offset + 4 + additional && b[end] != 0) {
                end++;
            }
            if (end == offset + 4 + additional || end == offset + 4) {
                return null; // not null terminated, or empty
            }
            String text = new String(b, offset + 4, end - offset - 4, StandardCharsets.UTF_8);
            int cut = text.toLowerCase(Locale.ROOT).indexOf(ISCSI_SEPARATOR);
            if (format == 0) {
                return cut >= 0 ? null : new TransportId(TransportProtocol.ISCSI, text, null, 4 + additional);
            }
            if (cut <= 0 || cut + ISCSI_SEPARATOR.length() == text.length()) {
                return null;
            }
            String isid = text.substring(cut + ISCSI_SEPARATOR.length()).toLowerCase(Locale.ROOT);
            return new TransportId(TransportProtocol.ISCSI, text.substring(0, cut), isid, 4 + additional);
        }
        if ((protocolId == TransportProtocol.FCP.identifier() || protocolId == TransportProtocol.SAS.identifier())
                && format == 0 && available >= 24) {
            int at = protocolId == TransportProtocol.FCP.identifier() ? 8 : 4;
            String name = HexFormat.of().formatHex(b, offset + at, offset + at + 8);
            TransportProtocol p = protocolId == TransportProtocol.FCP.identifier()
                    ? TransportProtocol.FCP : TransportProtocol.SAS;
            return new TransportId(p, name, "", 24);
        }
        return null;
    }

    /**
     * The TransportID of an initiator port (or initiator, portIdentifier null). Ports of a protocol without a
     * TransportID format of ours (the TCMU ring's) are written in the iSCSI name form with their protocol identifier.
     */
    static byte[] write(TransportProtocol protocol, String name, String portIdentifier) {
        if ((protocol == TransportProtocol.FCP || protocol == TransportProtocol.SAS) && name.length() == 16) {
            byte[] b = new byte[24];
            b[0] = (byte) protocol.identifier();
            System.arraycopy(HexFormat.of().parseHex(name), 0, b, protocol == TransportProtocol.FCP ? 8 : 4, 8);
            return b;
        }
        boolean withPort = portIdentifier != null && !portIdentifier.isEmpty();
        String text = withPort ? name + ISCSI_SEPARATOR + portIdentifier : name;
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int additional = (utf8.length + 1 + 3) & ~3; // null terminated, padded to a multiple of 4
        byte[] b = new byte[4 + additional];
        b[0] = (byte) ((withPort ? 0x40 : 0) | protocol.identifier());
        BigEndian.put16(b, 2, additional);
        System.arraycopy(utf8, 0, b, 4, utf8.length);
        return b;
    }
}
