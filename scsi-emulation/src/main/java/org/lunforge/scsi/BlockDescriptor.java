package org.lunforge.scsi;

/**
 * The mode parameter block descriptor (SPC-4 7.5.5; SBC-4 6.5.2; SSC-4 8.3.3): density code, number of blocks and
 * block length. Disks report their capacity and logical block length; tapes their density and fixed block length
 * (0 in variable block mode).
 */
public record BlockDescriptor(int densityCode, long numberOfBlocks, int blockLength) {
    public BlockDescriptor {
        if (densityCode < 0 || densityCode > 0xFF || numberOfBlocks < 0 || blockLength < 0
                || blockLength > 0xFFFFFF) {
            throw new IllegalArgumentException("block descriptor out of range");
        }
    }
}
