package org.lunforge.scsi.spc;

import java.io.ByteArrayOutputStream;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.BlockDescriptor;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.DeviceServer;
import org.lunforge.scsi.PeripheralDeviceType;
import org.lunforge.scsi.SenseCode;

/**
 * MODE SENSE and MODE SELECT (SPC-4 6.9 to 6.12): the mode parameter list, built from and parsed into the logical
 * unit's {@link ModePages}. The header (7.5.4) is 4 bytes in the 6-byte commands and 8 in the 10-byte ones; then an
 * optional block descriptor (7.5.5; SBC-4 6.5.2 short and long LBA forms for disks, the general form otherwise); then
 * the pages.
 */
final class ModeParameterList {
    private static final int SHORT_DESCRIPTOR = 8;
    private static final int LONG_DESCRIPTOR = 16;
    /** Page 00h: vendor specific, no page format; a device without one answers with no page (SPC-4 7.5.7). */
    private static final int VENDOR_SPECIFIC = 0x00;

    private final ModePages pages;
    private final DeviceServer device;

    ModeParameterList(ModePages pages, DeviceServer device) {
        this.pages = pages;
        this.device = device;
    }

    /** MODE SENSE parameter data; {@code mappedWriteProtected}: the nexus reaches the unit write protected. */
    byte[] sense(SpcCommand.ModeSense ms, boolean mappedWriteProtected) {
        List<ModePages.Page> selected = select(ms.pageCode(), ms.subpageCode());
        int pc = ms.pageControl();
        if (pc == 3 && !pages.anySavable()) {
            throw new CheckCondition(SenseCode.SAVING_PARAMETERS_NOT_SUPPORTED);
        }
        boolean disk = device.deviceType() == PeripheralDeviceType.DIRECT_ACCESS_BLOCK;
        boolean longLba = ms.tenByte() && ms.longLba() && disk;
        BlockDescriptor bd = ms.disableBlockDescriptors() ? null : device.blockDescriptor();
        byte[] descriptor = bd == null ? new byte[0] : encode(bd, disk, longLba, pc == 1);
        int header = ms.tenByte() ? 8 : 4;
        int limit = ms.tenByte() ? 0xFFFF + 2 : 0xFF + 1; // MODE DATA LENGTH excludes itself
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (ModePages.Page p : selected) {
            byte[] page = values(p, pc);
            if (header + descriptor.length + body.size() + page.length > limit) {
                break; // whole pages only: MODE SENSE(6) cannot describe more than 255 bytes
            }
            body.writeBytes(page);
        }
        byte[] d = new byte[header + descriptor.length + body.size()];
        int dsp = pc == 1 ? 0 : deviceSpecificParameter(mappedWriteProtected);
        if (ms.tenByte()) {
            BigEndian.put16(d, 0, d.length - 2);
            d[3] = (byte) dsp;
            d[4] = (byte) (longLba && descriptor.length > 0 ? 0x01 : 0); // LONGLBA
            BigEndian.put16(d, 6, descriptor.length);
        } else {
            d[0] = (byte) (d.length - 1);
            d[2] = (byte) dsp;
            d[3] = (byte) descriptor.length;
        }
        System.arraycopy(descriptor, 0, d, header, descriptor.length);
        System.arraycopy(body.toByteArray(), 0, d, header + descriptor.length, body.size());
        return d;
    }

    /**
     * The DEVICE-SPECIFIC PARAMETER; WP (bit 7) is also set while the control page's SWP is, and for a nexus that
     * reaches the unit through a write-protected mapping (SBC-4 6.5.1, SSC-4 8.3.3: WP means this nexus's writes
     * are refused).
     */
    private int deviceSpecificParameter(boolean mappedWriteProtected) {
        int dsp = device.deviceSpecificParameter();
        PeripheralDeviceType type = device.deviceType();
        if ((pages.softwareWriteProtect() || mappedWriteProtected) && (type == PeripheralDeviceType.DIRECT_ACCESS_BLOCK
                || type == PeripheralDeviceType.SEQUENTIAL_ACCESS)) {
            dsp |= 0x80;
        }
        return dsp;
    }

