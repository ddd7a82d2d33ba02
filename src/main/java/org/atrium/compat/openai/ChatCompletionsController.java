package org.atrium.compat.openai;

import org.atrium.compat.wire.ErrorResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import org.atrium.chat.KnowledgeGrounding;
import org.atrium.chat.ModelCalls;
import org.atrium.compat.wire.AnswerOutput;
import org.atrium.compat.wire.ServerTiming;
import org.atrium.compat.wire.StreamHeartbeats;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** OpenAI's chat completions, streaming and not, over every provider kind, with the caller's keys and quotas. */
@RestController
@Tag(name = "OpenAI-compatible API", description = "OpenAI's API for scripts and tools written for it: change the"
        + " base URL to `<atrium>/v1` (or `<atrium>/api`, Open WebUI's) and the key to an Atrium API key. Errors"
        + " come in OpenAI's shape, `{\"error\": {\"message\", \"type\", \"param\", \"code\"}}`, `code` being"
        + " Atrium's stable code. See docs/compatibility.md.")
class ChatCompletionsController {

    private final ModelCalls calls;
    private final JsonMapper json;
    private final StreamHeartbeats heartbeats;

    ChatCompletionsController(ModelCalls calls, JsonMapper json, StreamHeartbeats heartbeats) {
        this.calls = calls;
        this.json = json;
        this.heartbeats = heartbeats;
    }

    @PostMapping(path = {"/v1/chat/completions", "/api/chat/completions"},
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    @Operation(summary = "Create a chat completion", description = "OpenAI's chat completion: text and image parts,"
            + " tools and tool results, `response_format` (`json_object`, `json_schema`), `stop`, `max_tokens` or"
            + " `max_completion_tokens`, `temperature`, `top_p`, `seed`; `stream: true` answers with server-sent"
            + " `chat.completion.chunk` events ending with `data: [DONE]` (with `stream_options.include_usage`, a"
            + " last chunk carries the usage). The model is a catalogue id, `preset:<id>`, or a provider's model id"
            + " (the first connection offering it). The caller's credential for the model's connection is used, their"
            + " quotas apply, the usage is recorded; nothing is written to chats. A failure before the first output"
            + " is answered with its status; a failure while streaming is an `error` event. A client that goes away"
            + " cancels the provider call (a stream silent for 2 s gets an SSE comment line, so that this is noticed"
            + " while the model is silent too). Open WebUI's `files` (`[{\"type\": \"collection\" | \"file\","
            + " \"id\"}]`) grounds the answer on knowledge the caller may read. `Server-Timing` gives Atrium's own"
            + " time and the provider's.")
    @ApiResponse(responseCode = "200", description = "The completion, or its stream.")
    @ApiResponse(responseCode = "400", description = ErrorResponses.CALL_INVALID)
    @ApiResponse(responseCode = "401", description = ErrorResponses.UNAUTHENTICATED)
    @ApiResponse(responseCode = "404", description = ErrorResponses.MODEL_NOT_FOUND)
    @ApiResponse(responseCode = "413", description = ErrorResponses.TOO_LARGE)
    @ApiResponse(responseCode = "429", description = ErrorResponses.RATE_LIMITED)
    @ApiResponse(responseCode = "502", description = ErrorResponses.BAD_GATEWAY)
    @ApiResponse(responseCode = "503", description = ErrorResponses.UNAVAILABLE)
    @ApiResponse(responseCode = "504", description = ErrorResponses.TIMEOUT)
    void complete(EffectiveState state, @Valid @RequestBody ChatCompletionRequest body, HttpServletRequest request,
                  HttpServletResponse response) {
        ModelCalls.Call call = CompletionTranslation.toCall(body, knowledge(body.files()));
        AnswerOutput output = new AnswerOutput(response, ServerTiming.of(request), heartbeats,
                MediaType.TEXT_EVENT_STREAM_VALUE, CompletionWriter.HEARTBEAT);
        output.run(calls.start(state, call, new CompletionWriter(output, json, CompletionIds.of(body.model()),
                body.streams(), body.includesUsage())));
    }

    private static KnowledgeGrounding.Attachments knowledge(
            @Nullable List<ChatCompletionRequest.KnowledgeReference> files) {
        if (files == null || files.isEmpty()) {
            return KnowledgeGrounding.Attachments.NONE;
        }
        List<UUID> collections = new ArrayList<>();
        List<UUID> documents = new ArrayList<>();
        for (ChatCompletionRequest.KnowledgeReference file : files) {
            UUID id = UUID.fromString(file.id());
            ("collection".equals(file.type()) ? collections : documents).add(id);
        }
        return new KnowledgeGrounding.Attachments(collections, documents);
    }
}
