package org.atrium.accounts;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Locale;

/** A member's role inside one group. */
public enum GroupRole {
    /** Belongs to the group and inherits what it grants. */
    @JsonProperty("member") MEMBER,
    /** Also manages the group's members (and, later, its settings). */
    @JsonProperty("admin") ADMIN;

    /** @return the lower-case name used in the API and the database */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static GroupRole of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
