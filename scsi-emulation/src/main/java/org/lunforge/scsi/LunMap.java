package org.lunforge.scsi;

/**
 * The logical units one I_T nexus can reach, by LUN: what a target's LUN mapping (and ACLs) grant this initiator.
 * A frontend implements it; {@link TaskRouter} consults it for every task, and a command that names another logical
 * unit (EXTENDED COPY's CSCD descriptors) finds it only here ({@link ScsiTask#lunMap}): what the nexus cannot address
 * does not exist for it (SPC-4 6.4.5: COPY TARGET DEVICE NOT REACHABLE, as for a unit that does not exist at all).
 */
public interface LunMap {
    /** The logical unit at this LUN, or null if the nexus has none there. */
    LogicalUnit logicalUnit(int lun);

    /** Every LUN the nexus can reach, ascending. */
    int[] luns();

    /**
     * True if the nexus reaches {@code lu} through a write-protected mapping (a mapped LUN's write_protect, as LIO's
     * ACLs have it): its commands that write the medium fail with DATA PROTECT, WRITE PROTECTED, and MODE SENSE shows
     * WP, for this nexus only. A unit mapped twice to one nexus, once read-only, counts as write protected.
     */
    default boolean writeProtected(LogicalUnit lu) {
        return false;
    }

    /** A nexus that addresses nothing besides the logical unit its task was sent to (the TCMU frontend's view). */
    static LunMap none() {
        return NoLuns.INSTANCE;
    }

    /** {@link #none()}. */
    enum NoLuns implements LunMap {
        INSTANCE;

        @Override
        public LogicalUnit logicalUnit(int lun) {
            return null;
        }

        @Override
        public int[] luns() {
            return new int[0];
        }
    }
}
