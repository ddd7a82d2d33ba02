package org.atrium.compat.anthropic;

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
    @ApiResponse(responseCode = "400", description = "`invalid_request_error`: `validation_failed`, a field is not"
            + " valid or not supported; `provider_rejected`, the provider refused the request.")
    @ApiResponse(responseCode = "401", description = "`authentication_error`: no valid API key.")
    @ApiResponse(responseCode = "404", description = "`not_found_error`, `model_not_found`: not a model of the"
            + " caller's.")
    @ApiResponse(responseCode = "413", description = "`request_too_large`: the body is over"
            + " `atrium.http.max-completion-body-size`.")
    @ApiResponse(responseCode = "429", description = "`rate_limit_error`: `quota_exceeded` (with `Retry-After`) or"
            + " `provider_rate_limited`.")
    @ApiResponse(responseCode = "502", description = "`api_error`: the provider failed.")
    @ApiResponse(responseCode = "503", description = "`overloaded_error`: `provider_unavailable`, `circuit_open`.")
    @ApiResponse(responseCode = "504", description = "`api_error`, `provider_timeout`.")
    void create(EffectiveState state, @Valid @RequestBody MessagesRequest body, HttpServletRequest request,
                HttpServletResponse response) throws InterruptedException {
        ModelCalls.Call call = MessagesTranslation.toCall(body);
        AnswerOutput output = new AnswerOutput(response, ServerTiming.of(request), heartbeats,
                MediaType.TEXT_EVENT_STREAM_VALUE, MessagesWriter.PING);
        output.await(calls.start(state, call, new MessagesWriter(output, json, body.model(), body.streams())));
    }
}
