package org.lunforge.device.changer;

import java.util.Objects;

/**
 * The consecutive element addresses of one element type: {@code count} elements from {@code first}. The SMC-3
 * element address assignment mode page describes each type this way, and Linux ch and mtx rely on it: they number
 * slots and drives by their offset from the first address.
 */
public record ElementRange(ElementType type, int first, int count) {
    public static final int MAX_ADDRESS = 0xFFFF;

    public ElementRange {
        Objects.requireNonNull(type, "type");
        if (first < 0 || first > MAX_ADDRESS || count < 0 || (count > 0 && first + count - 1 > MAX_ADDRESS)) {
            throw new IllegalArgumentException("%s elements: %d from 0x%04x do not fit 16-bit element addresses"
                    .formatted(type, count, first));
        }
    }

    public boolean contains(int address) {
        return address >= first && address < first + count;
    }

    /** The highest address; only meaningful when {@code count > 0}. */
    public int last() {
        return first + count - 1;
    }

    /** The address of the element at this zero-based index. */
    public int address(int index) {
        Objects.checkIndex(index, count);
        return first + index;
    }

    boolean overlaps(ElementRange other) {
        return count > 0 && other.count > 0 && first <= other.last() && other.first <= last();
    }
}
