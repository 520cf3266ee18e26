package org.lunforge.scsi.spc;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lunforge.scsi.AsymmetricAccessState;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.Nexus;
import org.lunforge.scsi.SenseCode;
import org.lunforge.scsi.TargetPortGroup;
import org.lunforge.scsi.TargetPortGroups;

/**
 * REPORT TARGET PORT GROUPS (SPC-4 6.37) and SET TARGET PORT GROUPS (6.45), and the ALUA part of the access check
 * (5.16.2.4): which commands a port in each asymmetric access state lets through, and with which NOT READY sense it
 * refuses the others.
 */
final class TargetPortGroupCommands {
    /** Support bits of each descriptor: T_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP (no offline, no LBA dependent). */
    private static final int SUPPORTED_STATES = 0x80 | 0x08 | 0x04 | 0x02 | 0x01;

    private final TargetPortGroups portGroups;

    TargetPortGroupCommands(TargetPortGroups portGroups) {
        this.portGroups = portGroups;
    }

    /** SPC-4 6.37: RETURN DATA LENGTH, the extended header if asked for, then one descriptor per group. */
    byte[] report(SpcCommand.ReportTargetPortGroups r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int header = r.extendedHeader() ? 8 : 4;
        out.writeBytes(new byte[header]);
        for (TargetPortGroup g : portGroups.groups()) {
            int[] ports = portGroups.portsOf(g.id());
            byte[] d = new byte[8 + 4 * ports.length];
            d[0] = (byte) ((g.preferred() ? 0x80 : 0) | g.state().code());
            d[1] = (byte) SUPPORTED_STATES;
            BigEndian.put16(d, 2, g.id());
            d[5] = (byte) g.statusCode();
            d[7] = (byte) Math.min(ports.length, 0xFF);
            for (int i = 0; i < ports.length; i++) {
                BigEndian.put16(d, 8 + 4 * i + 2, ports[i]);
            }
            out.writeBytes(d);
        }
        byte[] data = out.toByteArray();
        BigEndian.put32(data, 0, data.length - 4);
        if (r.extendedHeader()) {
            data[4] = 0x10; // FORMAT TYPE 001b
            data[5] = (byte) portGroups.implicitTransitionSeconds();
        }
        return data;
    }

    /**
     * SPC-4 6.45: a 4-byte header, then 4-byte descriptors (ASYMMETRIC ACCESS STATE, TARGET PORT GROUP). Only the
     * primary states may be asked for; an unknown group or state is INVALID FIELD IN PARAMETER LIST at its field.
     */
    void set(Nexus nexus, byte[] data) {
        if (data.length == 0) {
            return; // a zero PARAMETER LIST LENGTH is not an error (SPC-4 6.45)
        }
        if (data.length < 4 || (data.length - 4) % 4 != 0) {
            throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        Map<Integer, AsymmetricAccessState> states = new LinkedHashMap<>();
        for (int at = 4; at < data.length; at += 4) {
            AsymmetricAccessState s = AsymmetricAccessState.of(data[at] & 0x0F);
            if (s == null || s == AsymmetricAccessState.TRANSITIONING) {
                throw CheckCondition.invalidFieldInParameterList(at, 3);
            }
            int group = BigEndian.u16(data, at + 2);
            if (portGroups.groups().stream().noneMatch(g -> g.id() == group)) {
                throw CheckCondition.invalidFieldInParameterList(at + 2, -1);
            }
            states.put(group, s);
        }
        if (!states.isEmpty()) {
            portGroups.setAccessStates(states, nexus);
        }
    }

    /** Refuses an operation a port in a non-active state does not let through (SPC-4 5.16.2.4.4 to 5.16.2.5). */
    static void check(AsymmetricAccessState state, boolean allowedInStandby, boolean allowedInUnavailable) {
        switch (state) {
            case ACTIVE_OPTIMIZED, ACTIVE_NON_OPTIMIZED -> { }
            case STANDBY -> {
                if (!allowedInStandby) {
                    throw new CheckCondition(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE);
                }
            }
            case UNAVAILABLE -> {
                if (!allowedInUnavailable) {
                    throw new CheckCondition(SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE);
                }
            }
            case TRANSITIONING -> {
                if (!allowedInUnavailable) {
                    throw new CheckCondition(
                            SenseCode.LOGICAL_UNIT_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION);
                }
            }
        }
    }
}
