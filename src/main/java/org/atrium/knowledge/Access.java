package org.atrium.knowledge;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a caller may do with a collection; each level includes the ones before it. */
public enum Access {
    /** See the collection and retrieve from it. */
    @JsonProperty("read") READ,
    /** Also rename it and, later, add and remove files. */
    @JsonProperty("write") WRITE,
    /** Also delete it and decide who else may read or write it: its owner, the owning group's admins, instance admins. */
    @JsonProperty("manage") MANAGE;

    /**
     * @param other a level
     * @return whether this level allows what {@code other} allows
     */
    public boolean includes(Access other) {
        return compareTo(other) >= 0;
    }
}
