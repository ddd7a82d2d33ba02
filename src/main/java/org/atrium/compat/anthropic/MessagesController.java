package org.atrium.compat.anthropic;

import org.atrium.compat.wire.ErrorResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import org.atrium.chat.ModelCalls;
import org.atrium.compat.wire.AnswerOutput;
import org.atrium.compat.wire.ServerTiming;
import org.atrium.compat.wire.StreamHeartbeats;
import org.atrium.settings.EffectiveState;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** Anthropic's Messages API, streaming and not, over every provider kind, with the caller's keys and quotas. */
@RestController
@Tag(name = "Anthropic Messages API (Open WebUI)", description = "Anthropic's Messages API as Open WebUI offers it:"
        + " point Anthropic's SDKs at `<atrium>/api` with an Atrium API key (`x-api-key` or Bearer). Errors come in"
        + " Anthropic's shape, `{\"type\": \"error\", \"error\": {\"type\", \"message\", \"code\"}}`, `code` being"
        + " Atrium's stable code. See docs/compatibility.md.")
class MessagesController {

    private final ModelCalls calls;
    private final JsonMapper json;
    private final StreamHeartbeats heartbeats;

    MessagesController(ModelCalls calls, JsonMapper json, StreamHeartbeats heartbeats) {
        this.calls = calls;
        this.json = json;
        this.heartbeats = heartbeats;
    }

    @PostMapping(path = AnthropicErrorFilter.PATH, consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    @Operation(summary = "Create a message (Anthropic)", description = "Anthropic's Messages request over any of the"
            + " caller's models, whatever the provider kind: `system` (a string or text blocks), `messages` with"
            + " string content or `text`, `image` (base64 or url source), `tool_use` and `tool_result` blocks,"
            + " `tools` (`name`, `description`, `input_schema`), `tool_choice` (`auto`, `any`, `tool`, `none`),"
            + " `max_tokens`, `temperature`, `top_p`, `stop_sequences`; `metadata` and `top_k` are ignored."
            + " `stream: true` answers with Anthropic's events (`message_start`, `content_block_start`, `ping`,"
            + " `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`). The model is a"
            + " catalogue id, `preset:<id>`, or a provider's model id (the first connection offering it). The"
            + " caller's credential for the model's connection is used, their quotas apply, the usage is recorded;"
            + " nothing is written to chats. A failure before the first output is answered with its status; a"
            + " failure while streaming is an `error` event. A client that goes away cancels the provider call (a"
            + " stream silent for 2 s gets a `ping`). `Server-Timing` gives Atrium's own time and the provider's.")
    @ApiResponse(responseCode = "200", description = "The message, or its stream.")
    @ApiResponse(responseCode = "400", description = ErrorResponses.CALL_INVALID)
    @ApiResponse(responseCode = "401", description = ErrorResponses.UNAUTHENTICATED)
    @ApiResponse(responseCode = "404", description = ErrorResponses.MODEL_NOT_FOUND)
    @ApiResponse(responseCode = "413", description = ErrorResponses.TOO_LARGE)
    @ApiResponse(responseCode = "429", description = ErrorResponses.RATE_LIMITED)
    @ApiResponse(responseCode = "502", description = ErrorResponses.BAD_GATEWAY)
    @ApiResponse(responseCode = "503", description = ErrorResponses.UNAVAILABLE)
    @ApiResponse(responseCode = "504", description = ErrorResponses.TIMEOUT)
    void create(EffectiveState state, @Valid @RequestBody MessagesRequest body, HttpServletRequest request,
                HttpServletResponse response) {
        ModelCalls.Call call = MessagesTranslation.toCall(body);
        AnswerOutput output = new AnswerOutput(response, ServerTiming.of(request), heartbeats,
                MediaType.TEXT_EVENT_STREAM_VALUE, MessagesWriter.PING);
        output.run(calls.start(state, call, new MessagesWriter(output, json, body.model(), body.streams())));
    }
}
