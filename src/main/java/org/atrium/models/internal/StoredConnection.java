package org.atrium.models.internal;

import org.atrium.models.ConnectionKind;
import org.atrium.models.ConnectionTimeouts;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A registered connection's row, without its header values: what the never-stale cache keeps per scope.
 *
 * @param id          the id
 * @param name        the name
 * @param kind        the wire format
 * @param baseUrl     the API root
 * @param groupId     the owning group, or null for an instance connection
 * @param enabled     whether it is offered
 * @param urlSetByAdmin whether an instance admin set the base URL (only then may it reach internal addresses)
 * @param headerNames the names of its extra headers, sorted
 * @param timeouts    its timeouts
 * @param revision    raised by every change
 * @param createdAt   creation time
 * @param updatedAt   last change
 */
public record StoredConnection(UUID id, String name, ConnectionKind kind, String baseUrl, @Nullable UUID groupId,
                               boolean enabled, boolean urlSetByAdmin, List<String> headerNames,
                               ConnectionTimeouts timeouts, long revision, Instant createdAt, Instant updatedAt) {

    /** Freezes the list. */
    public StoredConnection {
        headerNames = List.copyOf(headerNames);
    }

    /**
     * The rows of one cache scope, as one cacheable value.
     *
     * @param items the connections, by name
     */
    public record Set(List<StoredConnection> items) {
        /** Freezes the list. */
        public Set {
            items = List.copyOf(items);
        }
    }
}
