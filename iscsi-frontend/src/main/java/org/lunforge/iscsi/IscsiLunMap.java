package org.lunforge.iscsi;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LunMap;

/**
 * The LUNs one session's I_T nexus reaches: the target's LUN table seen through the initiator's ACL mapping. The
 * table is rebuilt when the target's LUNs or ACLs change (a version check per lookup), so a lookup on the hot path
 * is an array index. Used from the session's event loop only.
 */
final class IscsiLunMap implements LunMap {
    private static final LogicalUnit[] NONE = new LogicalUnit[0];

    private final IscsiTarget target;
    private final String initiatorName;
    private int version = -1;
    private LogicalUnit[] table = NONE;
    private int[] luns = new int[0];

    IscsiLunMap(IscsiTarget target, String initiatorName) {
        this.target = target;
        this.initiatorName = initiatorName;
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

    private void refresh() {
        int current = target.version();
        if (current == version) {
            return;
        }
        version = current;
        IscsiAcl acl = target.aclFor(initiatorName);
        Map<Integer, LogicalUnit> targetLuns = target.luns();
        int[] visible;
        LogicalUnit[] byLun;
        if (acl == null) {
            visible = new int[0];
            byLun = NONE;
        } else if (acl.lunMapping() == null) {
            visible = targetLuns.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            byLun = new LogicalUnit[visible.length == 0 ? 0 : visible[visible.length - 1] + 1];
            for (int lun : visible) {
                byLun[lun] = targetLuns.get(lun);
            }
        } else {
            visible = acl.lunMapping().entrySet().stream().filter(e -> targetLuns.containsKey(e.getValue()))
                    .mapToInt(Map.Entry::getKey).sorted().toArray();
            byLun = new LogicalUnit[visible.length == 0 ? 0 : visible[visible.length - 1] + 1];
            for (int lun : visible) {
                byLun[lun] = targetLuns.get(acl.lunMapping().get(lun));
            }
        }
        this.luns = visible;
        this.table = byLun;
    }

    @Override
    public String toString() {
        refresh();
        return "IscsiLunMap" + Arrays.toString(luns);
    }
}
