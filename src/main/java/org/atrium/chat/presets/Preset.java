package org.atrium.chat.presets;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import org.atrium.chat.AnswerParameters;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A preset: a named model built from a base model of the catalogue, a system prompt, parameters, default knowledge and
 * fallback models, owned by a user or a group. Answered with as the model {@code preset:<id>}.
 *
 * @param id             its id
 * @param model          the id to answer with and under which {@code GET /api/v1/models} lists it
 * @param name           its name
 * @param ownerUserId    the owning user, or null
 * @param ownerGroupId   the owning group, or null
 * @param baseModel      the catalogue id ({@code <connection>/<model>}) it answers with
 * @param systemPrompt   added after the effective {@code systemPrompt} setting; empty for none
 * @param parameters     defaults for the parameters an answer does not set
 * @param knowledge      default knowledge
 * @param fallbackModels catalogue ids tried in order when the base model fails before the first byte
 * @param access         what the caller may do with it
 * @param createdAt      when it was created
 * @param updatedAt      when it last changed
 */
@Schema(description = "A preset: a named model from a base model, a system prompt, parameters, default knowledge and"
        + " fallback models.")
public record Preset(
        @Schema(example = "8e4f5a6b-7c80-4d91-aea2-bf0a9b8c7d6e") UUID id,
        @Schema(example = "preset:8e4f5a6b-7c80-4d91-aea2-bf0a9b8c7d6e") String model,
        @Schema(example = "Lab safety assistant") String name,
        @Schema(nullable = true, example = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d") @Nullable UUID ownerUserId,
        @Schema(nullable = true, example = "2d7e9f10-3a4b-4c5d-8e6f-7a8b9c0d1e2f") @Nullable UUID ownerGroupId,
        @Schema(example = "research-gateway/gpt-4o-mini") String baseModel,
        @Schema(example = "Answer from the lab handbook; say when it does not cover the question.")
        String systemPrompt,
        AnswerParameters parameters,
        PresetKnowledge knowledge,
        @ArraySchema(schema = @Schema(example = "research-gateway/gpt-4o")) List<String> fallbackModels,
        @Schema(example = "manage") PresetAccess access,
        Instant createdAt,
        Instant updatedAt) {

    /** The prefix of a preset's model id: never a connection name, which has no colon. */
    public static final String MODEL_PREFIX = "preset:";
    /** Longest name. */
    public static final int MAX_NAME_LENGTH = 200;
    /** Longest system prompt. */
    public static final int MAX_SYSTEM_PROMPT_LENGTH = 20_000;
    /** Most fallback models. */
    public static final int MAX_FALLBACK_MODELS = 3;

    /** Freezes the list. */
    public Preset {
        fallbackModels = List.copyOf(fallbackModels);
    }

    /** @return the model id of the preset with this id */
    public static String modelId(UUID id) {
        return MODEL_PREFIX + id;
    }
}
