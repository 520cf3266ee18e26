package org.lunforge.device.changer;

import java.util.Objects;

/**
 * Why the library refused or failed a medium movement, and which element of the command was at fault. The library
 * reports outcomes; {@link MediumChangerDevice} alone turns them into sense data, pointing at the CDB field of the
 * element's {@link Role}.
 */
public final class ElementException extends RuntimeException {
    /** The abstract outcome. */
    public enum Reason {
        /** No element has this address, or the element cannot take part (the medium transport as a source). */
        INVALID_ELEMENT_ADDRESS,
        /** The element a cartridge should come from is empty. */
        SOURCE_EMPTY,
        /** The element a cartridge should go to is full. */
        DESTINATION_FULL,
        /** The move would expose the cartridge while removal is prevented: into a locked import/export element, or out
         * of a drive whose medium removal its initiator prevented. */
        MEDIUM_REMOVAL_PREVENTED,
        /** The element is out of the medium transport's reach: an import/export element while its door is open. */
        ELEMENT_NOT_ACCESSIBLE,
        /** The drive failed to load or to unload the cartridge; nothing moved. */
        LOAD_OR_UNLOAD_FAILED,
        /** The new inventory could not be saved; nothing moved. */
        INVENTORY_NOT_SAVED
    }

    /** Which element of the command: selects the CDB field a sense key specific field pointer points at. */
    public enum Role {
        SOURCE,
        DESTINATION,
        /** EXCHANGE MEDIUM's second destination. */
        SECOND_DESTINATION,
        /** The element of a command that names one: POSITION TO ELEMENT, INITIALIZE ELEMENT STATUS WITH RANGE. */
        ELEMENT
    }

    private final Reason reason;
    private final Role role;

    public ElementException(Reason reason, Role role, String message) {
        this(reason, role, message, null);
    }

    public ElementException(Reason reason, Role role, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.role = Objects.requireNonNull(role, "role");
    }

    public Reason reason() {
        return reason;
    }

    public Role role() {
        return role;
    }
}
