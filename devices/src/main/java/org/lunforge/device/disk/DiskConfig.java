package org.lunforge.device.disk;

/**
 * How a disk presents itself: its logical block length and the limits it advertises in the Block Limits VPD page
 * (SBC-4 6.6.4). Limits are in logical blocks.
 *
 * @param blockLength logical block length in bytes, a power of two from 512 to 65536
 * @param physicalBlockExponent log2 of logical blocks per physical block (READ CAPACITY (16) LBPPBE)
 * @param thinProvisioned offer logical block provisioning (LBPME) when the store can deallocate
 * @param removable report RMB, serve PREVENT ALLOW MEDIUM REMOVAL and let START STOP UNIT eject and load
 * @param writeProtected refuse writes with DATA PROTECT / WRITE PROTECTED (also when the store is read-only)
 * @param maxTransferBlocks MAXIMUM TRANSFER LENGTH
 * @param maxWriteSameBlocks MAXIMUM WRITE SAME LENGTH
 * @param maxUnmapBlocks MAXIMUM UNMAP LBA COUNT (0xFFFFFFFF: no limit)
 * @param maxUnmapDescriptors MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
 * @param maxCompareAndWriteBlocks MAXIMUM COMPARE AND WRITE LENGTH, 1 to 255
 * @param maxAtomicTransferBlocks MAXIMUM ATOMIC TRANSFER LENGTH (0: no WRITE ATOMIC)
 * @param sanitizeBytesPerSecond the pace of a SANITIZE over the medium, so that it leaves the machine's I/O to
 *     other logical units (0: as fast as the store goes)
 */
public record DiskConfig(int blockLength, int physicalBlockExponent, boolean thinProvisioned, boolean removable,
                         boolean writeProtected, long maxTransferBlocks, long maxWriteSameBlocks, long maxUnmapBlocks,
                         int maxUnmapDescriptors, int maxCompareAndWriteBlocks, long maxAtomicTransferBlocks,
                         long sanitizeBytesPerSecond) {
    public DiskConfig {
        if (blockLength < 512 || blockLength > 65536 || Integer.bitCount(blockLength) != 1) {
            throw new IllegalArgumentException("logical block length " + blockLength);
        }
        if (physicalBlockExponent < 0 || physicalBlockExponent > 15) {
            throw new IllegalArgumentException("physical block exponent " + physicalBlockExponent);
        }
        if (maxTransferBlocks < 1 || maxTransferBlocks > 0xFFFFFFFFL || maxWriteSameBlocks < 1
                || maxUnmapBlocks < 1 || maxUnmapBlocks > 0xFFFFFFFFL || maxUnmapDescriptors < 1
                || maxCompareAndWriteBlocks < 1 || maxCompareAndWriteBlocks > 255 || maxAtomicTransferBlocks < 0
                || maxAtomicTransferBlocks > Math.min(maxTransferBlocks, 0xFFFF) || sanitizeBytesPerSecond < 0) {
            throw new IllegalArgumentException("disk limits out of range");
        }
    }

    /**
     * The largest transfer a disk accepts by default (MAXIMUM TRANSFER LENGTH, in bytes): large enough for
     * initiators that move 32 MiB in one command (libiscsi's WriteSame16.Unmap writes 65536 blocks), small enough
     * that a queue of them cannot exhaust memory. A TCMU device advertises its kernel's hw_max_sectors instead.
     */
    public static final long MAX_TRANSFER_BYTES = 64L << 20;

    /** 512-byte blocks, thin, 64 MiB transfers, 2 GiB WRITE SAME, unlimited UNMAP, 255-block COMPARE AND WRITE. */
    public static DiskConfig defaults() {
        return new DiskConfig(512, 0, true, false, false, MAX_TRANSFER_BYTES / 512, 1 << 22, 0xFFFFFFFFL, 4095, 255,
                16384, 0);
    }

    public DiskConfig withBlockLength(int length) {
        long maxTransfer = Math.max(1, MAX_TRANSFER_BYTES / length);
        return new DiskConfig(length, physicalBlockExponent, thinProvisioned, removable, writeProtected,
                maxTransfer, maxWriteSameBlocks, maxUnmapBlocks, maxUnmapDescriptors, maxCompareAndWriteBlocks,
                Math.min(maxAtomicTransferBlocks, Math.min(maxTransfer, 0xFFFF)), sanitizeBytesPerSecond);
    }

    public DiskConfig withRemovable(boolean value) {
        return new DiskConfig(blockLength, physicalBlockExponent, thinProvisioned, value, writeProtected,
                maxTransferBlocks, maxWriteSameBlocks, maxUnmapBlocks, maxUnmapDescriptors, maxCompareAndWriteBlocks,
                maxAtomicTransferBlocks, sanitizeBytesPerSecond);
    }

    public DiskConfig withWriteProtected(boolean value) {
        return new DiskConfig(blockLength, physicalBlockExponent, thinProvisioned, removable, value,
                maxTransferBlocks, maxWriteSameBlocks, maxUnmapBlocks, maxUnmapDescriptors, maxCompareAndWriteBlocks,
                maxAtomicTransferBlocks, sanitizeBytesPerSecond);
    }

    public DiskConfig withThinProvisioned(boolean value) {
        return new DiskConfig(blockLength, physicalBlockExponent, value, removable, writeProtected,
                maxTransferBlocks, maxWriteSameBlocks, maxUnmapBlocks, maxUnmapDescriptors, maxCompareAndWriteBlocks,
                maxAtomicTransferBlocks, sanitizeBytesPerSecond);
    }

    public DiskConfig withPhysicalBlockExponent(int value) {
        return new DiskConfig(blockLength, value, thinProvisioned, removable, writeProtected,
                maxTransferBlocks, maxWriteSameBlocks, maxUnmapBlocks, maxUnmapDescriptors, maxCompareAndWriteBlocks,
                maxAtomicTransferBlocks, sanitizeBytesPerSecond);
    }

    public DiskConfig withLimits(long maxTransfer, long maxWriteSame, long maxUnmap, int maxUnmapDescriptorCount) {
        return new DiskConfig(blockLength, physicalBlockExponent, thinProvisioned, removable, writeProtected,
                maxTransfer, maxWriteSame, maxUnmap, maxUnmapDescriptorCount, maxCompareAndWriteBlocks,
                Math.min(maxAtomicTransferBlocks, Math.min(maxTransfer, 0xFFFF)), sanitizeBytesPerSecond);
    }

    public DiskConfig withSanitizeBytesPerSecond(long value) {
        return new DiskConfig(blockLength, physicalBlockExponent, thinProvisioned, removable, writeProtected,
                maxTransferBlocks, maxWriteSameBlocks, maxUnmapBlocks, maxUnmapDescriptors, maxCompareAndWriteBlocks,
                maxAtomicTransferBlocks, value);
    }
}
