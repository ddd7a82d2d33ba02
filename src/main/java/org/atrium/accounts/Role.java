package org.atrium.accounts;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Locale;

/** An account's instance-wide role. */
public enum Role {
    /** Signed up, waiting for an admin's approval: may only see their own account and sign out. */
    @JsonProperty("pending") PENDING,
    /** A member of the workspace. */
    @JsonProperty("user") USER,
    /** An instance admin: manages every user, group and setting. */
    @JsonProperty("admin") ADMIN;

    /** @return the lower-case name used in the API and the database */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses the lower-case name.
     *
     * @param value {@code pending}, {@code user} or {@code admin}
     * @return the role
     * @throws IllegalArgumentException for any other value
     */
    public static Role of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
