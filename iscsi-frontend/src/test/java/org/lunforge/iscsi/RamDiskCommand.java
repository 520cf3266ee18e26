package org.lunforge.iscsi;

import org.lunforge.scsi.Cdb;
import org.lunforge.scsi.Command;

/** The decoded commands of the test RAM disk. */
sealed interface RamDiskCommand extends Command {
    record ReadCapacity(boolean sixteen, long allocationLength) implements RamDiskCommand {
    }

    record Read(long lba, long blocks) implements RamDiskCommand {
    }

    record Write(long lba, long blocks) implements RamDiskCommand {
    }

    static ReadCapacity readCapacity10(Cdb cdb) {
        return new ReadCapacity(false, 8);
    }

    static ReadCapacity readCapacity16(Cdb cdb) {
        return new ReadCapacity(true, cdb.u32(10));
    }

    static Read read10(Cdb cdb) {
        return new Read(cdb.u32(2), cdb.u16(7));
    }

    static Read read12(Cdb cdb) {
        return new Read(cdb.u32(2), cdb.u32(6));
    }

    static Read read16(Cdb cdb) {
        return new Read(cdb.s64(2), cdb.u32(10));
    }

    static Write write10(Cdb cdb) {
        return new Write(cdb.u32(2), cdb.u16(7));
    }

    static Write write12(Cdb cdb) {
        return new Write(cdb.u32(2), cdb.u32(6));
    }

    static Write write16(Cdb cdb) {
        return new Write(cdb.s64(2), cdb.u32(10));
    }
}
