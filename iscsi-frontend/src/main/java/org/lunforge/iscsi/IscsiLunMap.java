package org.lunforge.iscsi;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LunMap;

/**
 * The LUNs one session's I_T nexus reaches: its portal group's LUN table seen through the initiator's ACL mapping,
 * and which of them the ACL maps write protected.
 * The table is rebuilt when the group's LUNs or ACLs change (a version check per lookup), so a lookup on the hot
 * path is an array index. Used from the session's event loop only.
 *
 * <p>The map also remembers the inventory it last announced, so that the session is told of a change (REPORTED
 * LUNS DATA HAS CHANGED) exactly when what REPORT LUNS returns to it changed, however many lookups came between the
 * change and the announcement.
 */
final class IscsiLunMap implements LunMap {
    private static final LogicalUnit[] NONE = new LogicalUnit[0];

    private final IscsiPortalGroup group;
    private final String initiatorName;
    private int version = -1;
    private LogicalUnit[] table = NONE;
    private int[] luns = new int[0];
    private LogicalUnit[] announced;
    /** The logical units at write-protected mapped LUNs; nearly always none. */
    private Set<LogicalUnit> writeProtected = Set.of();

    IscsiLunMap(IscsiPortalGroup group, String initiatorName) {
        this.group = group;
        this.initiatorName = initiatorName;
        refresh();
        this.announced = table;
    }

    @Override
    public LogicalUnit logicalUnit(int lun) {
        refresh();
        return lun >= 0 && lun < table.length ? table[lun] : null;
    }

    @Override
    public int[] luns() {
        refresh();
        return luns.clone();
    }

    @Override
    public boolean writeProtected(LogicalUnit lu) {
        refresh();
        return !writeProtected.isEmpty() && writeProtected.contains(lu);
    }

    /** Every distinct logical unit the nexus reaches. */
    Set<LogicalUnit> logicalUnits() {
        refresh();
        Set<LogicalUnit> out = new LinkedHashSet<>();
        for (LogicalUnit lu : table) {
            if (lu != null) {
                out.add(lu);
            }
        }
        return out;
    }

    /**
     * True if the inventory (which logical unit at which LUN) differs from the one last announced; the current one
     * counts as announced from now on.
     */
    boolean inventoryChanged() {
        refresh();
        if (Arrays.equals(announced, table)) {
            return false;
        }
        announced = table;
        return true;
    }

    private void refresh() {
        int current = group.version();
        if (current == version) {
            return;
        }
        version = current;
        IscsiAcl acl = group.aclFor(initiatorName);
        Map<Integer, LogicalUnit> groupLuns = group.luns();
        int[] visible;
        LogicalUnit[] byLun;
        if (acl == null) {
            visible = new int[0];
            byLun = NONE;
        } else if (acl.lunMapping() == null) {
            visible = groupLuns.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            byLun = new LogicalUnit[visible.length == 0 ? 0 : visible[visible.length - 1] + 1];
            for (int lun : visible) {
                byLun[lun] = groupLuns.get(lun);
            }
        } else {
            visible = acl.lunMapping().entrySet().stream().filter(e -> groupLuns.containsKey(e.getValue()))
                    .mapToInt(Map.Entry::getKey).sorted().toArray();
            byLun = new LogicalUnit[visible.length == 0 ? 0 : visible[visible.length - 1] + 1];
            for (int lun : visible) {
                byLun[lun] = groupLuns.get(acl.lunMapping().get(lun));
            }
        }
        Set<LogicalUnit> readOnly = new HashSet<>();
        if (acl != null) {
            for (int lun : acl.writeProtectedLuns()) {
                if (lun < byLun.length && byLun[lun] != null) {
                    readOnly.add(byLun[lun]);
                }
            }
        }
        this.luns = visible;
        this.table = byLun;
        this.writeProtected = Set.copyOf(readOnly);
    }

    @Override
    public String toString() {
        refresh();
        return "IscsiLunMap" + Arrays.toString(luns);
    }
}
