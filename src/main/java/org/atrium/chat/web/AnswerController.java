package org.atrium.chat.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.atrium.chat.AnswerEvents;
import org.atrium.chat.AnswerFeed;
import org.atrium.chat.AnswerGeneration;
import org.atrium.chat.AnswerParameters;
import org.atrium.chat.AnswerTools;
import org.atrium.chat.ChatAnswers;
import org.atrium.chat.ChatMessage;
import org.atrium.platform.LogEvents;
import org.atrium.platform.RequestArrival;
import org.atrium.platform.ServerTimingMetric;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Answers: generated server-side, streamed as server-sent events, reattached from any replica, stopped. */
@RestController
@RequestMapping("/api/v1/chats/{chatId}")
@Tag(name = "Answers", description = "Answers generated server-side and saved as they stream: a client that goes"
        + " away reattaches (from any replica) and sees the whole answer; a stop cancels the upstream call.")
class AnswerController implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AnswerController.class);
    private static final String NOT_FOUND = "`chat_not_found`: no such chat, or not yours; `message_not_found`: not"
            + " a message of this chat";
    private static final String STREAM = "The answer as server-sent events: `answer` (ids, model, connection;"
            + " sent again, before any `delta`, when a preset's fallback model takes over),"
            + " `delta` (`offset`, `text`) as it is generated, then `end` (status `complete`, `stopped` or `failed`"
            + " with `failureCode` and `failureReason`, `length`, `usage`, `timings` of the upstream call,"
            + " `citations`: the passages of the attached knowledge it is grounded on, with file, collection, chunk,"
            + " span and score). The header `Server-Timing` carries Atrium's own time (`atrium`); the upstream's time"
            + " is in the `end` event, because headers leave before it is known.";
    private static final String TIMING = "`atrium;dur=<ms>;desc=\"Atrium\"`: Atrium's own time, from the request's"
            + " arrival to the first event (authentication, checks, model, quota, storage); for a new answer also"
            + " `db;dur=<ms>;desc=\"answer start\"`, the part of it spent starting the answer in the database.";
    private static final String EXAMPLE = "event: answer\ndata: {\"chatId\":\"5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a4b\","
            + "\"questionId\":\"6c2d3e4f-5a60-4b71-8c82-9d8e7f6a5b4c\",\"messageId\":"
            + "\"7d3e4f5a-6b70-4c81-9d92-ae9f8a7b6c5d\",\"model\":\"research-gateway/gpt-4o-mini\","
            + "\"connection\":\"research-gateway\"}\n\n"
            + "event: delta\ndata: {\"offset\":0,\"text\":\"Lab coats are required \"}\n\n"
            + "event: delta\ndata: {\"offset\":23,\"text\":\"in rooms B1 to B4.\"}\n\n"
            + "event: end\ndata: {\"status\":\"complete\",\"failureCode\":null,\"failureReason\":null,\"length\":41,"
            + "\"usage\":{\"inputTokens\":812,\"outputTokens\":12,\"estimated\":false},"
            + "\"timings\":{\"timeToFirstTokenMs\":420,\"durationMs\":910},\"citations\":[{\"fileId\":"
            + "\"5b0c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e\",\"collectionId\":\"8e4f5a6b-7c80-4d91-aea2-bf0a9b8c7d6e\","
            + "\"chunkIndex\":3,\"startChar\":1200,\"endChar\":1850,\"score\":0.032}]}\n\n";
    private static final String TOO_MANY = "`too_many_answers`: the caller has `atrium.chat.generation.max-per-user`"
            + " answers generating (on all replicas), or this replica `max-per-replica`; `quota_exceeded`: the"
            + " caller's `quotas.requestsPerMinute` or `quotas.tokensPerDay` is used up. `Retry-After` says when to"
            + " try again.";

    private static final String TOOLS_EXAMPLE = "{\"functions\": [{\"name\": \"room_schedule\", \"description\":"
            + " \"The bookings of a room on a day.\", \"parameters\": {\"type\": \"object\", \"properties\":"
            + " {\"room\": {\"type\": \"string\"}}}}], \"toolChoice\": \"auto\"}";

    private final AnswerGeneration generation;
    private final JsonMapper json;
    /** The feeds being streamed, stopped on shutdown. */
    private final Set<AnswerFeed> streaming = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    AnswerController(AnswerGeneration generation, JsonMapper json) {
        this.generation = generation;
        this.json = json;
    }

    @Schema(description = "An answer to ask for.")
    record AnswerRequest(
            @Schema(description = "The question to answer: a `user` message of the chat, or the last `tool` message"
                    + " giving the results of the previous answer's tool calls.",
                    example = "6c2d3e4f-5a60-4b71-8c82-9d8e7f6a5b4c") @NotNull UUID questionId,
            @Schema(description = "A model of the caller's catalogue (`GET /api/v1/models`), `<connection>/<model>`,"
                    + " or a preset the caller may see, `preset:<id>` (its base model, system prompt, parameters"
                    + " under the request's, and fallback models; see docs/chat.md, Presets).",
                    example = "research-gateway/gpt-4o-mini") @NotBlank
            @Size(max = ChatAnswers.MAX_NAME_LENGTH) String model,
            @Schema(description = "Generation parameters; omitted: the provider's defaults.", nullable = true,
                    example = "{\"temperature\": 0.2, \"maxTokens\": 1024}")
            @Nullable @Valid AnswerParameters parameters,
            @Schema(description = "Tools the model may call; omitted: none.", nullable = true,
                    example = TOOLS_EXAMPLE)
            @Nullable @Valid AnswerTools tools) {
    }

    @Schema(description = "What to change when regenerating; omitted fields keep the answer's.")
    record RegenerateRequest(
            @Schema(description = "Another model of the caller's catalogue; omitted: the answer's.",
                    example = "research-gateway/gpt-4o", nullable = true)
            @Nullable @Size(min = 1, max = ChatAnswers.MAX_NAME_LENGTH) String model,
            @Schema(description = "Other parameters; omitted: the answer's.", nullable = true,
                    example = "{\"temperature\": 0.7}")
            @Nullable @Valid AnswerParameters parameters,
            @Schema(description = "Other tools; omitted: the answer's.", nullable = true, example = TOOLS_EXAMPLE)
            @Nullable @Valid AnswerTools tools) {
    }

    @PostMapping(path = "/answers", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Ask for an answer", description = "Starts an answer to a question of the chat with a"
            + " model and streams it. The answer is generated server-side and saved as it streams (in batches): a"
            + " client that disconnects does not stop it and can reattach with `GET .../messages/{messageId}/events`."
            + " The answer becomes the tip of the branch shown.")
    @ApiResponse(responseCode = "200", description = STREAM, content = @Content(
            mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, examples = @ExampleObject(value = EXAMPLE),
            schema = @Schema(description = "The data of each event.", oneOf = {AnswerEvents.Started.class,
                    AnswerEvents.Delta.class, AnswerEvents.End.class})),
            headers = @Header(name = ServerTimingMetric.HEADER, description = TIMING, schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `questionId` is missing or not a"
            + " question (or tool result), the model is blank or too long, a parameter is out of range, a tool is"
            + " offered twice or its `parameters` is not an object, `toolChoice` names no offered tool.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + "; `model_not_found`: the model is not in the"
            + " caller's catalogue.")
    @ApiResponse(responseCode = "409", description = "`chat_full`: the chat holds the most messages a chat may.")
    @ApiResponse(responseCode = "429", description = TOO_MANY, headers = @Header(name = HttpHeaders.RETRY_AFTER,
            description = "seconds to wait", schema = @Schema(type = "integer")))
    @ApiResponse(responseCode = "502", description = "`provider_unavailable`: the connection's address is refused.")
    void answer(EffectiveState state, HttpServletRequest request, HttpServletResponse response,
                                      @Parameter(description = "The chat's id.") @PathVariable UUID chatId,
                                      @Valid @RequestBody AnswerRequest body) {
        AnswerGeneration.Started started = generation.answer(state, chatId, body.questionId(), body.model(),
                body.parameters() == null ? AnswerParameters.DEFAULTS : body.parameters(), body.tools());
        stream(started.feed(), started.start(), request, response);
    }

    @PostMapping(path = "/messages/{messageId}/regenerate", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Regenerate an answer", description = "Starts another answer to the question the given"
            + " answer answered (a sibling: both stay), with the same model and parameters unless others are given,"
            + " and streams it as `POST .../answers` does. An answer asked of a preset goes through the preset again"
            + " (`answer.preset`), while it exists.")
    @ApiResponse(responseCode = "200", description = STREAM, content = @Content(
            mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, examples = @ExampleObject(value = EXAMPLE),
            schema = @Schema(description = "The data of each event.", oneOf = {AnswerEvents.Started.class,
                    AnswerEvents.Delta.class, AnswerEvents.End.class})),
            headers = @Header(name = ServerTimingMetric.HEADER, description = TIMING, schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "400", description = "`validation_failed`: the message is not an answer, a"
            + " parameter is out of range, or the tools are invalid (as for `POST .../answers`).")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + "; `model_not_found`: the model is not in the"
            + " caller's catalogue (any more).")
    @ApiResponse(responseCode = "409", description = "`chat_full`: the chat holds the most messages a chat may.")
    @ApiResponse(responseCode = "429", description = TOO_MANY, headers = @Header(name = HttpHeaders.RETRY_AFTER,
            description = "seconds to wait", schema = @Schema(type = "integer")))
    @ApiResponse(responseCode = "502", description = "`provider_unavailable`: the connection's address is refused.")
    void regenerate(EffectiveState state, HttpServletRequest request, HttpServletResponse response,
                                          @Parameter(description = "The chat's id.") @PathVariable UUID chatId,
                                          @Parameter(description = "The answer to regenerate.")
                                          @PathVariable UUID messageId,
                                          @Valid @RequestBody(required = false) @Nullable RegenerateRequest body) {
        AnswerGeneration.Started started = generation.regenerate(state, chatId, messageId,
                body == null ? null : body.model(), body == null ? null : body.parameters(),
                body == null ? null : body.tools());
        stream(started.feed(), started.start(), request, response);
    }

    @GetMapping(path = "/messages/{messageId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Reattach to an answer", description = "Streams an answer from any replica: what has been"
            + " saved (one `delta`), then the rest live, then `end`. An answer that has ended replays at once. An"
            + " answer whose generator died (a replica killed mid-answer) ends as `failed` with"
            + " `answer_interrupted`.")
    @ApiResponse(responseCode = "200", description = STREAM, content = @Content(
            mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, examples = @ExampleObject(value = EXAMPLE),
            schema = @Schema(description = "The data of each event.", oneOf = {AnswerEvents.Started.class,
                    AnswerEvents.Delta.class, AnswerEvents.End.class})),
            headers = @Header(name = ServerTimingMetric.HEADER, description = TIMING, schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "400", description = "`validation_failed`: the message is not an answer.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + ".")
    void events(EffectiveState state, HttpServletRequest request, HttpServletResponse response,
                                      @Parameter(description = "The chat's id.") @PathVariable UUID chatId,
                                      @Parameter(description = "The answer's id.") @PathVariable UUID messageId) {
        stream(generation.attach(state, chatId, messageId), null, request, response);
    }

    @PostMapping("/messages/{messageId}/stop")
    @Operation(summary = "Stop an answer", description = "Stops an answer being generated, on whichever replica:"
            + " the upstream call is cancelled and what was generated is saved as `stopped`. Stopping an answer that"
            + " has ended changes nothing. Answers the message after the stop.")
    @ApiResponse(responseCode = "200", description = "The answer after the stop.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: the message is not an answer.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + ".")
    ChatMessage stop(EffectiveState state, @Parameter(description = "The chat's id.") @PathVariable UUID chatId,
                     @Parameter(description = "The answer's id.") @PathVariable UUID messageId) {
        return generation.stop(state, chatId, messageId);
    }

    /**
     * Streams the feed, written straight to the response (as the gateway streams its calls), without Spring's
     * asynchronous dispatch: the request's thread sends the first event, which commits the response with its headers
     * (so that no filter changes them while another thread writes), and returns; the feed's own threads send the
     * rest, only while something arrives, and complete the request when the answer ended, the client went away (a
     * write failed: the answer goes on without it), or this replica is shutting down (the stream ends without
     * {@code end}: the client reattaches).
     */
    private void stream(AnswerFeed feed, @Nullable Duration start, HttpServletRequest request,
                        HttpServletResponse response) {
        response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
        StringBuilder timing = ServerTimingMetric.append(new StringBuilder(72), "atrium",
                System.nanoTime() - RequestArrival.nanos(request), "Atrium");
        if (start != null) {
            ServerTimingMetric.append(timing, "db", start.toNanos(), "answer start");
        }
        response.setHeader(ServerTimingMetric.HEADER, timing.toString());
        OutputStream out;
        AsyncContext async;
        try {
            out = response.getOutputStream();
            async = request.startAsync();
        } catch (IOException | RuntimeException unusable) {
            feed.close(); // never streamed: its subscriptions go now
            throw unusable instanceof IOException failed ? new UncheckedIOException(failed)
                    : (RuntimeException) unusable;
        }
        async.setTimeout(0); // the answer's own limits end it; the client's idle connection is noticed by a write
        async.addListener(new AsyncListener() {
            @Override
            public void onError(AsyncEvent event) {
                feed.stop(); // the connection failed: nothing more can be sent
            }

            @Override
            public void onComplete(AsyncEvent event) {
                // the feed completed it, or onError came first
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                // no time limit is set
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // started once
            }
        });
        streaming.add(feed);
        if (!running) {
            feed.stop(); // shutting down: the answer's id alone, with which the client reattaches elsewhere
        }
        feed.stream(new AnswerFeed.Sink() {
            @Override
            public void send(String event, Object data) throws IOException {
                write(out, "event:" + event + "\ndata:" + json.writeValueAsString(data) + "\n\n");
            }

            @Override
            public void keepAlive() throws IOException {
                write(out, ":keep-alive\n\n");
            }
        }, failure -> {
            streaming.remove(feed);
            if (failure instanceof IOException) {
                // The client went away: the answer goes on without it.
                LogEvents.debug(log, "chat.answer.feed.client_gone").addKeyValue("message_id", feed.messageId())
                        .log();
            } else if (failure != null) {
                LogEvents.warn(log, "chat.answer.feed.failed").addKeyValue("message_id", feed.messageId())
                        .addKeyValue("reason", failure.getClass().getSimpleName()).log();
            }
            try {
                async.complete();
            } catch (IllegalStateException alreadyEnded) {
                // The web server ended the request with the connection's error.
            }
        });
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Streams end with the answer; on shutdown they must not hold graceful shutdown up: clients reattach. */
    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        streaming.forEach(AnswerFeed::stop);
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
