package org.lunforge.scsi;

import java.util.Objects;

/**
 * An I_T nexus (SAM-5 4.6.7): the relationship between one initiator port and one target port. Unit attentions,
 * reservations and the sense format are kept per nexus, so this is the key for all of them.
 */
public record Nexus(InitiatorPort initiator, TargetPort target) {
    public Nexus {
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(target, "target");
    }

    @Override
    public String toString() {
        return initiator + " -> " + target;
    }
}
