package org.atrium.accounts;

import org.atrium.platform.AtriumException;

import java.util.Set;
import java.util.UUID;

/**
 * Who is making the current request, with their role and permissions as they are now: built by the effective-state
 * resolver for every request, never taken from a token.
 *
 * @param userId       the account's id
 * @param email        the account's e-mail address
 * @param name         the display name
 * @param role         the role
 * @param credential   how the caller authenticated
 * @param credentialId the session's or API key's id
 * @param permissions  the permissions granted by inherited settings (instance admins hold them all)
 */
public record Caller(UUID userId, String email, String name, Role role, Credential credential, UUID credentialId,
                     Set<Permission> permissions) {

    /** Freezes the permissions. */
    public Caller {
        permissions = Set.copyOf(permissions);
    }

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

    /**
     * @param permission a permission
     * @return whether the caller holds it (instance admins hold all): what {@link #require} checks
     */
    public boolean holds(Permission permission) {
        return isAdmin() || permissions.contains(permission);
    }

    /**
     * Fails unless the caller holds a permission (instance admins hold all).
     *
     * @param permission the permission
     * @throws AtriumException {@code permission_denied} (403)
     */
    public void require(Permission permission) {
        if (!holds(permission)) {
            throw AtriumException.forbidden("permission_denied",
                    "Your groups do not grant you this permission. Ask a group admin.");
        }
    }
}
