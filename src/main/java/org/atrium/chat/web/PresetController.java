package org.atrium.chat.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
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
import org.atrium.chat.AnswerParameters;
import org.atrium.chat.presets.Preset;
import org.atrium.chat.presets.PresetDraft;
import org.atrium.chat.presets.PresetKnowledge;
import org.atrium.chat.presets.PresetService;
import org.atrium.platform.Page;
import org.atrium.platform.SafeDisplayName;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;

/** Presets: named models from a base model, a system prompt, parameters, default knowledge and fallback models. */
@RestController
@RequestMapping("/api/v1/presets")
@Tag(name = "Presets", description = "Named models built from a base model of the catalogue, a system prompt,"
        + " parameters, default knowledge and fallback models, owned by a user or a group like collections; answered"
        + " with as the model `preset:<id>`.")
class PresetController {

    private static final String MODEL = "A catalogue id `<connection>/<model>` (not a preset), at most 200"
            + " characters. Whether the caller may use it is checked at each answer; a preset whose base model is"
            + " not in a member's catalogue is not listed for them.";
    private static final String FALLBACKS = "At most 3 catalogue ids, distinct and not the base model, tried in order"
            + " when the base model fails before the first byte of an answer (unreachable, 5xx, 429, no first token"
            + " in time, circuit open).";
    private static final String BAD = "`validation_failed`: a field is missing, blank, too long or out of range, a"
            + " model is not a catalogue id, a list is too long or names something twice.";
    private static final String NOT_FOUND = "`preset_not_found`: no such preset, or not yours.";

    private final PresetService presets;

    PresetController(PresetService presets) {
        this.presets = presets;
    }

