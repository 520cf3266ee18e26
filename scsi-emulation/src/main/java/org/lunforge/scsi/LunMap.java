package org.lunforge.scsi;

/**
 * The logical units one I_T nexus can reach, by LUN: what a target's LUN mapping (and ACLs) grant this initiator.
 * A frontend implements it; {@link TaskRouter} consults it for every task.
 */
public interface LunMap {
    /** The logical unit at this LUN, or null if the nexus has none there. */
    LogicalUnit logicalUnit(int lun);

    /** Every LUN the nexus can reach, ascending. */
    int[] luns();
}
