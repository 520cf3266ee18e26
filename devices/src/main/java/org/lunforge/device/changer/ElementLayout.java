package org.lunforge.device.changer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Where each element of the library lives in the 16-bit element address space (SMC-3, element addressing), as the
 * element address assignment mode page reports it.
 *
 * <p>The {@link #standard} layout is the one real libraries use, type by type in ascending address order:
 * <pre>
 *   0x0000            medium transport (one robot)
 *   0x0010 .. 0x00FF  import/export elements (mail slots), at most 240
 *   0x0100 .. 0x03FF  data transfer elements (drives), at most 768
 *   0x0400 .. 0xFFFF  storage elements (slots), at most 64512
 * </pre>
 * Invariants: exactly one medium transport element; the four ranges do not overlap, so the elements of each type are
 * contiguous and READ ELEMENT STATUS with element type code 0 returns one page per type in address order.
 */
public record ElementLayout(ElementRange mediumTransport, ElementRange storage, ElementRange importExport,
                            ElementRange dataTransfer) {
    public static final int TRANSPORT_BASE = 0x0000;
    public static final int IMPORT_EXPORT_BASE = 0x0010;
    public static final int DATA_TRANSFER_BASE = 0x0100;
    public static final int STORAGE_BASE = 0x0400;

    public ElementLayout {
        check(mediumTransport, ElementType.MEDIUM_TRANSPORT);
        check(storage, ElementType.STORAGE);
        check(importExport, ElementType.IMPORT_EXPORT);
        check(dataTransfer, ElementType.DATA_TRANSFER);
        if (mediumTransport.count() != 1) {
            throw new IllegalArgumentException("a library has exactly one medium transport element");
        }
        List<ElementRange> all = List.of(mediumTransport, storage, importExport, dataTransfer);
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                if (all.get(i).overlaps(all.get(j))) {
                    throw new IllegalArgumentException(all.get(i) + " overlaps " + all.get(j));
                }
            }
        }
    }

    /** The standard layout (see the class comment) for this many drives, storage slots and import/export slots. */
    public static ElementLayout standard(int drives, int storageSlots, int importExportSlots) {
        if (importExportSlots > DATA_TRANSFER_BASE - IMPORT_EXPORT_BASE) {
            throw new IllegalArgumentException("at most " + (DATA_TRANSFER_BASE - IMPORT_EXPORT_BASE)
                    + " import/export slots fit the standard layout: " + importExportSlots);
        }
        if (drives > STORAGE_BASE - DATA_TRANSFER_BASE) {
            throw new IllegalArgumentException("at most " + (STORAGE_BASE - DATA_TRANSFER_BASE)
                    + " drives fit the standard layout: " + drives);
        }
        return new ElementLayout(
                new ElementRange(ElementType.MEDIUM_TRANSPORT, TRANSPORT_BASE, 1),
                new ElementRange(ElementType.STORAGE, STORAGE_BASE, storageSlots),
                new ElementRange(ElementType.IMPORT_EXPORT, IMPORT_EXPORT_BASE, importExportSlots),
                new ElementRange(ElementType.DATA_TRANSFER, DATA_TRANSFER_BASE, drives));
    }

    public ElementRange range(ElementType type) {
        return switch (type) {
            case MEDIUM_TRANSPORT -> mediumTransport;
            case STORAGE -> storage;
            case IMPORT_EXPORT -> importExport;
            case DATA_TRANSFER -> dataTransfer;
        };
    }

    /** The type of the element at this address, or null if no element has it. */
    public ElementType typeOf(int address) {
        for (ElementType t : ElementType.values()) {
            if (range(t).contains(address)) {
                return t;
            }
        }
        return null;
    }

    /** The ranges that hold elements, in ascending address order. */
    public List<ElementRange> byAddress() {
        List<ElementRange> ranges = new ArrayList<>();
        for (ElementType t : ElementType.values()) {
            if (range(t).count() > 0) {
                ranges.add(range(t));
            }
        }
        ranges.sort(Comparator.comparingInt(ElementRange::first));
        return ranges;
    }

    /** Every element address in ascending order. */
    public int[] addresses() {
        int total = 0;
        for (ElementRange r : byAddress()) {
            total += r.count();
        }
        int[] out = new int[total];
        int n = 0;
        for (ElementRange r : byAddress()) {
            for (int i = 0; i < r.count(); i++) {
                out[n++] = r.first() + i;
            }
        }
        return out;
    }

    private static void check(ElementRange range, ElementType type) {
        Objects.requireNonNull(range, type.name());
        if (range.type() != type) {
            throw new IllegalArgumentException(range + " given where " + type + " elements belong");
        }
    }
}
