package org.atrium.cache;

import java.util.UUID;

/**
 * Something cached values depend on, with one version: the instance settings, one user (their row, overrides,
 * memberships and credentials), or one group (its row, settings and credentials).
 *
 * @param key the scope's key: {@code i}, {@code u:<user id>} or {@code g:<group id>}
 */
public record Scope(String key) implements Comparable<Scope> {

    /** The instance-wide settings and credentials. */
    public static final Scope INSTANCE = new Scope("i");

    /** Validates the key. */
    public Scope {
        if (!key.equals("i") && !key.matches("[ug]:[0-9a-f-]{36}")) {
            throw new IllegalArgumentException("not a scope key: " + key);
        }
    }

    /**
     * @param userId the user
     * @return the user's scope
     */
    public static Scope user(UUID userId) {
        return new Scope("u:" + userId);
    }

    /**
     * @param groupId the group
     * @return the group's scope
     */
    public static Scope group(UUID groupId) {
        return new Scope("g:" + groupId);
    }

    @Override
    public int compareTo(Scope other) {
        return key.compareTo(other.key);
    }

    @Override
    public String toString() {
        return key;
    }
}
