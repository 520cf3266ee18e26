package org.lunforge.server;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.TargetPortGroups;
import org.lunforge.server.config.AccessState;
import org.lunforge.server.config.Config;
import org.lunforge.server.config.IscsiTarget;
import org.lunforge.server.config.PortalGroup;
import org.lunforge.server.config.TargetPortGroup;

class AluaGroupsTest {
    private static final String IQN = "iqn.2026-11.org.lunforge:disks";

    private static Config twoPorts(TargetPortGroup... groups) {
        return Config.newBuilder()
                .addIscsiTargets(IscsiTarget.newBuilder().setIqn(IQN)
                        .addPortalGroups(PortalGroup.newBuilder().setTag(1).addPortals("127.0.0.1:3260"))
                        // relative id 7 by hand; tag 1 gets the lowest free one, 1
                        .addPortalGroups(PortalGroup.newBuilder().setTag(2).setRelativePortId(7)
                                .addPortals("127.0.0.2:3260")))
                .addAllTargetPortGroups(java.util.List.of(groups))
                .build();
    }

    @Test
    void membersResolveToTheRelativeIdsOfTheirPortalGroups() {
        TargetPortGroups m = AluaGroups.of(twoPorts(
                TargetPortGroup.newBuilder().setId(10).setState(AccessState.ACTIVE_OPTIMIZED).setPreferred(true)
                        .addMembers(IQN + ",t,0x1").build(),
                TargetPortGroup.newBuilder().setId(20).setState(AccessState.ACTIVE_NON_OPTIMIZED)
                        .addMembers(IQN.toUpperCase() + ",t,0x0002").build()));
        assertEquals(10, m.groupOf(1).id());
        assertTrue(m.groupOf(1).preferred());
        assertEquals(20, m.groupOf(7).id());
        assertEquals(AsymmetricAccessState.ACTIVE_NON_OPTIMIZED, m.groupOf(7).state());
        assertArrayEquals(new int[] {7}, m.portsOf(20));
    }

    @Test
    void noGroupsIsOneActiveGroupOfEveryPort() {
        TargetPortGroups m = AluaGroups.of(twoPorts());
        assertEquals(1, m.groups().size());
        assertEquals(AsymmetricAccessState.ACTIVE_OPTIMIZED, m.groupOf(7).state());
    }

    @Test
    void anUnknownMemberIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AluaGroups.of(twoPorts(
                TargetPortGroup.newBuilder().setId(1).addMembers(IQN + ",t,0x9").build())));
    }
}
