package org.atrium.compat.ollama;

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

/** Ollama's chat and generate, streaming (NDJSON, the default) and not, over the caller's Ollama connections. */
@RestController
@Tag(name = "Ollama proxy (Open WebUI)", description = "Ollama's API as Open WebUI proxies it, for the caller's"
        + " Ollama connections: point Ollama's clients at `<atrium>/ollama` with an Atrium API key (Bearer). A model"
        + " is named as Ollama names it (`llama3.2`, `:latest` implied: the first Ollama connection offering it) or"
        + " `<connection>/<model>`. Errors come as `{\"error\": \"...\"}`. See docs/compatibility.md.")
class OllamaChatController {

    /** NDJSON, as Ollama streams. */
    static final String NDJSON = "application/x-ndjson";

    private final ModelCalls calls;
    private final OllamaModels models;
    private final JsonMapper json;
    private final StreamHeartbeats heartbeats;

    OllamaChatController(ModelCalls calls, OllamaModels models, JsonMapper json, StreamHeartbeats heartbeats) {
        this.calls = calls;
        this.models = models;
        this.json = json;
        this.heartbeats = heartbeats;
    }

    @PostMapping(path = "/ollama/api/chat", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, NDJSON})
    @Operation(summary = "Chat (Ollama)", description = "Ollama's chat: `messages` (`system`, `user` with base64"
            + " `images`, `assistant` with `tool_calls`, `tool` with `tool_name`), `tools`, `format` (`json` or a"
            + " JSON Schema), `options` (`temperature`, `top_p`, `num_predict`, `stop`, `seed`; others ignored)."
            + " Streams NDJSON unless `stream` is false; the last object has `done: true`, `done_reason` and the"
            + " token counts. The caller's credential, quotas and usage apply as for every model call. A failure"
            + " before the first output is answered with its status; while streaming it is an `{\"error\"}` line. A"
            + " client that goes away cancels the provider call. `Server-Timing` gives Atrium's own time.")
    @ApiResponse(responseCode = "200", description = "The answer, or its stream.")
    @ApiResponse(responseCode = "400", description = ErrorResponses.CALL_INVALID)
    @ApiResponse(responseCode = "401", description = ErrorResponses.UNAUTHENTICATED)
    @ApiResponse(responseCode = "404", description = ErrorResponses.MODEL_NOT_FOUND)
    @ApiResponse(responseCode = "413", description = ErrorResponses.TOO_LARGE)
    @ApiResponse(responseCode = "429", description = ErrorResponses.RATE_LIMITED)
    @ApiResponse(responseCode = "502", description = ErrorResponses.BAD_GATEWAY)
    @ApiResponse(responseCode = "503", description = ErrorResponses.UNAVAILABLE)
    @ApiResponse(responseCode = "504", description = ErrorResponses.TIMEOUT)
    void chat(EffectiveState state, @Valid @RequestBody OllamaRequests.Chat body, HttpServletRequest request,
              HttpServletResponse response) {
        ModelCalls.Call call = OllamaTranslation.chat(body, models.catalogueId(state, body.model()));
        answer(state, call, body.model(), true, !Boolean.FALSE.equals(body.stream()), request, response);
    }

    @PostMapping(path = "/ollama/api/generate", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, NDJSON})
    @Operation(summary = "Generate (Ollama)", description = "Ollama's generate, as a chat of one user message:"
            + " `prompt` (with base64 `images`) after the optional `system`; `format` and `options` as for chat;"
            + " `template`, `raw`, `suffix` and `context` are ignored. Answers with `response` pieces, streamed as"
            + " NDJSON unless `stream` is false, errors and cancellation as for chat.")
    @ApiResponse(responseCode = "200", description = "The answer, or its stream.")
    @ApiResponse(responseCode = "400", description = ErrorResponses.CALL_INVALID)
    @ApiResponse(responseCode = "401", description = ErrorResponses.UNAUTHENTICATED)
    @ApiResponse(responseCode = "404", description = ErrorResponses.MODEL_NOT_FOUND)
    @ApiResponse(responseCode = "429", description = ErrorResponses.RATE_LIMITED)
    @ApiResponse(responseCode = "502", description = ErrorResponses.BAD_GATEWAY)
    void generate(EffectiveState state, @Valid @RequestBody OllamaRequests.Generate body, HttpServletRequest request,
                  HttpServletResponse response) {
        ModelCalls.Call call = OllamaTranslation.generate(body, models.catalogueId(state, body.model()));
        answer(state, call, body.model(), false, !Boolean.FALSE.equals(body.stream()), request, response);
    }

    private void answer(EffectiveState state, ModelCalls.Call call, String model, boolean chat, boolean stream,
                        HttpServletRequest request, HttpServletResponse response) {
        AnswerOutput output = new AnswerOutput(response, ServerTiming.of(request), heartbeats, NDJSON,
                OllamaWriter.heartbeat(json, model, chat));
        output.run(calls.start(state, call, new OllamaWriter(output, json, model, chat, stream)));
    }
}
