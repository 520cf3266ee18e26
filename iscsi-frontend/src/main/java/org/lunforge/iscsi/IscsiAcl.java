package org.lunforge.iscsi;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one initiator may do on a target: which LUNs it sees, which of them it may only read, and how it
 * authenticates.
 *
 * @param initiatorName the initiator's iSCSI name, compared as RFC 3722 normalises (case-insensitively)
 * @param lunMapping the LUN the initiator sees → the target's LUN; null maps every LUN of the target as it is
 * @param chap credentials the initiator must prove (CHAP), or null: then the target's settings decide
 * @param mutualChap credentials the target proves when the initiator asks for mutual CHAP, or null
 * @param writeProtectedLuns LUNs as the initiator sees them (keys of {@code lunMapping}) it reaches write protected
 *     (LIO's mapped LUN write_protect): its writes there fail with DATA PROTECT, and MODE SENSE shows it WP
 */
public record IscsiAcl(String initiatorName, Map<Integer, Integer> lunMapping, IscsiChapCredentials chap,
                       IscsiChapCredentials mutualChap, Set<Integer> writeProtectedLuns) {
    public IscsiAcl {
        Objects.requireNonNull(initiatorName, "initiatorName");
        if (lunMapping != null) {
            lunMapping = Map.copyOf(new TreeMap<>(lunMapping));
        }
        if (chap != null && mutualChap != null && chap.secret().equals(mutualChap.secret())) {
            throw new IllegalArgumentException("RFC 7143 9.2.1: the initiator's and the target's CHAP secrets differ");
        }
        writeProtectedLuns = Set.copyOf(writeProtectedLuns);
        if (!writeProtectedLuns.isEmpty() && (lunMapping == null
                || !lunMapping.keySet().containsAll(writeProtectedLuns))) {
            throw new IllegalArgumentException("write-protected LUNs " + writeProtectedLuns + " are not all mapped");
        }
    }

    /** An ACL whose mapped LUNs are all writable. */
    public IscsiAcl(String initiatorName, Map<Integer, Integer> lunMapping, IscsiChapCredentials chap,
                    IscsiChapCredentials mutualChap) {
        this(initiatorName, lunMapping, chap, mutualChap, Set.of());
    }

    /** Every LUN of the target, no CHAP of its own. */
    public static IscsiAcl allLuns(String initiatorName) {
        return new IscsiAcl(initiatorName, null, null, null);
    }
}
