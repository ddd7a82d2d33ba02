package org.atrium.compat.openwebui;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.atrium.knowledge.Collection;
import org.atrium.knowledge.CollectionFile;
import org.atrium.knowledge.CollectionService;
import org.atrium.knowledge.FileService;
import org.atrium.knowledge.KnowledgeFile;
import org.atrium.platform.AtriumException;
import org.atrium.platform.Page;
import org.atrium.platform.SafeDisplayName;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Open WebUI's knowledge endpoints for API-key scripts, over Atrium's collections: a knowledge base is a collection,
 * and every rule (who may read, write, delete; what adding and removing a file does) is the collection's.
 */
@RestController
@Tag(name = "Open WebUI compatibility")
class OpenWebUiKnowledgeController {

    /** Knowledge bases a page, as Open WebUI lists them. */
    static final int PAGE_SIZE = 30;
    /** Most files listed with one knowledge base: the answer stays bounded however large the collection. */
    static final int MAX_FILES_LISTED = 1000;
    private static final String NOT_FOUND = "`collection_not_found`: no such knowledge base, or not yours";

    private final CollectionService collections;
    private final FileService files;

    OpenWebUiKnowledgeController(CollectionService collections, FileService files) {
        this.collections = collections;
        this.files = files;
    }

    @Schema(name = "OpenWebUiCreateForm", description = "Open WebUI's `KnowledgeForm`; `data` and `access_control` are ignored.")
    record CreateForm(@Schema(example = "Lab handbook") @NotBlank @Size(max = 200) @SafeDisplayName String name,
                      @Schema(example = "Protocols and safety rules", nullable = true) @Nullable @Size(max = 2000)
                      String description) {
    }

    @Schema(name = "OpenWebUiFileIdForm", description = "Open WebUI's `KnowledgeFileIdForm`; `directory_id` is ignored.")
    record FileIdForm(@JsonProperty("file_id") @Schema(example = "5b0c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e") @NotNull
                      UUID fileId,
                      @JsonProperty("directory_id") @Schema(description = "Ignored: Atrium has no folders in"
                              + " collections.", example = "root", nullable = true) @Nullable @Size(max = 255)
                      String directoryId) {
    }

    @GetMapping("/api/v1/knowledge/")
    @Operation(summary = "List knowledge bases (Open WebUI)",
            description = "The collections the caller may read, 30 a page by name, as `{\"items\", \"total\"}`; each"
                    + " with `write_access`.")
    @ApiResponse(responseCode = "200", description = "One page.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `page` below 1 or above 100000.")
    OpenWebUiKnowledge.Listing list(EffectiveState state,
                                    @Parameter(description = "The page, from 1.") @RequestParam(defaultValue = "1")
                                    @Min(1) @Max(100_000) int page) {
        Page<Collection> found = collections.list(state, (page - 1) * PAGE_SIZE, PAGE_SIZE);
        return new OpenWebUiKnowledge.Listing(found.items().stream()
                .map(collection -> OpenWebUiKnowledge.of(collection, null)).toList(), found.total());
    }

