package org.lunforge.iscsi;

import io.netty.handler.codec.DecoderException;

/**
 * A PDU that breaks RFC 7143: a connection-level error, never a task error. {@link #rejectReason()} is the Reject
 * reason (11.17.1) the target answers with. A fatal error (a header digest mismatch, a data segment longer than we
 * declared) means the PDU boundaries can no longer be trusted: the decoder discards everything after it and the
 * connection is dropped. A non-fatal one concerns one PDU whose extent is known: the decoder turns it into an
 * {@link IscsiPduError}, that PDU is rejected and the connection goes on.
 */
public final class IscsiCodecException extends DecoderException {
    private final int rejectReason;
    private final boolean fatal;
    private final byte[] header;

    public IscsiCodecException(int rejectReason, boolean fatal, String message, byte[] header) {
        super(message);
        this.rejectReason = rejectReason;
        this.fatal = fatal;
        this.header = header;
    }

    /** A field of one PDU holds a value RFC 7143 forbids (reserved bits set, an unknown code): reject that PDU. */
    public static IscsiCodecException invalidField(String message) {
        return new IscsiCodecException(IscsiConstants.REJECT_INVALID_PDU_FIELD, false, message, null);
    }

    public int rejectReason() {
        return rejectReason;
    }

    public boolean fatal() {
        return fatal;
    }

    /** The BHS of the offending PDU, for the Reject's data segment, or null when it cannot be trusted. */
    public byte[] header() {
        return header == null ? null : header.clone();
    }
}
