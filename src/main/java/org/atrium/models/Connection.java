package org.atrium.models;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A provider connection as admins see it. Header values are never shown: only their names.
 *
 * @param id          the id: a UUID for a registered connection, {@code config:<name>} for a configured one
 * @param name        the name credentials and settings use ({@code openai}, {@code research-gateway})
 * @param kind        the wire format
 * @param baseUrl     the API root
 * @param source      {@code configuration} (read-only, from {@code atrium.providers.connections.*}),
 *                    {@code instance} or {@code group}
 * @param groupId     the owning group, for a group's connection
 * @param enabled     whether members are offered it
 * @param headerNames the names of its extra request headers, sorted
 * @param timeouts    its call timeouts
 * @param revision    raised by every change
 * @param createdAt   when it was registered (null for configured ones)
 * @param updatedAt   when it last changed (null for configured ones)
 */
@Schema(description = "A provider connection. Header values are never returned.")
public record Connection(
        @Schema(example = "5f0c6c1e-8a4b-4b5e-9d3c-2a1b0c9d8e7f") String id,
        @Schema(example = "research-gateway") String name,
        @Schema(example = "openai") ConnectionKind kind,
        @Schema(example = "https://gateway.example.org/v1") URI baseUrl,
        @Schema(example = "instance", allowableValues = {"configuration", "instance", "group"}) String source,
        @Schema(example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f", nullable = true) @Nullable UUID groupId,
        @Schema(example = "true") boolean enabled,
        @Schema(example = "[\"x-tenant\"]") List<String> headerNames,
        ConnectionTimeouts timeouts,
        @Schema(example = "3") long revision,
        @Schema(example = "2026-12-02T08:00:00Z", nullable = true) @Nullable Instant createdAt,
        @Schema(example = "2026-12-02T08:00:00Z", nullable = true) @Nullable Instant updatedAt) {

    /** The {@link #source} of a connection from {@code atrium.providers.connections.*}. */
    public static final String CONFIGURATION = "configuration";
    /** The {@link #source} of an instance admin's connection. */
    public static final String INSTANCE = "instance";
    /** The {@link #source} of a group's connection. */
    public static final String GROUP = "group";
    /** Prefix of the ids of configured connections. */
    public static final String CONFIGURED_ID_PREFIX = "config:";

    /** Freezes the list. */
    public Connection {
        headerNames = List.copyOf(headerNames);
    }

    /** @return whether it comes from configuration and cannot be changed through the API */
    public boolean readOnly() {
        return source.equals(CONFIGURATION);
    }
}
