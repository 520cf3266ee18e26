package org.lunforge.server;

import java.util.HashMap;
import java.util.Map;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.TargetPortGroups;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.ConfigValidator;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.TargetPortGroup;

/**
 * The ALUA model (SPC-4 5.16) a configuration describes: its target_port_groups, whose members are iSCSI target
 * ports named as RFC 7143 section 4.2.7.4 names them ("&lt;iSCSI name&gt;,t,0x&lt;TPGT in hex&gt;"), resolved to the
 * relative target port identifiers lunforge's iSCSI target gives those portal groups. Without groups every port is in
 * one active/optimized group. The daemon keeps one model for all its logical units and {@link
 * TargetPortGroups#reconfigure reconfigures} it on each change, so a state change reaches every path at once.
 */
final class AluaGroups {
    private AluaGroups() {
    }

    /** The model of {@code config}; its members must name configured portal groups (ConfigValidator checks that). */
    static TargetPortGroups of(Config config) {
        if (config.getTargetPortGroupsCount() == 0) {
            return TargetPortGroups.single();
        }
        Map<String, Integer> relativeIds = relativeIdsByPortName(config);
        TargetPortGroups.Builder b = TargetPortGroups.builder();
        for (TargetPortGroup g : config.getTargetPortGroupsList()) {
            int[] ports = g.getMembersList().stream()
                    .mapToInt(m -> {
                        Integer id = relativeIds.get(ConfigValidator.targetPortName(m));
                        if (id == null) {
                            throw new IllegalArgumentException("target port group " + g.getId() + ": no target port "
                                    + m);
                        }
                        return id;
                    })
                    .toArray();
            b.group(g.getId(), state(g.getState()), g.getPreferred(), ports);
        }
        return b.build();
    }

    /** Every iSCSI target port of the configuration, by its normalized name, with its relative identifier. */
    static Map<String, Integer> relativeIdsByPortName(Config config) {
        Map<String, Integer> ids = new HashMap<>();
        for (IscsiTarget t : IscsiTargets.relativeIdsAssigned(config.getIscsiTargetsList())) {
            for (PortalGroup g : t.getPortalGroupsList()) {
                ids.put(ConfigValidator.targetPortName(t.getIqn(), g.getTag()), g.getRelativePortId());
            }
        }
        return ids;
    }

    private static AsymmetricAccessState state(org.lunforge.server.config.AccessState s) {
        return switch (s) {
            case ACTIVE_OPTIMIZED -> AsymmetricAccessState.ACTIVE_OPTIMIZED;
            case ACTIVE_NON_OPTIMIZED -> AsymmetricAccessState.ACTIVE_NON_OPTIMIZED;
            case STANDBY -> AsymmetricAccessState.STANDBY;
            case UNAVAILABLE -> AsymmetricAccessState.UNAVAILABLE;
            case UNRECOGNIZED -> throw new IllegalArgumentException("unknown access state");
        };
    }
}
