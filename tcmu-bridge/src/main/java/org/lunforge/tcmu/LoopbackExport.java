package org.lunforge.tcmu;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tcm_loop target ({@code loopback/<wwn>/tpgt_1}): the logical units appear on this host as SCSI devices
 * (/dev/sdX, /dev/stN, /dev/schN, /dev/sgN) once the nexus is made.
 *
 * @param wwn the target port's name, e.g. {@code naa.5001405aaaaaaaa1}
 * @param initiatorWwn the nexus's initiator port name, e.g. {@code naa.5001405bbbbbbbb1}
 */
public record LoopbackExport(String wwn, String initiatorWwn, List<Lun> luns) {
    private static final Pattern WWN = Pattern.compile("(naa\\.[0-9a-fA-F]{16}|iqn\\.[a-z0-9.:-]+|fc\\.[0-9a-f]{16})");

    public record Lun(int lun, UserBackstore backstore) {
        public Lun {
            if (lun < 0 || lun > 16383) {
                throw new IllegalArgumentException("LUN out of range: " + lun);
            }
            Objects.requireNonNull(backstore, "backstore");
        }
    }

    public LoopbackExport {
        if (!WWN.matcher(wwn).matches() || !WWN.matcher(initiatorWwn).matches()) {
            throw new IllegalArgumentException("tcm_loop needs naa./iqn./fc. names: " + wwn + ", " + initiatorWwn);
        }
        luns = List.copyOf(luns);
    }

    public String path() {
        return "loopback/" + wwn + "/tpgt_1";
    }
}
