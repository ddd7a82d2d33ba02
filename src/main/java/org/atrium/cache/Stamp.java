package org.atrium.cache;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The versions of the scopes a cached value was computed from, read in the same database snapshot as the value.
 *
 * @param versions scope key to version; a scope never written has version 0
 */
public record Stamp(SortedMap<String, Long> versions) {

    /** Copies and freezes the map. */
    public Stamp {
        versions = Collections.unmodifiableSortedMap(new TreeMap<>(versions));
    }

    /**
     * @param versions scope key to version
     * @return the stamp
     */
    public static Stamp of(Map<String, Long> versions) {
        return new Stamp(new TreeMap<>(versions));
    }

    /**
     * Combines two stamps (a value computed from both inputs depends on both).
     *
     * @param other the other stamp
     * @return the union; a scope in both keeps the larger version
     */
    public Stamp and(Stamp other) {
        TreeMap<String, Long> merged = new TreeMap<>(versions);
        other.versions.forEach((scope, version) -> merged.merge(scope, version, Math::max));
        return new Stamp(merged);
    }

    /**
     * @param other another stamp
     * @return whether every scope of the other stamp is in this one with the same version
     */
    boolean agreesWith(Stamp other) {
        for (Map.Entry<String, Long> scope : other.versions.entrySet()) {
            if (!scope.getValue().equals(versions.get(scope.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** @return the compact form stored in Redis: {@code g:...=3;i=7;u:...=12} */
    String encode() {
        StringBuilder encoded = new StringBuilder();
        versions.forEach((scope, version) -> {
            if (!encoded.isEmpty()) {
                encoded.append(';');
            }
            encoded.append(scope).append('=').append(version);
        });
        return encoded.toString();
    }
}
