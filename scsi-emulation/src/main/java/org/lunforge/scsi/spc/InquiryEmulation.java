package org.lunforge.scsi.spc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.DeviceServer;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.TargetPort;
import org.lunforge.scsi.TargetPortGroups;
import org.lunforge.scsi.TransportProtocol;
import org.lunforge.scsi.VpdPage;

/**
 * INQUIRY (SPC-4 6.6): the standard data and the vital product data pages every device has (0x00 supported pages, 0x80
 * unit serial number, 0x83 device identification, 0x86 extended INQUIRY data) plus the device's own pages.
 *
 * <p>Device identification is per nexus: the target port designators name the port the command came through, and the
 * logical unit designators are identical on every path, which is what multipath software compares.
 */
final class InquiryEmulation {
    static final int SUPPORTED_PAGES = 0x00;
    static final int UNIT_SERIAL_NUMBER = 0x80;
    static final int DEVICE_IDENTIFICATION = 0x83;
    static final int EXTENDED_INQUIRY_DATA = 0x86;

    /** Version descriptors (SPC-4 6.6.2) (the "no version claimed" forms). */
    static final int SAM_5 = 0x00A0;
    static final int SPC_4 = 0x0460;
    static final int ISCSI = 0x0960;
    static final int SAS_3 = 0x0C60;
    static final int FCP_4 = 0x0A40;

    /** Designation descriptor fields: CODE SET, ASSOCIATION, DESIGNATOR TYPE (SPC-4 7.8.6.1). */
    static final int CODE_SET_BINARY = 1;
    static final int CODE_SET_ASCII = 2;
    static final int CODE_SET_UTF8 = 3;
    static final int ASSOCIATION_LOGICAL_UNIT = 0;
    static final int ASSOCIATION_TARGET_PORT = 1;
    static final int ASSOCIATION_TARGET_DEVICE = 2;
    static final int TYPE_T10_VENDOR_ID = 1;
    static final int TYPE_NAA = 3;
    static final int TYPE_RELATIVE_TARGET_PORT = 4;
    static final int TYPE_TARGET_PORT_GROUP = 5;
    static final int TYPE_SCSI_NAME_STRING = 8;

    /** Standard INQUIRY data length: through the eight version descriptors and the reserved bytes to 95. */
    private static final int STANDARD_LENGTH = 96;

    private final LogicalUnit lu;

    InquiryEmulation(LogicalUnit lu) {
        this.lu = lu;
    }

    byte[] inquiry(Nexus nexus, SpcCommand.Inquiry q) {
        return q.evpd() ? vpdPage(nexus, q.pageCode()) : standard(nexus);
    }

    /** SPC-4 6.6.2. */
    byte[] standard(Nexus nexus) {
        DeviceServer device = lu.device();
        TargetPortGroups portGroups = lu.portGroups();
        byte[] d = new byte[STANDARD_LENGTH];
        d[0] = (byte) device.deviceType().code(); // PERIPHERAL QUALIFIER 000b: connected
        d[1] = (byte) (device.removableMedium() ? 0x80 : 0);
        d[2] = 0x06; // VERSION: SPC-4
        d[3] = 0x12; // HISUP (LUNs are hierarchical, SAM-5 4.7), RESPONSE DATA FORMAT 2
        d[4] = (byte) (STANDARD_LENGTH - 5);
        d[5] = (byte) ((portGroups.tpgs() << 4) | (device.thirdPartyCopy() ? 0x08 : 0));
        d[6] = (byte) (portGroups.knownPorts().size() > 1 ? 0x10 : 0); // MULTIP
        d[7] = 0x02; // CMDQUE: tasks run concurrently
        LogicalUnitIdentity id = lu.identity();
        putAscii(d, 8, 8, id.vendor());
        putAscii(d, 16, 16, id.product());
        putAscii(d, 32, 4, id.revision());
        int p = 58;
        for (int v : versionDescriptors(nexus.target().protocol(), device.versionDescriptors())) {
            if (p > 72) {
                break;
            }
            BigEndian.put16(d, p, v);
            p += 2;
        }
        return d;
    }

    private static int[] versionDescriptors(TransportProtocol protocol, int[] commandSets) {
        int transport = switch (protocol) {
            case ISCSI -> ISCSI;
            case SAS -> SAS_3;
            case FCP -> FCP_4;
            default -> 0;
        };
        int[] all = new int[3 + commandSets.length];
        int n = 0;
        all[n++] = SAM_5;
        if (transport != 0) {
            all[n++] = transport;
        }
        all[n++] = SPC_4;
        for (int v : commandSets) {
            all[n++] = v;
        }
        return java.util.Arrays.copyOf(all, n);
    }

    /** The VPD pages in ascending order: ours, then the device's (ours win on a clash). */
    private Map<Integer, VpdPage> devicePages() {
        Map<Integer, VpdPage> pages = new TreeMap<>();
        for (VpdPage page : lu.device().vpdPages()) {
            int code = page.pageCode();
            if (code != SUPPORTED_PAGES && code != UNIT_SERIAL_NUMBER && code != DEVICE_IDENTIFICATION
                    && code != EXTENDED_INQUIRY_DATA) {
                pages.put(code, page);
            }
        }
        return pages;
    }

