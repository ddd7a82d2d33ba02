package org.atrium.providers.internal;

import org.apache.hc.core5.http.HttpRequest;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.FinishReason;
import org.atrium.providers.ProviderModel;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.util.List;

/**
 * One provider kind's wire format: where its endpoints are, how a credential is sent, and how its JSON maps to
 * Atrium's provider-neutral records. Implementations live in one subpackage per kind and are stateless; the
 * HTTP calls, limits, timeouts, retries and error mapping around them are shared ({@link ModelLister},
 * {@link ChatCall}).
 */
public interface ProviderApi {

    /**
     * @param base      the connection's base URL
     * @param pageToken the token from the previous page, null for the first
     * @return the URL of one page of the model list
     */
    URI modelsUri(URI base, @Nullable String pageToken);

    /**
     * Adds the credential (and any header the API always needs, such as {@code anthropic-version}).
     *
     * @param request the request being built
     * @param secret  the credential, already checked to be header-safe; null sends none
     */
    void authenticate(HttpRequest request, @Nullable String secret);

    /**
     * @param body one page of the model list
     * @return its models and the next page's token
     * @throws UnusableResponse when the body is not a model list
     */
    ModelPage models(JsonNode body);

    /**
     * @param base  the connection's base URL
     * @param model the model id
     * @return where a streaming chat request is posted
     */
    URI chatUri(URI base, String model);

    /**
     * @param request the neutral request
     * @param json    to build nodes
     * @return the streaming request body in this kind's format
     * @throws UnsupportedRequest when the request uses something this kind cannot take
     */
    ObjectNode chatBody(ChatRequest request, JsonMapper json);

    /** @return true when the stream is NDJSON (Ollama), false for server-sent events */
    default boolean ndjson() {
        return false;
    }

    /**
     * @param json to parse events
     * @return a fresh translator for one stream
     */
    StreamTranslator translator(JsonMapper json);

    /** Turns one kind's stream events into neutral events on a sink. Not thread-safe; one per stream. */
    interface StreamTranslator {

        /**
         * @param event the SSE event name, null for unnamed events and NDJSON lines
         * @param data  the event's data (an SSE event's data lines joined, or one NDJSON line)
         * @param sink  where neutral events go
         * @throws UnusableResponse when the data is not what the format documents
         */
        void accept(@Nullable String event, String data, ChatSink sink);

        /** @return true once the stream's end marker was seen; the rest of the connection is not read */
        boolean finished();

        /** @return true when the stream may end (EOF) now without having been cut off */
        default boolean completeAtEnd() {
            return finished();
        }
    }

    /** Where a translator sends what it read. */
    interface ChatSink {

        /** @param delta more text */
        void text(String delta);

        /**
         * A piece of a tool call; pieces with the same index make up one call.
         *
         * @param index the call's index in this answer (any stable key)
         * @param id    the call's id, on the first piece (null: Atrium generates one)
         * @param name  the tool's name, on the first piece
         * @param args  more JSON text of its arguments
         */
        void toolCallDelta(int index, @Nullable String id, @Nullable String name, String args);

        /** @param index the call whose pieces are all there */
        void toolCallDone(int index);

        /**
         * Usage as reported so far; null leaves a value as it was.
         *
         * @param input  input tokens
         * @param output output tokens
         */
        void usage(@Nullable Integer input, @Nullable Integer output);

        /** @param reason why the model stopped */
        void finish(FinishReason reason);

        /**
         * An error event inside a started stream: the call fails.
         *
         * @param code    a {@link org.atrium.providers.ProviderFailure} code
         * @param message the provider's explanation (redacted and shortened by the sink)
         */
        void error(String code, String message);
    }

    /** A request this kind of provider cannot take. */
    final class UnsupportedRequest extends RuntimeException {

        /** @param problem what cannot be sent, for the failure message */
        public UnsupportedRequest(String problem) {
            super(problem, null, false, false);
        }
    }

    /**
     * One page of a model list.
     *
     * @param models    the models on it (already filtered to those that can chat, where the API tells)
     * @param nextToken the token of the next page, null on the last
     */
    record ModelPage(List<ProviderModel> models, @Nullable String nextToken) {
    }

    /** A successful answer whose content is not what the API documents. */
    final class UnusableResponse extends RuntimeException {

        /** @param problem what is wrong, for the failure message (no provider content beyond names) */
        public UnusableResponse(String problem) {
            super(problem, null, false, false);
        }
    }

    /**
     * @param node a JSON node
     * @return its text when it is a non-blank string, else null
     */
    static @Nullable String text(JsonNode node) {
        return node.isString() && !node.asString().isBlank() ? node.asString() : null;
    }

    /** @return the node's int value when it is a non-negative integer, else null */
    static @Nullable Integer count(JsonNode node) {
        return node.isIntegralNumber() && node.asLong() >= 0 && node.asLong() <= Integer.MAX_VALUE ? node.asInt()
                : null;
    }

    /**
     * @param json to parse
     * @param data event data
     * @return it parsed
     * @throws UnusableResponse when it is not JSON
     */
    static JsonNode parse(JsonMapper json, String data) {
        try {
            return json.readTree(data);
        } catch (tools.jackson.core.JacksonException notJson) {
            throw new UnusableResponse("an event is not JSON");
        }
    }

    /**
     * Parses tool-call arguments or a tool result into the JSON object some providers want.
     *
     * @param json to parse
     * @param text the JSON text (or any text)
     * @return the object; non-object JSON and non-JSON text are wrapped as {@code {"result": ...}}
     */
    static ObjectNode object(JsonMapper json, String text) {
        try {
            JsonNode parsed = text.isBlank() ? json.createObjectNode() : json.readTree(text);
            if (parsed instanceof ObjectNode object) {
                return object;
            }
            ObjectNode wrapped = json.createObjectNode();
            wrapped.set("result", parsed);
            return wrapped;
        } catch (tools.jackson.core.JacksonException notJson) {
            return json.createObjectNode().put("result", text);
        }
    }
}
