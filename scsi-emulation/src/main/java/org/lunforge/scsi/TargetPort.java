package org.lunforge.scsi;

/**
 * A target port of the SCSI target device (SAM-5 4.6.6). For iSCSI a target port is a target name plus a target
 * portal group tag; every portal of that group reaches the same port.
 *
 * @param relativeId the RELATIVE TARGET PORT IDENTIFIER (SPC-4 7.8.6.7), 1..65535, unique in the target device
 * @param name the port's name, e.g. {@code iqn...,t,0x0001}, as the SCSI name string designator reports it
 */
public record TargetPort(int relativeId, String name, TransportProtocol protocol) {
    public TargetPort {
        if (relativeId < 1 || relativeId > 0xFFFF) {
            throw new IllegalArgumentException("relative target port identifier out of range: " + relativeId);
        }
    }

    public static TargetPort iscsi(int relativeId, String targetName, int portalGroupTag) {
        return new TargetPort(relativeId, "%s,t,0x%04x".formatted(targetName, portalGroupTag), TransportProtocol.ISCSI);
    }

    @Override
    public String toString() {
        return name + "#" + relativeId;
    }
}
