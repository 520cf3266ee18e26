package org.lunforge.device.changer;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.ScsiStatus;
import org.lunforge.scsi.Sense;

/**
 * mtx 1.3.12 as seen from the target, written from a reading of its mtxl.c and mtx.c: the commands {@code status},
 * {@code load}, {@code unload}, {@code transfer}, {@code inventory} send, and how it parses READ ELEMENT STATUS.
 *
 * <ul>
 * <li>MODE SENSE(6) with DBD, page 1Dh, allocation 136; the page is at 4 + the block descriptor length. mtx counts
 *     import/export elements as storage elements, numbered after the real ones.</li>
 * <li>READ ELEMENT STATUS (12-byte CDB) with VOLTAG unless {@code nobarcode}: by default one request per element type
 *     (storage, import/export if any, data transfer, then one medium transport element), each for the type's count
 *     from its first address; with {@code altres}, element type 0 from address 0 again and again from one past the
 *     last address returned, until no progress or INVALID ELEMENT ADDRESS. The allocation length is
 *     8 + 4 x 8 + elements x sizeof(TransportElementDescriptor_T); if BYTE COUNT OF REPORT AVAILABLE + 8 is larger it
 *     asks again with that.</li>
 * <li>Parsing trusts NUMBER OF ELEMENTS AVAILABLE (header bytes 2-3) as the count of descriptors that follow, walks
 *     pages by BYTE COUNT OF DESCRIPTOR DATA AVAILABLE and descriptors by ELEMENT DESCRIPTOR LENGTH; takes FULL from
 *     byte 2 bit 0, the source from bytes 10-11 (drives), the volume tag from byte 12 when PVOLTAG (36 bytes, cut at
 *     the first byte outside 32..127: trailing spaces stay). Import/export elements get the slot numbers after the
 *     storage elements, in whichever order they arrive.</li>
 * <li>A drive's source becomes a slot number only if that slot is empty now; drives whose source is not such a slot
 *     get the empty slots in order.</li>
 * <li>MOVE MEDIUM (12-byte CDB) with the transport address READ ELEMENT STATUS reported.</li>
 * </ul>
 */
final class Mtx {
    /** sizeof(TransportElementDescriptor_T): 12 bytes, two 36-byte volume tags. */
    private static final int DESCRIPTOR_SIZE = 84;

    private final ChangerHarness h;
    private final Nexus nexus;
    private final boolean barcodes;
    private final boolean readAll;

    Mtx(ChangerHarness h, Nexus nexus, boolean barcodes, boolean readAll) {
        this.h = h;
        this.nexus = nexus;
        this.barcodes = barcodes;
        this.readAll = readAll;
    }

    record AssignmentPage(int mtStart, int mtCount, int stStart, int stCount, int ieStart, int ieCount, int dtStart,
                          int dtCount) {
    }

    /** What mtx's ReadElementStatus builds. */
    static final class Status {
        int transportAddress;
        /** Indexed by storage element number - 1: the storage elements, then the import/export ones. */
        final List<Integer> storageAddress;
        final List<Boolean> storageFull;
        final List<String> storageTag;
        final List<Boolean> importExport;
        int storageCount;
        Status(int slots) {
            storageAddress = new ArrayList<>(java.util.Collections.nCopies(slots, 0));
            storageFull = new ArrayList<>(java.util.Collections.nCopies(slots, false));
            storageTag = new ArrayList<>(java.util.Collections.nCopies(slots, ""));
            importExport = new ArrayList<>(java.util.Collections.nCopies(slots, false));
        }

        final List<Integer> driveAddress = new ArrayList<>();
        final List<Boolean> driveFull = new ArrayList<>();
        final List<Integer> driveSource = new ArrayList<>();
        final List<String> driveTag = new ArrayList<>();
        int importExportCount;
        /** The storage element number (index) each drive was loaded from, or -1. */
        int[] driveSourceSlot;
    }

