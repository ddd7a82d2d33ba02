package org.atrium.compat.openwebui;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import org.atrium.knowledge.IngestionStatus;
import org.atrium.knowledge.KnowledgeFile;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A file as {@code GET /api/v1/files/{id}} answers it: Atrium's fields ({@link KnowledgeFile}, camelCase) and Open
 * WebUI's ({@code FileModel}, snake_case) side by side, none of which share a name but {@code id}, so that Atrium's
 * clients and Open WebUI's scripts read the same answer. Uploads through {@code POST /api/v1/files/} add
 * {@code "status": true}, as Open WebUI does.
 *
 * @param status       {@code true} on an upload's answer; absent otherwise
 * @param userId       who uploaded it ({@code null} once that account is deleted)
 * @param hash         the SHA-256 of its bytes, hex
 * @param filename     the name it was uploaded with
 * @param path         never set: Atrium does not disclose where bytes are stored
 * @param data         where its processing stands
 * @param meta         its name, type, size and key-value metadata
 * @param createdAtUnix when it was uploaded, epoch seconds
 * @param updatedAtUnix its last change (its latest ingestion change), epoch seconds
 */
@Schema(name = "OpenWebUiFile", description = "A file: Atrium's fields (camelCase) and Open WebUI's `FileModel` fields (snake_case) together.")
record OpenWebUiFile(
        UUID id, String name, String mediaType, long sizeBytes, String sha256, @Nullable UUID uploadedBy,
        Instant createdAt, List<KnowledgeFile.Ingestion> indexes, Map<String, String> metadata,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(description = "`true` on an upload's answer.",
                nullable = true) @Nullable Boolean status,
        @JsonProperty("user_id") @Nullable UUID userId,
        String hash,
        String filename,
        @Schema(description = "Always null: where the bytes are stored is not disclosed.", nullable = true)
        @Nullable String path,
        Data data,
        Meta meta,
        @JsonProperty("created_at") long createdAtUnix,
        @JsonProperty("updated_at") long updatedAtUnix) {

    /**
     * Open WebUI's {@code data}: the processing status and, when it failed, why.
     *
     * @param status {@code pending}, {@code completed} or {@code failed}
     * @param error  why it failed; absent otherwise
     */
    @Schema(name = "OpenWebUiData", description = "Processing status: `pending`, `completed` or `failed` (with `error`).")
    record Data(@Schema(example = "completed") String status,
                @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String error) {
    }

    /**
     * Open WebUI's {@code meta}.
     *
     * @param name        the name it was uploaded with
     * @param contentType the type Atrium detected from the content
     * @param size        its size in bytes
     * @param data        the key-value metadata given at upload
     */
    @Schema(name = "OpenWebUiMeta", description = "Name, type (detected from the content), size and the metadata given at upload.")
    record Meta(String name, @JsonProperty("content_type") String contentType, long size,
                Map<String, String> data) {
    }

    /** The view of a file; {@code uploaded} marks an upload's answer. */
    static OpenWebUiFile of(KnowledgeFile file, boolean uploaded) {
        Instant updated = file.indexes().stream().map(KnowledgeFile.Ingestion::updatedAt)
                .max(Comparator.naturalOrder()).filter(at -> at.isAfter(file.createdAt())).orElse(file.createdAt());
        return new OpenWebUiFile(file.id(), file.name(), file.mediaType(), file.sizeBytes(), file.sha256(),
                file.uploadedBy(), file.createdAt(), file.indexes(), file.metadata(), uploaded ? Boolean.TRUE : null,
                file.uploadedBy(), file.sha256(), file.name(), null, processing(file),
                new Meta(file.name(), file.mediaType(), file.sizeBytes(), file.metadata()),
                file.createdAt().getEpochSecond(), updated.getEpochSecond());
    }

    /**
     * Where a file's processing stands, in Open WebUI's words, over its ingestion in every embedding model that
     * indexes it: {@code pending} while one is still queued or running, then {@code failed} when one failed,
     * {@code completed} when all are ready. A file no model indexes cannot be searched: {@code failed}.
     */
    static Data processing(KnowledgeFile file) {
        if (file.indexes().isEmpty()) {
            return new Data("failed", "No embedding model indexes this file: an admin must set one for your"
                    + " account or group.");
        }
        KnowledgeFile.Ingestion failed = null;
        for (KnowledgeFile.Ingestion index : file.indexes()) {
            if (index.status() != IngestionStatus.READY && index.status() != IngestionStatus.FAILED) {
                return new Data("pending", null);
            }
            if (index.status() == IngestionStatus.FAILED && failed == null) {
                failed = index;
            }
        }
        return failed == null ? new Data("completed", null)
                : new Data("failed", failed.failureReason() == null ? failed.failureCode() : failed.failureReason());
    }

    /** Whether processing has stopped moving ({@code completed} or {@code failed}). */
    static boolean settled(Data data) {
        return !"pending".equals(data.status());
    }
}
