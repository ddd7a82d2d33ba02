package org.atrium.accounts;

import org.atrium.platform.AtriumException;

import java.util.UUID;

/**
 * Who is making the current request, read from current data on every request (never from a token claim).
 *
 * @param userId       the account's id
 * @param email        the account's e-mail address
 * @param name         the display name
 * @param role         the role as stored now
 * @param credential   how the caller authenticated
 * @param credentialId the session's or API key's id
 */
public record Caller(UUID userId, String email, String name, Role role, Credential credential, UUID credentialId) {

    /** How a caller proved who they are. */
    public enum Credential {
        /** A session token from signing in (cookie or bearer). */
        SESSION,
        /** A personal API key (bearer or {@code x-api-key}). */
        API_KEY
    }

    /** @return whether the caller is an instance admin */
    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /**
     * Fails unless the caller is an instance admin.
     *
     * @throws AtriumException {@code admin_required} (403)
     */
    public void requireAdmin() {
        if (!isAdmin()) {
            throw AtriumException.forbidden("admin_required", "Only an instance admin may do this.");
        }
    }
}
