package org.atrium.knowledge;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.UUID;

/**
 * A knowledge collection, as the caller sees it.
 *
 * @param id           its id
 * @param name         its name
 * @param description  what it holds
 * @param ownerUserId  the user it belongs to, for a personal collection
 * @param ownerGroupId the group it belongs to, for a group collection
 * @param language     the language its keyword search stems words in (a PostgreSQL text search configuration)
 * @param access       what the caller may do with it
 * @param createdAt    when it was created
 * @param updatedAt    when it was last changed
 * @param files        its files by ingestion status
 */
@Schema(description = "A knowledge collection.")
public record Collection(
        @Schema(example = "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f") UUID id,
        @Schema(example = "Lab handbook") String name,
        @Schema(example = "Protocols and safety rules") String description,
        @Schema(nullable = true) @Nullable UUID ownerUserId,
        @Schema(example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f", nullable = true) @Nullable UUID ownerGroupId,
        @Schema(example = "english") String language,
        @Schema(example = "manage") Access access,
        Instant createdAt,
        Instant updatedAt,
        FileCounts files) {
}
