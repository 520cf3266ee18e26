package org.lunforge.tcmu;

import java.util.List;
import java.util.Objects;

/**
 * A target of LIO's own iSCSI fabric ({@code iscsi/<iqn>/tpgt_<n>}): the kernel speaks iSCSI, the logical units are
 * ours through TCMU.
 *
 * @param portals {@code ip:port}, IPv6 in brackets ({@code [::1]:3260})
 * @param acls initiators allowed in, each with the LUNs it sees; empty with {@code generateNodeAcls}
 * @param generateNodeAcls demo mode: any initiator logs in and sees every LUN
 * @param chap CHAP for the demo-mode initiators (with generateNodeAcls), or null; per-ACL CHAP is on each ACL
 */
public record IscsiExport(String iqn, int tpgt, List<String> portals, List<Lun> luns, List<Acl> acls,
                          boolean generateNodeAcls, Chap chap) {

    public record Lun(int lun, UserBackstore backstore) {
        public Lun {
            Objects.requireNonNull(backstore, "backstore");
        }
    }

    /** An initiator's access: the LUNs of this target it sees (same numbers), write-protected or not. */
    public record Acl(String initiatorIqn, List<Integer> luns, boolean writeProtect, Chap chap) {
        public Acl {
            Objects.requireNonNull(initiatorIqn, "initiatorIqn");
            luns = List.copyOf(luns);
        }
    }

    /** One-way CHAP, or mutual when the mutual pair is given. */
    public record Chap(String userid, String password, String mutualUserid, String mutualPassword) {
        public Chap {
            Objects.requireNonNull(userid, "userid");
            Objects.requireNonNull(password, "password");
        }

        public static Chap oneWay(String userid, String password) {
            return new Chap(userid, password, null, null);
        }
    }

    public IscsiExport {
        if (!iqn.startsWith("iqn.") && !iqn.startsWith("eui.") && !iqn.startsWith("naa.")) {
            throw new IllegalArgumentException("not an iSCSI name: " + iqn);
        }
        if (tpgt < 1 || tpgt > 0xFFFF) {
            throw new IllegalArgumentException("tpgt out of range: " + tpgt);
        }
        portals = List.copyOf(portals);
        luns = List.copyOf(luns);
        acls = List.copyOf(acls);
    }

    public String path() {
        return "iscsi/" + iqn + "/tpgt_" + tpgt;
    }

    boolean authentication() {
        return chap != null || acls.stream().anyMatch(a -> a.chap() != null);
    }
}
