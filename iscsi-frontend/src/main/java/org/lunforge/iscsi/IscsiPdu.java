package org.lunforge.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One iSCSI PDU (RFC 7143 11): the decoded Basic Header Segment, its AHS where the opcode has one, and the data
 * segment without padding or digest. Records of this hierarchy are what {@link IscsiDecoder} emits and
 * {@link IscsiEncoder} writes.
 *
 * <p>Reference counting: {@link #data()} is owned by the PDU. Whoever receives a PDU releases it exactly once with
 * {@link #release()} (or passes it on); building a PDU transfers ownership of the buffer given to it.
 */
public sealed interface IscsiPdu permits IscsiNopOut, IscsiScsiCommand, IscsiTaskManagementRequest,
        IscsiLoginRequest, IscsiTextRequest, IscsiDataOut, IscsiLogoutRequest, IscsiSnackRequest, IscsiNopIn,
        IscsiScsiResponse, IscsiTaskManagementResponse, IscsiLoginResponse, IscsiTextResponse, IscsiDataIn,
        IscsiLogoutResponse, IscsiR2t, IscsiAsyncMessage, IscsiReject {

    IscsiOpcode opcode();

    int initiatorTaskTag();

    /** The data segment, padding and digest excluded; empty for PDUs without one. */
    default ByteBuf data() {
        return Unpooled.EMPTY_BUFFER;
    }

    /**
     * Writes the 48-byte BHS. TotalAHSLength and DataSegmentLength (bytes 4-7) are written as zero: the encoder
     * fills them from {@link #ahsLength()} and {@link #data()}.
     */
    void encodeHeader(ByteBuf out);

    /** Bytes of AHS this PDU carries, a multiple of 4 (only a SCSI Command has any). */
    default int ahsLength() {
        return 0;
    }

    default void encodeAhs(ByteBuf out) {
    }

    /** Releases the data segment (the shared empty buffer ignores it). */
    default void release() {
        data().release();
    }
}
