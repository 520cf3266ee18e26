package org.lunforge.iscsi;

/** A portal could not be bound: the address is in use, or not an address of this host. */
public final class IscsiPortalException extends RuntimeException {
    public IscsiPortalException(String message, Throwable cause) {
        super(message, cause);
    }
}