    /** The page in the form PC asks for, with PS set for a savable page. */
    private static byte[] values(ModePages.Page p, int pc) {
        byte[] v = switch (pc) {
            case 0 -> p.current.clone();
            case 1 -> p.changeable.clone();
            case 2 -> p.defaults.clone();
            default -> (p.saved != null ? p.saved : p.defaults).clone();
        };
        System.arraycopy(p.defaults, 0, v, 0, p.headerLength()); // the changeable mask has no header of its own
        v[0] = (byte) ((v[0] & 0x7F) | (p.definition.savable() ? 0x80 : 0));
        return v;
    }

    /**
     * The pages PAGE CODE and SUBPAGE CODE select (SPC-4 6.11): 3Fh/00h every page without subpages,
     * 3Fh/FFh every page and subpage, nn/FFh page nn with all its subpages.
     */
    private List<ModePages.Page> select(int pageCode, int subpageCode) {
        List<ModePages.Page> out = new ArrayList<>();
        for (ModePages.Page p : pages.pages()) {
            boolean wanted = pageCode == 0x3F
                    ? subpageCode == 0xFF || p.subpage() == 0
                    : p.code() == pageCode && (subpageCode == 0xFF || p.subpage() == subpageCode);
            if (wanted) {
                out.add(p);
            }
        }
        if (pageCode == 0x3F && subpageCode != 0 && subpageCode != 0xFF) {
            throw CheckCondition.invalidFieldInCdb(3, 7);
        }
        if (out.isEmpty() && pageCode == VENDOR_SPECIFIC && subpageCode == 0) {
            return out; // header and block descriptor only: how Linux st reads the density and block length
        }
        if (out.isEmpty() && pageCode != 0x3F) {
            throw pages.hasPageCode(pageCode) ? CheckCondition.invalidFieldInCdb(3, 7)
                    : CheckCondition.invalidFieldInCdb(2, 5);
        }
        return out;
    }

    /** SBC-4 6.5.2 (disks) or SPC-4 7.5.5 general form; a changeable mask reports no changeable field. */
    private static byte[] encode(BlockDescriptor bd, boolean disk, boolean longLba, boolean changeable) {
        if (longLba) {
            byte[] b = new byte[LONG_DESCRIPTOR];
            if (!changeable) {
                BigEndian.put64(b, 0, bd.numberOfBlocks());
                BigEndian.put32(b, 12, bd.blockLength());
            }
            return b;
        }
        byte[] b = new byte[SHORT_DESCRIPTOR];
        if (changeable) {
            return b;
        }
        if (disk) {
            BigEndian.put32(b, 0, Math.min(bd.numberOfBlocks(), 0xFFFF_FFFFL));
        } else {
            b[0] = (byte) bd.densityCode();
            BigEndian.put24(b, 1, (int) Math.min(bd.numberOfBlocks(), 0xFFFFFF));
        }
        BigEndian.put24(b, 5, bd.blockLength());
        return b;
    }

    /**
     * MODE SELECT: validates the whole parameter list, hands the header's device-specific parameter and the block
     * descriptor to the device, then applies the pages. Returns true if a current value changed.
     *
     * <p>PF 0 (vendor-specific page format) is accepted only for a list without pages. The PS bit and the MODE DATA
     * LENGTH are reserved in MODE SELECT and ignored: Linux, sg3_utils and libiscsi echo MODE SENSE data back.
     */
    boolean select(SpcCommand.ModeSelect s, byte[] data) {
        if (s.parameterListLength() == 0) {
            return false; // SPC-4 6.9: not an error
        }
        int header = s.tenByte() ? 8 : 4;
        if (data.length < header) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        boolean disk = device.deviceType() == PeripheralDeviceType.DIRECT_ACCESS_BLOCK;
        boolean longLba = s.tenByte() && (data[4] & 0x01) != 0 && disk;
        int descriptorLength = s.tenByte() ? BigEndian.u16(data, 6) : BigEndian.u8(data, 3);
        int descriptorLengthOffset = s.tenByte() ? 6 : 3;
        if (descriptorLength != 0 && descriptorLength != (longLba ? LONG_DESCRIPTOR : SHORT_DESCRIPTOR)) {
            throw CheckCondition.invalidFieldInParameterList(descriptorLengthOffset, -1);
        }
        if (header + descriptorLength > data.length) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        List<Map.Entry<ModePages.Page, byte[]>> proposed = parsePages(s, data, header + descriptorLength);
        if (s.savePages()) {
            for (Map.Entry<ModePages.Page, byte[]> e : proposed) {
                if (!e.getKey().definition.savable()) {
                    throw CheckCondition.invalidFieldInCdb(1, 0); // SPC-4 6.9: SP for a page we cannot save
                }
            }
            if (!pages.anySavable()) {
                throw CheckCondition.invalidFieldInCdb(1, 0);
            }
        }
        device.selectDeviceSpecificParameter(data[s.tenByte() ? 3 : 2] & 0xFF, s.tenByte() ? 3 : 2);
        if (descriptorLength > 0) {
            device.selectBlockDescriptor(decode(data, header, disk, longLba), header);
        }
        return pages.apply(proposed, s.savePages());
    }

