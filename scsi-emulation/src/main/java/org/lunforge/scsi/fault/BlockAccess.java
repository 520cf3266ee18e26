package org.lunforge.scsi.fault;

import org.lunforge.scsi.Cdb;

/**
 * The logical blocks a read or write CDB addresses, read straight from the CDB (the fault runs before the device
 * decodes it): READ/WRITE(6) (SBC-4 5.15, 5.39: a TRANSFER LENGTH of 0 means 256 blocks), (10), (12), (16) and WRITE
 * AND VERIFY (10), (16). A CDB too short for its opcode addresses nothing here; the device rejects it as always.
 */
record BlockAccess(long lba, long blocks, boolean write) {
    static BlockAccess of(Cdb cdb) {
        int op = cdb.opcode();
        int needed = switch (op) {
            case 0x08, 0x0A -> 6;
            case 0x28, 0x2A, 0x2E -> 10;
            case 0xA8, 0xAA -> 12;
            case 0x88, 0x8A, 0x8E -> 16;
            default -> 0;
        };
        if (needed == 0 || cdb.length() < needed) {
            return null;
        }
        boolean write = op != 0x08 && op != 0x28 && op != 0xA8 && op != 0x88;
        return switch (needed) {
            case 6 -> new BlockAccess(cdb.u24(1) & 0x1FFFFF, cdb.u8(4) == 0 ? 256 : cdb.u8(4), write);
            case 10 -> new BlockAccess(cdb.u32(2), cdb.u16(7), write);
            case 12 -> new BlockAccess(cdb.u32(2), cdb.u32(6), write);
            default -> new BlockAccess(cdb.s64(2), cdb.u32(10), write);
        };
    }
}