    static final class MtxFailure extends RuntimeException {
        final Sense sense;

        MtxFailure(String what, Sense sense) {
            super(what + " failed: " + sense);
            this.sense = sense;
        }
    }

    AssignmentPage modeSense() {
        RecordingTask t = h.in(nexus, 136, 0x1A, 0x08, 0x1D, 0, 136, 0);
        check(t, "Mode sense (0x1A) for Page 0x1D");
        byte[] b = t.data();
        int p = 4 + (b[3] & 0xFF);
        return new AssignmentPage(BigEndian.u16(b, p + 2), BigEndian.u16(b, p + 4), BigEndian.u16(b, p + 6),
                BigEndian.u16(b, p + 8), BigEndian.u16(b, p + 10), BigEndian.u16(b, p + 12), BigEndian.u16(b, p + 14),
                BigEndian.u16(b, p + 16));
    }

    private byte[] request(int type, int start, int count, int allocation) {
        RecordingTask t = send(type, start, count, allocation);
        byte[] b = t.data();
        int real = BigEndian.u24(b, 5) + 8;
        if (real > allocation) {
            t = send(type, start, count, real);
            b = t.data();
        }
        return java.util.Arrays.copyOf(b, Math.max(b.length, allocation)); // mtx's zeroed buffer
    }

    private RecordingTask send(int type, int start, int count, int allocation) {
        RecordingTask t = h.in(nexus, allocation, 0xB8, (barcodes ? 0x10 : 0) | type, start >> 8, start & 0xFF,
                count >> 8, count & 0xFF, 0, allocation >> 16, (allocation >> 8) & 0xFF, allocation & 0xFF, 0, 0);
        check(t, "READ ELEMENT STATUS");
        return t;
    }

    Status status() {
        AssignmentPage page = modeSense();
        int numStorage = page.stCount() + page.ieCount(); // IMPORT_EXPORT_HACK
        int elements = page.stCount() + page.ieCount() + page.dtCount() + page.mtCount();
        int allocation = 8 + 4 * 8 + elements * DESCRIPTOR_SIZE;
        Status s = new Status(numStorage);
        List<Integer> empty = new ArrayList<>();
        if (!readAll) {
            parse(request(2, page.stStart(), numStorage - page.ieCount(), allocation), s, page, empty, null);
            if (page.ieCount() > 0) {
                parse(request(3, page.ieStart(), page.ieCount(), allocation), s, page, empty, null);
            }
            parse(request(4, page.dtStart(), page.dtCount(), allocation), s, page, empty, null);
            if (page.mtCount() > 0) {
                parse(request(1, page.mtStart(), 1, allocation), s, page, empty, null);
            }
        } else {
            int[] next = {0};
            int last = -1;
            while (last != next[0]) {
                RecordingTask t = h.in(nexus, allocation, 0xB8, (barcodes ? 0x10 : 0), next[0] >> 8, next[0] & 0xFF,
                        page.stCount() >> 8, page.stCount() & 0xFF, 0, allocation >> 16, (allocation >> 8) & 0xFF,
                        allocation & 0xFF, 0, 0);
                if (t.response().status() != ScsiStatus.GOOD) {
                    Sense sense = Sense.decode(t.response().sense());
                    if (sense.code().asc() == 0x21 && sense.code().ascq() == 0x01) {
                        break; // "we've probably just hit the end"
                    }
                    throw new MtxFailure("READ ELEMENT STATUS", sense);
                }
                last = next[0];
                parse(java.util.Arrays.copyOf(t.data(), allocation), s, page, empty, next);
            }
        }
        if (s.driveAddress.isEmpty()) {
            throw new AssertionError("mtx: no Data Transfer Element reported");
        }
        if (s.storageCount + s.importExportCount == 0) {
            throw new AssertionError("mtx: no Storage Elements reported");
        }
        translateSources(s, empty);
        return s;
    }