    /** A VPD page with its 4-byte header; INVALID FIELD IN CDB pointing at PAGE CODE for one we lack. */
    byte[] vpdPage(Nexus nexus, int pageCode) {
        byte[] payload = switch (pageCode) {
            case SUPPORTED_PAGES -> supportedPages();
            case UNIT_SERIAL_NUMBER -> lu.identity().serialNumber().getBytes(StandardCharsets.US_ASCII);
            case DEVICE_IDENTIFICATION -> deviceIdentification(nexus);
            case EXTENDED_INQUIRY_DATA -> extendedInquiryData();
            default -> {
                VpdPage page = devicePages().get(pageCode);
                if (page == null) {
                    throw CheckCondition.invalidFieldInCdb(2, 7);
                }
                yield page.payload(nexus);
            }
        };
        byte[] d = new byte[4 + payload.length];
        d[0] = (byte) lu.device().deviceType().code();
        d[1] = (byte) pageCode;
        BigEndian.put16(d, 2, payload.length);
        System.arraycopy(payload, 0, d, 4, payload.length);
        return d;
    }

    /** SPC-4 7.8.13: ascending page codes (iscsi-test-cu checks the order). */
    private byte[] supportedPages() {
        TreeMap<Integer, Boolean> codes = new TreeMap<>();
        for (int c : new int[] {SUPPORTED_PAGES, UNIT_SERIAL_NUMBER, DEVICE_IDENTIFICATION, EXTENDED_INQUIRY_DATA}) {
            codes.put(c, true);
        }
        for (int c : devicePages().keySet()) {
            codes.put(c, true);
        }
        byte[] b = new byte[codes.size()];
        int i = 0;
        for (int c : codes.keySet()) {
            b[i++] = (byte) c;
        }
        return b;
    }

    /**
     * SPC-4 7.8.6. Logical unit designators first, NAA before the rest: iscsi-test-cu's multipath check and Linux
     * take the first NAA, EUI-64 or SCSI name designator associated with the logical unit as its identity.
     */
    private byte[] deviceIdentification(Nexus nexus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogicalUnitIdentity id = lu.identity();
        TargetPort port = nexus.target();
        // NAA IEEE Registered Extended, binary, logical unit.
        designator(out, 0, CODE_SET_BINARY, ASSOCIATION_LOGICAL_UNIT, TYPE_NAA, id.naa());
        // T10 vendor ID based: the vendor, then the serial number as the vendor specific part (7.8.6.4).
        byte[] t10 = new byte[8 + id.serialNumber().length()];
        putAscii(t10, 0, 8, id.vendor());
        System.arraycopy(id.serialNumber().getBytes(StandardCharsets.US_ASCII), 0, t10, 8, id.serialNumber().length());
        designator(out, 0, CODE_SET_ASCII, ASSOCIATION_LOGICAL_UNIT, TYPE_T10_VENDOR_ID, t10);
        int protocol = port.protocol().identifier();
        // Relative target port identifier and target port group of the port the command came through.
        byte[] rel = new byte[4];
        BigEndian.put16(rel, 2, port.relativeId());
        designator(out, protocol, CODE_SET_BINARY, ASSOCIATION_TARGET_PORT, TYPE_RELATIVE_TARGET_PORT, rel);
        byte[] group = new byte[4];
        BigEndian.put16(group, 2, lu.portGroups().groupOf(port.relativeId()).id());
        designator(out, protocol, CODE_SET_BINARY, ASSOCIATION_TARGET_PORT, TYPE_TARGET_PORT_GROUP, group);
        // SCSI name strings: the target port, and for iSCSI the target device (the name before ",t,").
        designator(out, protocol, CODE_SET_UTF8, ASSOCIATION_TARGET_PORT, TYPE_SCSI_NAME_STRING, nameString(port.name()));
        if (port.protocol() == TransportProtocol.ISCSI) {
            int cut = port.name().toLowerCase(java.util.Locale.ROOT).indexOf(",t,");
            if (cut > 0) {
                designator(out, protocol, CODE_SET_UTF8, ASSOCIATION_TARGET_DEVICE, TYPE_SCSI_NAME_STRING,
                        nameString(port.name().substring(0, cut)));
            }
        }
        return out.toByteArray();
    }

    /**
     * SPC-4 7.8.6.1 designation descriptor. PIV is set, with the port's protocol, for target port and target device
     * designators; for a port without a known protocol (TCMU) PIV stays clear.
     */
    private static void designator(ByteArrayOutputStream out, int protocol, int codeSet, int association, int type,
                                   byte[] designator) {
        boolean piv = association != ASSOCIATION_LOGICAL_UNIT && protocol != TransportProtocol.NONE.identifier();
        out.write(((piv ? protocol : 0) << 4) | codeSet);
        out.write((piv ? 0x80 : 0) | (association << 4) | type);
        out.write(0);
        out.write(designator.length);
        out.writeBytes(designator);
    }

    /** SPC-4 7.8.6.11: UTF-8, null terminated, padded with nulls to a multiple of four bytes. */
    private static byte[] nameString(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(252, (utf8.length + 1 + 3) & ~3);
        byte[] b = new byte[length];
        System.arraycopy(utf8, 0, b, 0, Math.min(utf8.length, length - 1));
        return b;
    }

    /**
     * SPC-4 7.8.7 extended INQUIRY data: HEADSUP, ORDSUP and SIMPSUP (every task attribute is accepted), LUICLR
     * (REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED on every logical unit of the nexus, see TaskRouter).
     */
    private byte[] extendedInquiryData() {
        byte[] b = new byte[0x3C];
        b[1] = 0x07; // byte 5: HEADSUP, ORDSUP, SIMPSUP
        b[3] = 0x01; // byte 7: LUICLR
        return b;
    }

    /** Space-padded ASCII, left-aligned (SPC-4 4.3.1). */
    static void putAscii(byte[] b, int offset, int width, String s) {
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            b[offset + i] = i < ascii.length ? ascii[i] : (byte) ' ';
        }
    }
}
