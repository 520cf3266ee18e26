package org.lunforge.scsi.spc;

import org.lunforge.scsi.testing.RecordingTask;
import static org.junit.jupiter.api.Assertions.*;
import static org.lunforge.scsi.spc.Harness.*;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.LogicalUnit;
import org.lunforge.scsi.LogicalUnitIdentity;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.StateStore;
import org.lunforge.scsi.TargetPortGroup;
import org.lunforge.scsi.TargetPortGroups;

class AluaTest {
    private final TargetPortGroups groups = TargetPortGroups.builder()
            .group(1, AsymmetricAccessState.ACTIVE_OPTIMIZED, true, 1)
            .group(2, AsymmetricAccessState.STANDBY, false, 2)
            .port(PORT_1).port(PORT_2).implicitTransitionSeconds(10).build();
    private final Harness h = new Harness(new FakeDisk(), StateStore.inMemory(), groups);
    private final Nexus p1 = h.login(nexus("iqn.1994-05.com.redhat:a", 1, PORT_1));
    private final Nexus p2 = nexus("iqn.1994-05.com.redhat:a", 1, PORT_2);

    private RecordingTask rtpg(Nexus n, boolean extended, int alloc) {
        return h.in(n, alloc, 0xA3, (extended ? 0x20 : 0) | 0x0A, 0, 0, 0, 0, alloc >>> 24, (alloc >> 16) & 0xFF,
                (alloc >> 8) & 0xFF, alloc & 0xFF, 0, 0);
    }

    private RecordingTask stpg(Nexus n, int... descriptors) {
        byte[] list = new byte[4 + 4 * (descriptors.length / 2)];
        for (int i = 0; i < descriptors.length / 2; i++) {
            list[4 + 4 * i] = (byte) descriptors[2 * i];
            BigEndian.put16(list, 4 + 4 * i + 2, descriptors[2 * i + 1]);
        }
        return h.out(n, list, 0xA4, 0x0A, 0, 0, 0, 0, 0, 0, 0, list.length, 0, 0);
    }

    @Test
    void reportTargetPortGroupsLengthFormat() {
        byte[] d = rtpg(p1, false, 4096).data();
        assertEquals(d.length - 4, BigEndian.u32(d, 0));
        assertEquals(2 * 12, d.length - 4);
        assertEquals(0x80, d[4] & 0xFF); // PREF, active/optimized
        assertEquals(0x8F, d[5] & 0xFF); // T_SUP U_SUP S_SUP AN_SUP AO_SUP
        assertEquals(1, BigEndian.u16(d, 6));
        assertEquals(1, d[11]);
        assertEquals(1, BigEndian.u16(d, 14));
        assertEquals(0x02, d[16]); // standby
        assertEquals(2, BigEndian.u16(d, 18));
        assertEquals(2, BigEndian.u16(d, 26));
    }

    @Test
    void reportTargetPortGroupsExtendedHeaderAndTruncation() {
        byte[] d = rtpg(p1, true, 4096).data();
        assertEquals(0x10, d[4]); // FORMAT TYPE 001b
        assertEquals(10, d[5]); // IMPLICIT TRANSITION TIME
        assertEquals(d.length - 4, BigEndian.u32(d, 0));
        RecordingTask four = rtpg(p1, false, 4);
        assertEquals(4, four.data().length);
        assertEquals(24, BigEndian.u32(four.data(), 0)); // the full length, as iscsi-test-cu RTPG.AllocLength needs
        assertInvalidCdbField(h.in(p1, 64, 0xA3, 0x4A, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0), 1, 7);
    }

