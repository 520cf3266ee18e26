package org.lunforge.iscsi;

/**
 * What {@link IscsiDecoder} emits instead of a PDU it could frame but not accept: a data digest mismatch, reserved
 * bits set, an unknown opcode. The connection goes on; the receiver answers with a Reject carrying
 * {@link #header()} and, for a data digest error on a Data-Out, ends the task as RFC 7143 7.8 prescribes.
 *
 * @param reason the Reject reason (11.17.1)
 * @param header a copy of the 48-byte BHS
 * @param pdu the PDU decoded from its header, without data, when the header itself was sound (data digest
 *     errors), else null
 * @param dataSegmentLength the DataSegmentLength of the discarded PDU
 */
public record IscsiPduError(int reason, byte[] header, IscsiPdu pdu, int dataSegmentLength, String message) {
    public IscsiPduError {
        if (header.length != IscsiConstants.BHS_LENGTH) {
            throw new IllegalArgumentException("a BHS is 48 bytes");
        }
    }

    /** The Initiator Task Tag of the rejected PDU (bytes 16-19 of every BHS). */
    public int initiatorTaskTag() {
        return ((header[16] & 0xFF) << 24) | ((header[17] & 0xFF) << 16) | ((header[18] & 0xFF) << 8)
                | (header[19] & 0xFF);
    }

    public int opcode() {
        return header[0] & 0x3F;
    }
}