    @Schema(description = "Default knowledge: collections and files the caller may read.")
    record KnowledgeRequest(
            @ArraySchema(arraySchema = @Schema(description = "At most 10 collections.", nullable = true),
                    schema = @Schema(example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f"))
            @Nullable @Size(max = PresetKnowledge.MAX_COLLECTIONS) List<@NotNull UUID> collectionIds,
            @ArraySchema(arraySchema = @Schema(description = "At most 20 files.", nullable = true),
                    schema = @Schema(example = "3e8f0a21-4b5c-4d6e-9f70-8b9c0d1e2f30"))
            @Nullable @Size(max = PresetKnowledge.MAX_FILES) List<@NotNull UUID> fileIds) {

        PresetKnowledge knowledge() {
            return new PresetKnowledge(collectionIds == null ? List.of() : collectionIds,
                    fileIds == null ? List.of() : fileIds);
        }
    }

    @Schema(description = "A new preset.")
    record CreatePresetRequest(
            @Schema(example = "Lab safety assistant") @NotBlank @Size(max = Preset.MAX_NAME_LENGTH) @SafeDisplayName
            String name,
            @Schema(description = MODEL, example = "research-gateway/gpt-4o-mini") @NotBlank @Size(max = 200)
            String baseModel,
            @Schema(description = "Added after the effective `systemPrompt` setting. At most 20,000 characters.",
                    example = "Answer from the lab handbook; say when it does not cover the question.",
                    nullable = true) @Nullable @Size(max = Preset.MAX_SYSTEM_PROMPT_LENGTH) String systemPrompt,
            @Schema(description = "Defaults for the parameters an answer does not set.", nullable = true,
                    example = "{\"temperature\": 0.2, \"maxTokens\": 1024}")
            @Nullable @Valid AnswerParameters parameters,
            @Schema(description = "Default knowledge; on a change, replaces the whole of it.", nullable = true,
                    example = "{\"collectionIds\": [\"2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f\"], \"fileIds\": []}")
            @Nullable @Valid KnowledgeRequest knowledge,
            @ArraySchema(arraySchema = @Schema(description = FALLBACKS, nullable = true),
                    schema = @Schema(example = "research-gateway/gpt-4o"))
            @Nullable @Size(max = Preset.MAX_FALLBACK_MODELS) List<@NotBlank @Size(max = 200) String> fallbackModels,
            @Schema(description = "The owning group (its admins create it); omit for a personal preset.",
                    example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f", nullable = true) @Nullable UUID groupId) {
    }

    @Schema(description = "Changes to a preset; omitted fields keep their value, a given list or parameters object"
            + " replaces the whole of it.")
    record UpdatePresetRequest(
            @Schema(example = "Lab safety assistant (2027)", nullable = true) @Nullable
            @Size(min = 1, max = Preset.MAX_NAME_LENGTH) @Pattern(regexp = ".*\\S.*", message = "must not be blank")
            @SafeDisplayName String name,
            @Schema(description = MODEL, example = "research-gateway/gpt-4o", nullable = true) @Nullable
            @Size(min = 1, max = 200) String baseModel,
            @Schema(description = "Added after the effective `systemPrompt` setting; empty for none.",
                    example = "Answer briefly.", nullable = true)
            @Nullable @Size(max = Preset.MAX_SYSTEM_PROMPT_LENGTH) String systemPrompt,
            @Schema(nullable = true, example = "{\"temperature\": 0.7}") @Nullable @Valid AnswerParameters parameters,
            @Schema(description = "Default knowledge; on a change, replaces the whole of it.", nullable = true,
                    example = "{\"collectionIds\": [\"2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f\"], \"fileIds\": []}")
            @Nullable @Valid KnowledgeRequest knowledge,
            @ArraySchema(arraySchema = @Schema(description = FALLBACKS, nullable = true),
                    schema = @Schema(example = "research-gateway/gpt-4o-mini"))
            @Nullable @Size(max = Preset.MAX_FALLBACK_MODELS) List<@NotBlank @Size(max = 200) String> fallbackModels) {
    }

    @PostMapping
    @Operation(summary = "Create a preset", description = "Creates a personal preset, or one owned by a group the"
            + " caller administers (instance admins: any group). The caller must be able to read the knowledge it"
            + " names. A user or a group owns at most 100 presets.")
    @ApiResponse(responseCode = "201", description = "The preset.")
    @ApiResponse(responseCode = "400", description = BAD)
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller is a plain member of the group.")
    @ApiResponse(responseCode = "404", description = "`group_not_found`: no such group, or not yours;"
            + " `collection_not_found`, `file_not_found`: knowledge the caller may not read.")
    @ApiResponse(responseCode = "409", description = "`too_many_presets`: the owner has 100 presets.")
    ResponseEntity<Preset> create(EffectiveState state, @Valid @RequestBody CreatePresetRequest body) {
        Preset created = presets.create(state, new PresetDraft(body.name(), body.baseModel(), body.systemPrompt(),
                body.parameters(), body.knowledge() == null ? null : body.knowledge().knowledge(),
                body.fallbackModels()), body.groupId());
        return ResponseEntity.status(HttpStatus.CREATED).body(created);
    }

    @GetMapping
    @Operation(summary = "List presets", description = "The presets the caller may see (own, their groups'; all for"
            + " instance admins), by name, each with the caller's access (`use` or `manage`).")
    @ApiResponse(responseCode = "200", description = "One page of presets.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset` or `limit` is out of range.")
    Page<Preset> list(EffectiveState state,
                      @Parameter(description = "How many presets to skip.", example = "0")
                      @RequestParam(defaultValue = "0") @Min(0) int offset,
                      @Parameter(description = "Page size, 1 to 200.", example = "50")
                      @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return presets.list(state, offset, limit);
    }

    @GetMapping("/{presetId}")
    @Operation(summary = "Read a preset", description = "A preset the caller may see.")
    @ApiResponse(responseCode = "200", description = "The preset.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND)
    Preset get(EffectiveState state, @Parameter(description = "The preset's id.") @PathVariable UUID presetId) {
        return presets.get(state, presetId);
    }

    @PatchMapping("/{presetId}")
    @Operation(summary = "Change a preset", description = "Changes any of its fields but the owner. Its owner, the"
            + " owning group's admins and instance admins. Applies to the next answer on every replica.")
    @ApiResponse(responseCode = "200", description = "The preset after the change.")
    @ApiResponse(responseCode = "400", description = BAD)
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may only use it (a group member).")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + " `collection_not_found`, `file_not_found`:"
            + " knowledge the caller may not read.")
    Preset update(EffectiveState state, @Parameter(description = "The preset's id.") @PathVariable UUID presetId,
                  @Valid @RequestBody UpdatePresetRequest body) {
        return presets.update(state, presetId, new PresetDraft(body.name(), body.baseModel(), body.systemPrompt(),
                body.parameters(), body.knowledge() == null ? null : body.knowledge().knowledge(),
                body.fallbackModels()));
    }

    @DeleteMapping("/{presetId}")
    @Operation(summary = "Delete a preset", description = "Its owner, the owning group's admins and instance admins."
            + " Answers made with it stay, naming the model that made them. Deleting one that does not exist"
            + " succeeds.")
    @ApiResponse(responseCode = "204", description = "Deleted, or there was no such preset.")
    @ApiResponse(responseCode = "403", description = "`forbidden`: the caller may only use it (a group member).")
    @ApiResponse(responseCode = "404", description = NOT_FOUND)
    ResponseEntity<Void> delete(EffectiveState state,
                                @Parameter(description = "The preset's id.") @PathVariable UUID presetId) {
        presets.delete(state, presetId);
        return ResponseEntity.noContent().build();
    }
}
