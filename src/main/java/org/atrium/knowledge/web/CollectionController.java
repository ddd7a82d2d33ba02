package org.atrium.knowledge.web;

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
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.atrium.knowledge.Access;
import org.atrium.knowledge.Collection;
import org.atrium.knowledge.CollectionGrant;
import org.atrium.knowledge.CollectionService;
import org.atrium.platform.Page;
import org.atrium.settings.EffectiveState;
import org.atrium.platform.SafeDisplayName;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;

/** Knowledge collections and their grants. */
@RestController
@RequestMapping("/api/v1/collections")
@Tag(name = "Collections", description = "Knowledge collections owned by a user or a group, and who may read, write"
        + " or manage them.")
class CollectionController {

    private static final String LANGUAGE = "The language keyword search stems words in: one of PostgreSQL's text"
            + " search configurations (`simple` for no stemming, `english`, `german`, `french`, `spanish`, ...);"
            + " omitted: the instance default (`atrium.knowledge.default-language`).";

    private final CollectionService collections;

    CollectionController(CollectionService collections) {
        this.collections = collections;
    }

    @Schema(description = "A new collection.")
    record CreateCollectionRequest(
            @Schema(example = "Lab handbook") @NotBlank @Size(max = 200) @SafeDisplayName String name,
            @Schema(example = "Protocols and safety rules", nullable = true) @Nullable @Size(max = 2000)
            String description,
            @Schema(description = "The owning group (its admins create it); omit for a personal collection.",
                    example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f", nullable = true) @Nullable UUID groupId,
            @Schema(description = LANGUAGE, example = "english", nullable = true)
            @Nullable @Size(min = 1, max = 63) String language) {
    }

    @Schema(description = "Changes to a collection; omitted fields keep their value.")
    record UpdateCollectionRequest(
            @Schema(example = "Lab handbook 2027", nullable = true) @Nullable @Size(min = 1, max = 200)
            @Pattern(regexp = ".*\\S.*", message = "must not be blank") @SafeDisplayName String name,
            @Schema(example = "Protocols, safety rules and forms", nullable = true) @Nullable @Size(max = 2000)
            String description,
            @Schema(description = LANGUAGE + " Changing it indexes the keywords of the collection's files again, in"
                    + " the background.", example = "german", nullable = true)
            @Nullable @Size(min = 1, max = 63) String language) {
    }

    @Schema(description = "The access to grant.")
    record GrantRequest(
            @Schema(description = "`read` or `write`.", example = "read") @NotNull Access access) {
    }

    @Schema(description = "A collection's grants.")
    record GrantList(List<CollectionGrant> items) {
    }

    @PostMapping
    @Operation(summary = "Create a collection",
            description = "Creates a personal collection, or one owned by a group the caller administers. Needs"
                    + " `permissions.createCollections`.")
    @ApiResponse(responseCode = "201", description = "The collection.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `name` is missing or too long, or"
            + " `language` is not a text search configuration PostgreSQL has.")
    @ApiResponse(responseCode = "403", description = "`permission_denied`: creating collections is not granted; or"
            + " `forbidden`: the caller is a plain member of the group.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours.")
    ResponseEntity<Collection> create(EffectiveState state, @Valid @RequestBody CreateCollectionRequest body) {
        Collection created = collections.create(state, body.name(),
                body.description() == null ? "" : body.description(), body.groupId(), body.language());
        return ResponseEntity.status(HttpStatus.CREATED).body(created);
    }

    @GetMapping
    @Operation(summary = "List collections",
            description = "The collections the caller may read (own, their groups', granted; all for instance"
                    + " admins), by name, each with the caller's access and its files counted by ingestion status.")
    @ApiResponse(responseCode = "200", description = "One page of collections.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset` or `limit` is out of range.")
    Page<Collection> list(EffectiveState state,
                          @Parameter(description = "How many collections to skip.", example = "0")
                          @RequestParam(defaultValue = "0") @Min(0) int offset,
                          @Parameter(description = "Page size, 1 to 200.", example = "50")
                          @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return collections.list(state, offset, limit);
    }

    @GetMapping("/{collectionId}")
    @Operation(summary = "Read a collection", description = "A collection the caller may read, with its files counted"
            + " by ingestion status (`files`: `total`, `queued`, `running`, `ready`, `failed`): ingestion is settled"
            + " when `queued` and `running` are both 0.")
    @ApiResponse(responseCode = "200", description = "The collection.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours.")
    Collection get(EffectiveState state,
                   @Parameter(description = "The collection's id.") @PathVariable UUID collectionId) {
        return collections.get(state, collectionId);
    }

    @PatchMapping("/{collectionId}")
    @Operation(summary = "Change a collection", description = "Changes name, description or language. Needs write"
            + " access.")
    @ApiResponse(responseCode = "200", description = "The collection after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `name` is blank or too long, or"
            + " `language` is unknown.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may only read it.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours.")
    Collection update(EffectiveState state,
                      @Parameter(description = "The collection's id.") @PathVariable UUID collectionId,
                      @Valid @RequestBody UpdateCollectionRequest body) {
        return collections.update(state, collectionId, body.name(), body.description(), body.language());
    }

    @DeleteMapping("/{collectionId}")
    @Operation(summary = "Delete a collection",
            description = "Deletes the collection and its grants. Deleting one that does not exist succeeds. Needs"
                    + " manage access (owner, the owning group's admins, instance admins).")
    @ApiResponse(responseCode = "204", description = "It is gone.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may read or write it, not manage it.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: not yours to see.")
    ResponseEntity<Void> delete(EffectiveState state,
                                @Parameter(description = "The collection's id.") @PathVariable UUID collectionId) {
        collections.delete(state, collectionId);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/{collectionId}/grants")
    @Operation(summary = "List a collection's grants", description = "Needs manage access.")
    @ApiResponse(responseCode = "200", description = "The grants.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller does not manage it.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours.")
    GrantList grants(EffectiveState state,
                     @Parameter(description = "The collection's id.") @PathVariable UUID collectionId) {
        return new GrantList(collections.grants(state, collectionId));
    }

    @PutMapping("/{collectionId}/grants/users/{userId}")
    @Operation(summary = "Grant a user access",
            description = "Gives one user read or write access, replacing an earlier grant. Needs manage access.")
    @ApiResponse(responseCode = "200", description = "The grants after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `access` must be read or write.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller does not manage it.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours; or"
            + " `user_not_found`: no such user.")
    GrantList grantUser(EffectiveState state,
                        @Parameter(description = "The collection's id.") @PathVariable UUID collectionId,
                        @Parameter(description = "The user's id.") @PathVariable UUID userId,
                        @Valid @RequestBody GrantRequest body) {
        return new GrantList(collections.grant(state, collectionId, new CollectionGrant(userId, null,
                body.access())));
    }

    @PutMapping("/{collectionId}/grants/groups/{groupId}")
    @Operation(summary = "Grant a group access",
            description = "Gives every member of a group read or write access, replacing an earlier grant. Needs"
                    + " manage access.")
    @ApiResponse(responseCode = "200", description = "The grants after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `access` must be read or write.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller does not manage it.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours; or"
            + " `group_not_found`: no such group.")
    GrantList grantGroup(EffectiveState state,
                         @Parameter(description = "The collection's id.") @PathVariable UUID collectionId,
                         @Parameter(description = "The group's id.") @PathVariable UUID groupId,
                         @Valid @RequestBody GrantRequest body) {
        return new GrantList(collections.grant(state, collectionId, new CollectionGrant(null, groupId,
                body.access())));
    }

    @DeleteMapping("/{collectionId}/grants/users/{userId}")
    @Operation(summary = "Revoke a user's grant", description = "Removing a grant that does not exist succeeds.")
    @ApiResponse(responseCode = "204", description = "The user has no grant.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller does not manage it.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours.")
    ResponseEntity<Void> revokeUser(EffectiveState state,
                                    @Parameter(description = "The collection's id.") @PathVariable UUID collectionId,
                                    @Parameter(description = "The user's id.") @PathVariable UUID userId) {
        collections.revoke(state, collectionId, userId, null);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/{collectionId}/grants/groups/{groupId}")
    @Operation(summary = "Revoke a group's grant", description = "Removing a grant that does not exist succeeds.")
    @ApiResponse(responseCode = "204", description = "The group has no grant.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller does not manage it.")
    @ApiResponse(responseCode = "404", description = "`collection_not_found`: no such collection, or not yours.")
    ResponseEntity<Void> revokeGroup(EffectiveState state,
                                     @Parameter(description = "The collection's id.") @PathVariable UUID collectionId,
                                     @Parameter(description = "The group's id.") @PathVariable UUID groupId) {
        collections.revoke(state, collectionId, null, groupId);
        return ResponseEntity.noContent().build();
    }
}
