package org.lunforge.iscsi;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A CHAP name and secret (RFC 7143 12.1.3). RFC 7143 9.2.1 wants secrets of at least 96 bits when CHAP runs
 * without IPsec, so a secret shorter than 12 bytes is refused; 255 bytes is the longest a text value may be.
 */
public record IscsiChapCredentials(String user, String secret) {
    public IscsiChapCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(secret, "secret");
        if (user.isEmpty() || user.getBytes(StandardCharsets.UTF_8).length > IscsiText.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("CHAP user must be 1 to 255 bytes");
        }
        int length = secret.getBytes(StandardCharsets.UTF_8).length;
        if (length < 12 || length > IscsiText.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("CHAP secret must be 12 to 255 bytes (RFC 7143 9.2.1), not " + length);
        }
    }

    @Override
    public String toString() {
        return "IscsiChapCredentials[" + user + ", secret hidden]";
    }
}
