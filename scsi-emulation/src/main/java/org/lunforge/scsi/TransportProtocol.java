package org.lunforge.scsi;

/** SPC-4 7.6.1, table 444: the PROTOCOL IDENTIFIER of a port, as TransportIDs and designators carry it. */
public enum TransportProtocol {
    FCP(0x0),
    SPI(0x1),
    SSA(0x2),
    IEEE_1394(0x3),
    SRP(0x4),
    ISCSI(0x5),
    SAS(0x6),
    ADT(0x7),
    ATA(0x8),
    UAS(0x9),
    SOP(0xA),
    /** No specific protocol: the port behind the kernel's TCMU ring, whose fabric user space cannot see. */
    NONE(0xF);

    private final int identifier;

    TransportProtocol(int identifier) {
        this.identifier = identifier;
    }

    public int identifier() {
        return identifier;
    }
}
