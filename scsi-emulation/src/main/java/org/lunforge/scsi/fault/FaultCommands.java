package org.lunforge.scsi.fault;

/** Which commands a fault applies to. A read or a write is a READ or WRITE (6/10/12/16) or WRITE AND VERIFY. */
public enum FaultCommands {
    READS,
    WRITES,
    READS_AND_WRITES,
    /** Every command, TEST UNIT READY and INQUIRY included. */
    ALL;

    boolean matches(BlockAccess access) {
        return switch (this) {
            case ALL -> true;
            case READS -> access != null && !access.write();
            case WRITES -> access != null && access.write();
            case READS_AND_WRITES -> access != null;
        };
    }
}