    private void parse(byte[] b, Status s, AssignmentPage page, List<Integer> emptySlots, int[] nextElement) {
        int elementCount = BigEndian.u16(b, 2);
        int p = 8;
        while (elementCount > 0) {
            int type = b[p] & 0xFF;
            int volBits = b[p + 1] & 0xFF;
            int descriptorLength = BigEndian.u16(b, p + 2);
            int available = BigEndian.u24(b, p + 5);
            p += 8;
            if (descriptorLength < 12 && (type == 4 || descriptorLength < 4)) {
                throw new AssertionError("mtx: Transport Element Descriptor Length too short: " + descriptorLength);
            }
            if (available <= 0) {
                elementCount--;
            }
            while (available > 0) {
                int address = BigEndian.u16(b, p);
                if (nextElement != null) {
                    if (address != 0 || nextElement[0] == 0) {
                        nextElement[0] = address + 1;
                    } else {
                        return;
                    }
                }
                boolean full = (b[p + 2] & 0x01) != 0;
                String tag = (volBits & 0x80) != 0 && (descriptorLength > 11 || type == 4) ? barcode(b, p + 12) : "";
                switch (type) {
                    case 1 -> s.transportAddress = address;
                    case 2 -> {
                        int index = s.storageCount++;
                        if (!full) {
                            emptySlots.add(index);
                        }
                        s.storageAddress.set(index, address);
                        s.storageFull.set(index, full);
                        s.storageTag.set(index, tag);
                    }
                    case 3 -> {
                        // Import/export elements take the numbers after the storage elements, whatever their order.
                        int index = page.stCount() + s.importExportCount++;
                        s.storageAddress.set(index, address);
                        s.storageFull.set(index, full);
                        s.storageTag.set(index, tag);
                        s.importExport.set(index, true);
                    }
                    case 4 -> {
                        s.driveAddress.add(address);
                        s.driveFull.add(full);
                        s.driveSource.add(BigEndian.u16(b, p + 10));
                        s.driveTag.add(tag);
                    }
                    default -> throw new AssertionError("mtx: illegal Element Type Code " + type + " reported");
                }
                p += descriptorLength;
                available -= descriptorLength;
                elementCount--;
            }
        }
    }