    private List<Map.Entry<ModePages.Page, byte[]>> parsePages(SpcCommand.ModeSelect s, byte[] data, int start) {
        List<Map.Entry<ModePages.Page, byte[]>> proposed = new ArrayList<>();
        int offset = start;
        while (offset < data.length) {
            if (!s.pageFormat()) {
                throw CheckCondition.invalidFieldInCdb(1, 4);
            }
            if (data.length - offset < 2) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            boolean spf = (data[offset] & 0x40) != 0;
            int headerLength = spf ? 4 : 2;
            if (data.length - offset < headerLength) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            int code = data[offset] & 0x3F;
            int sub = spf ? BigEndian.u8(data, offset + 1) : 0;
            int declared = spf ? BigEndian.u16(data, offset + 2) : BigEndian.u8(data, offset + 1);
            ModePages.Page p = pages.find(code, sub);
            if (p == null) {
                throw pages.hasPageCode(code) && spf ? CheckCondition.invalidFieldInParameterList(offset + 1, -1)
                        : CheckCondition.invalidFieldInParameterList(offset, 5);
            }
            if (headerLength + declared != p.defaults.length) {
                throw CheckCondition.invalidFieldInParameterList(offset + (spf ? 2 : 1), -1);
            }
            if (offset + headerLength + declared > data.length) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            byte[] values = java.util.Arrays.copyOfRange(data, offset, offset + headerLength + declared);
            byte[] current = p.current;
            System.arraycopy(current, 0, values, 0, headerLength); // PS is reserved here; the header is ours
            for (int i = headerLength; i < values.length; i++) {
                int stray = (values[i] ^ current[i]) & ~p.changeable[i] & 0xFF;
                if (stray != 0) {
                    throw CheckCondition.invalidFieldInParameterList(offset + i,
                            31 - Integer.numberOfLeadingZeros(stray));
                }
            }
            proposed.add(new AbstractMap.SimpleImmutableEntry<>(p, values));
            offset += headerLength + declared;
        }
        return proposed;
    }

    /** The block descriptor as sent; for a disk, 0 (or the short form's all-ones) blocks means "no change". */
    private BlockDescriptor decode(byte[] data, int offset, boolean disk, boolean longLba) {
        BlockDescriptor current = device.blockDescriptor();
        if (disk) {
            long blocks = longLba ? BigEndian.s64(data, offset) : BigEndian.u32(data, offset);
            long length = longLba ? BigEndian.u32(data, offset + 12) : BigEndian.u24(data, offset + 5);
            if (current != null && (blocks == 0 || (!longLba && blocks == 0xFFFF_FFFFL))) {
                blocks = current.numberOfBlocks();
            }
            if (blocks < 0 || length > 0xFFFFFF) {
                throw CheckCondition.invalidFieldInParameterList(offset + (blocks < 0 ? 0 : 12), -1);
            }
            return new BlockDescriptor(current == null ? 0 : current.densityCode(), blocks, (int) length);
        }
        return new BlockDescriptor(BigEndian.u8(data, offset), BigEndian.u24(data, offset + 1),
                BigEndian.u24(data, offset + 5));
    }
}
