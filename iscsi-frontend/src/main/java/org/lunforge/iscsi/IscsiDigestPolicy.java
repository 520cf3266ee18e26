package org.lunforge.iscsi;

/** Which HeaderDigest/DataDigest values the target accepts (RFC 7143 13.1): the initiator's order picks among them. */
public enum IscsiDigestPolicy {
    /** Only None. */
    NEVER,
    /** None and CRC32C, the initiator's preference first. */
    OPTIONAL,
    /** Only CRC32C: an initiator that offers no CRC32C gets HeaderDigest=Reject and the login fails. */
    REQUIRED;

    boolean accepts(String value) {
        return switch (value) {
            case "None" -> this != REQUIRED;
            case "CRC32C" -> this != NEVER;
            default -> false;
        };
    }
}