    @PostMapping("/api/v1/knowledge/create")
    @Operation(summary = "Create a knowledge base (Open WebUI)",
            description = "Creates a personal collection named so. Needs `permissions.createCollections`.")
    @ApiResponse(responseCode = "200", description = "The knowledge base (`files` null).")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `name` blank, longer than 200 characters"
            + " or with invisible characters; `description` longer than 2000.")
    @ApiResponse(responseCode = "403", description = "`permission_denied`: creating collections is not granted.")
    OpenWebUiKnowledge create(EffectiveState state, @Valid @RequestBody CreateForm form) {
        return OpenWebUiKnowledge.of(collections.create(state, form.name(),
                form.description() == null ? "" : form.description(), null, null), null);
    }

    @GetMapping("/api/v1/knowledge/{collectionId}")
    @Operation(summary = "Read a knowledge base (Open WebUI)",
            description = "The collection with its files (the first " + MAX_FILES_LISTED + " in the order they were"
                    + " added), each with `meta` and its ingestion `status` in the collection.")
    @ApiResponse(responseCode = "200", description = "The knowledge base with its files.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + ".")
    OpenWebUiKnowledge get(EffectiveState state, @Parameter(description = "The knowledge base's id.") @PathVariable
                           UUID collectionId) {
        return withFiles(state, collections.get(state, collectionId));
    }

    @PostMapping("/api/v1/knowledge/{collectionId}/file/add")
    @Operation(summary = "Add a file to a knowledge base (Open WebUI)",
            description = "Adds a file the caller may read to the collection; its chunks are shared, and it is"
                    + " embedded again only if the collection uses another embedding model. A file still being"
                    + " processed is accepted (Open WebUI refuses it): it becomes searchable here once ingested."
                    + " Adding it twice changes nothing.")
    @ApiResponse(responseCode = "200", description = "The knowledge base with its files.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `file_id` missing or not a UUID.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may only read the collection.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + "; or `file_not_found`: no such file, or not one"
            + " the caller may read.")
    OpenWebUiKnowledge addFile(EffectiveState state, @Parameter(description = "The knowledge base's id.")
                               @PathVariable UUID collectionId, @Valid @RequestBody FileIdForm form) {
        files.add(state, collectionId, form.fileId());
        return withFiles(state, collections.get(state, collectionId));
    }

    @PostMapping("/api/v1/knowledge/{collectionId}/file/remove")
    @Operation(summary = "Remove a file from a knowledge base (Open WebUI)",
            description = "Removes the file from the collection; with `delete_file=true` (the default, as in Open"
                    + " WebUI) the file is then deleted everywhere when the caller uploaded it or is an instance"
                    + " admin, and kept otherwise. A file no collection holds any more goes with its last one.")
    @ApiResponse(responseCode = "200", description = "The knowledge base with its remaining files.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `file_id` missing or not a UUID.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may only read the collection.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + "; or `file_not_found`: the file is not in it"
            + " (nothing changed).")
    OpenWebUiKnowledge removeFile(EffectiveState state, @Parameter(description = "The knowledge base's id.")
                                  @PathVariable UUID collectionId, @Valid @RequestBody FileIdForm form,
                                  @Parameter(description = "Also delete the file everywhere (its uploader or an"
                                          + " admin only).") @RequestParam(name = "delete_file",
                                          defaultValue = "true") boolean deleteFile) {
        collections.get(state, collectionId);
        // Read before the removal: the file may go with its last collection, and who uploaded it decides the delete.
        KnowledgeFile file = files.get(state, form.fileId());
        if (!files.remove(state, collectionId, form.fileId())) {
            throw AtriumException.notFound("file_not_found", "The file is not in this knowledge base.");
        }
        if (deleteFile && (state.caller().isAdmin() || state.caller().userId().equals(file.uploadedBy()))) {
            files.delete(state, form.fileId());
        }
        return withFiles(state, collections.get(state, collectionId));
    }

    @DeleteMapping("/api/v1/knowledge/{collectionId}/delete")
    @Operation(summary = "Delete a knowledge base (Open WebUI)",
            description = "Deletes the collection and its grants; its files go where no other collection holds them"
                    + " (files uploaded through `POST /api/v1/files/` stay, held by the uploader's uploads). Needs"
                    + " manage access (the owner, the owning group's admins, instance admins).")
    @ApiResponse(responseCode = "200", description = "`true`.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may read or write it, not manage it.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + ".")
    boolean delete(EffectiveState state, @Parameter(description = "The knowledge base's id.") @PathVariable
                   UUID collectionId) {
        collections.get(state, collectionId);
        collections.delete(state, collectionId);
        return true;
    }

    private OpenWebUiKnowledge withFiles(EffectiveState state, Collection collection) {
        List<CollectionFile> listed = new ArrayList<>();
        while (listed.size() < MAX_FILES_LISTED) {
            Page<CollectionFile> page = files.list(state, collection.id(), null, listed.size(),
                    Math.min(Page.MAX_LIMIT, MAX_FILES_LISTED - listed.size()));
            listed.addAll(page.items());
            if (page.items().isEmpty() || listed.size() >= page.total()) {
                break;
            }
        }
        return OpenWebUiKnowledge.of(collection, listed);
    }
}
