package org.atrium.chat.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.atrium.chat.Autocompletion;
import org.atrium.chat.Chat;
import org.atrium.chat.ChatAnswers;
import org.atrium.chat.TitleGeneration;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.UUID;

/** Task-model features: chat titles on request, and autocompletion. */
@RestController
@Tag(name = "Task models", description = "Small calls to the task model (setting `features.titleModel`,"
        + " `gemini-2.5-flash-lite` by default, used only when it is in the caller's catalogue): chat titles and"
        + " autocompletion. Titles are also written automatically after a chat's first answer.")
class TaskController {

    private final TitleGeneration titles;
    private final Autocompletion autocompletion;

    TaskController(TitleGeneration titles, Autocompletion autocompletion) {
        this.titles = titles;
        this.autocompletion = autocompletion;
    }

    @Schema(description = "Text to complete.")
    record AutocompletionRequest(
            @Schema(description = "What the caller typed so far.", example = "Which rooms")
            @NotBlank @Size(max = Autocompletion.MAX_TEXT_LENGTH) String text,
            @Schema(description = "The chat it is typed in: its last messages on the branch shown are context.",
                    example = "5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a4b", nullable = true) @Nullable UUID chatId,
            @Schema(description = "A model of the caller's catalogue; omitted: the task model.",
                    example = "google/gemini-2.5-flash-lite", nullable = true)
            @Nullable @Size(min = 1, max = ChatAnswers.MAX_NAME_LENGTH) String model) {
    }

    @PostMapping("/api/v1/chats/{chatId}/title")
    @Operation(summary = "Generate a chat's title", description = "Asks the task model for a title of the chat's"
            + " first exchange (the first question of the branch shown and the answer after it) and saves it,"
            + " replacing the title. (After a chat's first answer completes, an untitled chat gets one"
            + " automatically; a title someone set is never replaced then.) Bounded by"
            + " `atrium.chat.tasks.title-timeout`.")
    @ApiResponse(responseCode = "200", description = "The chat with its new title.")
    @ApiResponse(responseCode = "404", description = "`chat_not_found`: no such chat, or not yours.")
    @ApiResponse(responseCode = "409", description = "`title_generation_disabled`: the caller's"
            + " `features.titleGeneration` is off; `chat_empty`: the chat has no question yet.")
    @ApiResponse(responseCode = "422", description = "`title_model_unavailable`: the task model"
            + " (`features.titleModel`) is not in the caller's catalogue, so titles are off.")
    @ApiResponse(responseCode = "429", description = "`quota_exceeded`: the caller's quota is used up.")
    @ApiResponse(responseCode = "502", description = "`provider_invalid_response`: the model answered no usable"
            + " title; or the provider's failure (`provider_unavailable`, ...).")
    @ApiResponse(responseCode = "504", description = "`provider_timeout`: no title within the limit.")
    Chat title(EffectiveState state, @Parameter(description = "The chat's id.") @PathVariable UUID chatId) {
        return titles.generate(state, chatId);
    }

    @PostMapping("/api/v1/autocompletions")
    @Operation(summary = "Complete the caller's text", description = "Suggests the next words of what the caller"
            + " is typing, written by the task model or the model named. Off unless the caller's"
            + " `features.autocompletion` is on (off by default; admins turn it on for the instance or a group)."
            + " Answers within `atrium.chat.tasks.autocompletion-timeout` (1 s) or not at all: `204` when no"
            + " suggestion came in time (the upstream call is cancelled) or the model suggested nothing.")
    @ApiResponse(responseCode = "200", description = "A suggestion.")
    @ApiResponse(responseCode = "204", description = "No suggestion within the limit.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `text` is blank or longer than 4,000"
            + " characters, or `model` is out of bounds.")
    @ApiResponse(responseCode = "403", description = "`autocompletion_disabled`: the caller's"
            + " `features.autocompletion` is off.")
    @ApiResponse(responseCode = "404", description = "`chat_not_found`: `chatId` is no chat of the caller's;"
            + " `model_not_found`: `model` is not in the caller's catalogue.")
    @ApiResponse(responseCode = "422", description = "`autocompletion_model_unavailable`: no `model` named and the"
            + " task model (`features.titleModel`) is not in the caller's catalogue.")
    @ApiResponse(responseCode = "429", description = "`quota_exceeded`: the caller's quota is used up.")
    @ApiResponse(responseCode = "502", description = "`provider_unavailable`: the provider failed (other than by"
            + " being slow); `provider_auth_failed`: it refused the caller's credential.")
    ResponseEntity<Autocompletion.Suggestion> autocomplete(EffectiveState state,
                                                           @Valid @RequestBody AutocompletionRequest body) {
        return autocompletion.complete(state, body.chatId(), body.text(), body.model())
                .map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.noContent().build());
    }
}