    /** copy_barcode: 36 bytes, ending at the first byte outside 32..127. */
    private static String barcode(byte[] b, int offset) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 36; i++) {
            int c = b[offset + i] & 0xFF;
            if (c < 32 || c > 127) {
                break;
            }
            s.append((char) c);
        }
        return s.toString();
    }

    private static void translateSources(Status s, List<Integer> emptySlots) {
        s.driveSourceSlot = new int[s.driveAddress.size()];
        for (int i = 0; i < s.driveAddress.size(); i++) {
            s.driveSourceSlot[i] = -1;
            if (s.driveFull.get(i)) {
                int source = s.driveSource.get(i);
                for (int j = 0; j < s.storageAddress.size(); j++) {
                    if (s.storageAddress.get(j) == source && !s.storageFull.get(j)) {
                        s.driveSourceSlot[i] = j;
                    }
                }
            }
        }
        int next = 0;
        for (int i = 0; i < s.driveAddress.size(); i++) {
            if (s.driveFull.get(i) && s.driveSourceSlot[i] < 0) {
                s.driveSourceSlot[i] = next < emptySlots.size() ? emptySlots.get(next++) : -1;
            }
        }
    }

    /** The lines {@code mtx -f /dev/sgN status} prints. */
    List<String> statusLines() {
        Status s = status();
        List<String> out = new ArrayList<>();
        out.add("  Storage Changer /dev/sg1:%d Drives, %d Slots ( %d Import/Export )".formatted(s.driveAddress.size(),
                s.storageAddress.size(), s.importExportCount));
        for (int i = 0; i < s.driveAddress.size(); i++) {
            StringBuilder line = new StringBuilder("Data Transfer Element %d:".formatted(i));
            if (s.driveFull.get(i)) {
                line.append(s.driveSourceSlot[i] >= 0
                        ? "Full (Storage Element %d Loaded)".formatted(s.driveSourceSlot[i] + 1)
                        : "Full (Unknown Storage Element Loaded)");
                if (!s.driveTag.get(i).isEmpty()) {
                    line.append(":VolumeTag = ").append(s.driveTag.get(i));
                }
            } else {
                line.append("Empty");
            }
            out.add(line.toString());
        }
        for (int i = 0; i < s.storageAddress.size(); i++) {
            StringBuilder line = new StringBuilder("      Storage Element %d%s:%s".formatted(i + 1,
                    s.importExport.get(i) ? " IMPORT/EXPORT" : "", s.storageFull.get(i) ? "Full " : "Empty"));
            if (s.storageFull.get(i) && !s.storageTag.get(i).isEmpty()) {
                line.append(":VolumeTag=").append(s.storageTag.get(i));
            }
            out.add(line.toString());
        }
        return out;
    }

    /** {@code mtx load <slot> [<drive>]}: slots from 1, drives from 0. */
    void load(int slot, int drive) {
        Status s = status();
        if (s.storageFull.get(slot - 1) == Boolean.FALSE) {
            throw new AssertionError("mtx: Storage Element " + slot + " is Empty");
        }
        if (s.driveFull.get(drive)) {
            throw new AssertionError("mtx: Drive " + drive + " Full");
        }
        move(s, s.storageAddress.get(slot - 1), s.driveAddress.get(drive));
    }

    /** {@code mtx unload [<slot>] [<drive>]}: without a slot, back to the one it was loaded from. */
    void unload(Integer slot, int drive) {
        Status s = status();
        if (!s.driveFull.get(drive)) {
            throw new AssertionError("mtx: Data Transfer Element " + drive + " is Empty");
        }
        int target = slot != null ? slot - 1 : s.driveSourceSlot[drive];
        if (s.storageFull.get(target)) {
            throw new AssertionError("mtx: Storage Element " + (target + 1) + " is Already Full");
        }
        move(s, s.driveAddress.get(drive), s.storageAddress.get(target));
    }

    /** {@code mtx transfer <slot> <slot>}. */
    void transfer(int from, int to) {
        Status s = status();
        move(s, s.storageAddress.get(from - 1), s.storageAddress.get(to - 1));
    }

    /** {@code mtx inventory}: INITIALIZE ELEMENT STATUS. */
    void inventory() {
        check(h.run(nexus, 0x07, 0, 0, 0, 0, 0), "Initialize Element Status (0x07)");
    }

    private void move(Status s, int source, int destination) {
        RecordingTask t = h.run(nexus, 0xA5, 0, s.transportAddress >> 8, s.transportAddress & 0xFF, source >> 8,
                source & 0xFF, destination >> 8, destination & 0xFF, 0, 0, 0, 0);
        check(t, "MOVE MEDIUM from Element Address %d to %d".formatted(source, destination));
    }

    private static void check(RecordingTask t, String what) {
        if (t.response().status() != ScsiStatus.GOOD) {
            throw new MtxFailure(what, Sense.decode(t.response().sense()));
        }
    }

    /** awk's default field splitting, 1-based as {@code $n}. */
    static String awkField(String line, int n) {
        String[] f = line.trim().split("\\s+");
        return n <= f.length ? f[n - 1] : "";
    }

    static void assertLines(List<String> expected, List<String> actual) {
        assertEquals(String.join("\n", expected), String.join("\n", actual));
    }

    static String tag(String barcode) {
        return barcode + " ".repeat(32 - barcode.length());
    }

    static String ascii(byte[] b, int offset, int length) {
        return new String(b, offset, length, StandardCharsets.US_ASCII);
    }
}