    @Test
    void standbyPortRefusesMediumAccessWithTheStandbySense() {
        assertCheck(h.run(p2, 0x00, 0, 0, 0, 0, 0), SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
        assertCheck(h.run(p2, 0x00, 0, 0, 0, 0, 0),
                SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
        assertCheck(h.run(p2, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0),
                SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
        assertGood(h.in(p2, 96, 0x12, 0, 0, 0, 96, 0));
        assertGood(rtpg(p2, false, 255));
        assertGood(h.in(p2, 255, 0x1A, 0x08, 0x3F, 0, 255, 0)); // MODE SENSE in standby
        assertGood(h.in(p2, 255, 0x5E, 0, 0, 0, 0, 0, 0, 0, 255, 0)); // PERSISTENT RESERVE IN
        assertGood(h.run(p1, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0)); // the other path works
    }

    @Test
    void unavailableAndTransitioningRefuseMore() {
        assertEquals(SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED, h.requestSense(p2));
        groups.setAccessState(2, AsymmetricAccessState.UNAVAILABLE);
        assertCheck(h.run(p2, 0x00, 0, 0, 0, 0, 0), SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertCheck(h.in(p2, 255, 0x1A, 0x08, 0x3F, 0, 255, 0),
                SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE);
        assertGood(h.in(p2, 96, 0x12, 0, 0, 0, 96, 0));
        groups.setAccessState(2, AsymmetricAccessState.TRANSITIONING);
        assertCheck(h.run(p2, 0x00, 0, 0, 0, 0, 0), SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertCheck(h.run(p2, 0x00, 0, 0, 0, 0, 0),
                SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION);
        assertGood(h.in(p2, 96, 0x03, 0, 0, 0, 96, 0));
        assertEquals(0x0F, rtpg(p2, false, 255).data()[16]);
    }

    @Test
    void setTargetPortGroupsSwitchesPathsAndTellsTheOtherNexuses() {
        Nexus other = h.login(nexus("iqn.1994-05.com.redhat:b", 1, PORT_1));
        assertGood(stpg(p1, 0x02, 1, 0x00, 2));
        assertEquals(AsymmetricAccessState.STANDBY, groups.groupOf(1).state());
        assertEquals(AsymmetricAccessState.ACTIVE_OPTIMIZED, groups.groupOf(2).state());
        assertEquals(TargetPortGroup.ALTERED_BY_SET_TARGET_PORT_GROUPS, groups.groupOf(2).statusCode());
        assertCheck(h.run(other, 0x00, 0, 0, 0, 0, 0), SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertCheck(h.run(p1, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0),
                SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE); // no UA for the requester
        byte[] d = rtpg(p1, false, 255).data();
        assertEquals(0x01, d[9]); // status: altered by SET TARGET PORT GROUPS
    }

    @Test
    void setTargetPortGroupsRefusesUnknownGroupsAndStates() {
        assertInvalidParameter(stpg(p1, 0x00, 7), 6, -1);
        assertInvalidParameter(stpg(p1, 0x0F, 2), 4, 3); // transitioning cannot be asked for
        assertInvalidParameter(stpg(p1, 0x0E, 2), 4, 3); // offline is not modelled
        assertEquals(AsymmetricAccessState.STANDBY, groups.groupOf(2).state());
        assertCheck(h.out(p1, new byte[6], 0xA4, 0x0A, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0),
                SenseCode.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void oneModelSharedByTwoLogicalUnitsChangesBoth() {
        FakeDisk second = new FakeDisk();
        LogicalUnit lun1 = new LogicalUnit("lun1",
                LogicalUnitIdentity.of("LUNFORGE", "disk", "0001", UUID.randomUUID()), second,
                StateStore.inMemory(), groups);
        RecordingTask t = new RecordingTask(p1, org.lunforge.scsi.Cdb.of(0, 0, 0, 0, 0, 0), new byte[0], 0);
        lun1.execute(t); // power on
        groups.setAccessStates(Map.of(1, AsymmetricAccessState.ACTIVE_NON_OPTIMIZED), null);
        RecordingTask u = new RecordingTask(p1, org.lunforge.scsi.Cdb.of(0, 0, 0, 0, 0, 0), new byte[0], 0);
        lun1.execute(u);
        assertCheck(u, SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertCheck(h.run(p1, 0x00, 0, 0, 0, 0, 0), SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertGood(h.run(p1, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0)); // non-optimized still serves everything
        lun1.close();
    }

    @Test
    void theDefaultModelIsOneActiveGroupOfEveryPortSeen() {
        Harness plain = new Harness();
        Nexus x = plain.login(nexus("iqn.1994-05.com.redhat:x", 1, PORT_2));
        plain.login(nexus("iqn.1994-05.com.redhat:x", 1, PORT_1));
        byte[] d = plain.in(x, 255, 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0).data();
        assertEquals(4 + 8 + 2 * 4, d.length); // one group, two ports
        assertEquals(2, d[11]);
        assertEquals(1, BigEndian.u16(d, 14));
        assertEquals(2, BigEndian.u16(d, 18));
        assertTrue(plain.lu.portGroups().allActive());
    }
    @Test
    void reconfiguringMovesPortsAndStatesAndTellsEveryNexus() {
        assertEquals(SenseCode.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED, h.requestSense(p2));
        // The administrator swaps the roles: port 2 optimized in group 2, port 1 non-optimized in a new group 3.
        groups.reconfigure(TargetPortGroups.builder()
                .group(2, AsymmetricAccessState.ACTIVE_OPTIMIZED, true, 2)
                .group(3, AsymmetricAccessState.ACTIVE_NON_OPTIMIZED, false, 1).build());
        assertCheck(h.run(p1, 0x00, 0, 0, 0, 0, 0), SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertCheck(h.run(p2, 0x00, 0, 0, 0, 0, 0), SenseCode.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertGood(h.run(p2, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0)); // was standby, now serves
        assertEquals(3, groups.groupOf(1).id());
        assertEquals(TargetPortGroup.ALTERED_BY_IMPLICIT_TRANSITION, groups.groupOf(2).statusCode());
        byte[] d = rtpg(p1, false, 255).data();
        assertEquals(2 * 12, d.length - 4);
        assertEquals(0x80, d[4] & 0xFF); // group 2 first: PREF, active/optimized
        assertEquals(2, BigEndian.u16(d, 6));
        assertEquals(2, BigEndian.u16(d, 14)); // its port
        assertEquals(0x01, d[16]); // group 3: active/non-optimized
        assertEquals(3, BigEndian.u16(d, 18));
        assertEquals(1, BigEndian.u16(d, 26));
    }

    @Test
    void reconfiguringToTheSameLayoutTellsNobody() {
        h.requestSense(p2);
        groups.reconfigure(TargetPortGroups.builder()
                .group(1, AsymmetricAccessState.ACTIVE_OPTIMIZED, true, 1)
                .group(2, AsymmetricAccessState.STANDBY, false, 2).implicitTransitionSeconds(10).build());
        assertGood(h.run(p1, 0x00, 0, 0, 0, 0, 0));
        assertCheck(h.run(p2, 0x00, 0, 0, 0, 0, 0),
                SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
    }
}
