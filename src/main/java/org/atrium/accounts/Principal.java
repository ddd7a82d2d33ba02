package org.atrium.accounts;

import java.time.Instant;
import java.util.UUID;

/**
 * What a session token or API key stands for, as stored now.
 *
 * @param userId       the account
 * @param credential   session or API key
 * @param credentialId the session's or key's id
 * @param expiresAt    when it stops working; {@link #NEVER} for a key without expiry
 */
public record Principal(UUID userId, Caller.Credential credential, UUID credentialId, Instant expiresAt) {

    /** The expiry of a key that does not expire. */
    public static final Instant NEVER = Instant.parse("9999-12-31T23:59:59Z");
}
