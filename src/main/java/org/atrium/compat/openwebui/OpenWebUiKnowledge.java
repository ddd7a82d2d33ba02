package org.atrium.compat.openwebui;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import org.atrium.knowledge.Access;
import org.atrium.knowledge.Collection;
import org.atrium.knowledge.CollectionFile;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A collection in Open WebUI's shape of a knowledge base ({@code KnowledgeModel}, with {@code write_access} and, where
 * asked, its {@code files}).
 *
 * @param userId        the owner, for a personal collection; {@code null} for a group's
 * @param data          always {@code null}
 * @param meta          always {@code null}
 * @param accessControl {@code {}} (private) for a personal collection; for a group's, its group may read it
 * @param files         its files, or {@code null} where Open WebUI leaves them out
 */
@Schema(name = "OpenWebUiKnowledge", description = "A collection as Open WebUI's knowledge base.")
record OpenWebUiKnowledge(
        UUID id,
        @JsonProperty("user_id") @Nullable UUID userId,
        String name,
        String description,
        @Schema(nullable = true) @Nullable Object data,
        @Schema(nullable = true) @Nullable Object meta,
        @JsonProperty("access_control") Map<String, Object> accessControl,
        @JsonProperty("write_access") boolean writeAccess,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("updated_at") long updatedAt,
        @Schema(nullable = true) @Nullable List<FileEntry> files) {

    /**
     * A file of a knowledge base, as Open WebUI's {@code FileMetadataResponse}.
     *
     * @param status    where its ingestion into the collection's embedding model stands (Open WebUI's words)
     * @param createdAt when it was added to the collection, epoch seconds
     * @param updatedAt the same (Atrium keeps no later change of a link)
     */
    @Schema(name = "OpenWebUiFileEntry", description = "A file of a knowledge base: id, meta, epoch-second times.")
    record FileEntry(UUID id, OpenWebUiFile.Meta meta, @Schema(example = "completed") String status,
                     @JsonProperty("created_at") long createdAt, @JsonProperty("updated_at") long updatedAt) {

        static FileEntry of(CollectionFile file) {
            String status = switch (file.status()) {
                case READY -> "completed";
                case FAILED -> "failed";
                default -> "pending";
            };
            long added = file.addedAt().getEpochSecond();
            return new FileEntry(file.fileId(), new OpenWebUiFile.Meta(file.name(), file.mediaType(),
                    file.sizeBytes(), file.metadata()), status, added, added);
        }
    }

    /** The view of a collection, with its files or without ({@code null}). */
    static OpenWebUiKnowledge of(Collection collection, @Nullable List<CollectionFile> files) {
        Map<String, Object> accessControl = collection.ownerGroupId() == null ? Map.of()
                : Map.of("read", Map.of("group_ids", List.of(collection.ownerGroupId()), "user_ids", List.of()));
        return new OpenWebUiKnowledge(collection.id(), collection.ownerUserId(), collection.name(),
                collection.description(), null, null, accessControl,
                collection.access() == Access.WRITE || collection.access() == Access.MANAGE,
                collection.createdAt().getEpochSecond(), collection.updatedAt().getEpochSecond(),
                files == null ? null : files.stream().map(FileEntry::of).toList());
    }

    /**
     * A page of knowledge bases, as Open WebUI's {@code KnowledgeAccessListResponse}.
     *
     * @param items this page
     * @param total how many there are in all
     */
    @Schema(name = "OpenWebUiListing", description = "A page of knowledge bases (30 a page).")
    record Listing(List<OpenWebUiKnowledge> items, long total) {
    }
}
