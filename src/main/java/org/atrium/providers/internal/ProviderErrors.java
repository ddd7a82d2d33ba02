package org.atrium.providers.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;

/**
 * Turns what a provider said about a failure into text fit for a user: the explanation from its error body,
 * whitespace collapsed, shortened, and with the caller's secret blanked out in case the provider echoes it back.
 */
final class ProviderErrors {

    /** Longest provider explanation quoted in a failure message. */
    static final int MAX_MESSAGE = 300;
    private static final String REDACTED = "[redacted]";

    private ProviderErrors() {
    }

    /**
     * Finds the provider's explanation in an error body. Tolerant on purpose: OpenAI nests it
     * ({@code {"error":{"message":...}}}), Ollama and some gateways give a string ({@code {"error":"..."}}), others
     * use {@code message} or {@code detail}, and a proxy in front may answer with plain text or HTML.
     *
     * @param body   the response body
     * @param json   to parse it
     * @param secret blanked out wherever it appears
     * @return the explanation, at most {@link #MAX_MESSAGE} characters; empty when there is none
     */
    static String providerMessage(byte[] body, JsonMapper json, @Nullable String secret) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "";
        }
        String found = text;
        if (text.startsWith("{")) {
            try {
                found = explanation(json.readTree(text));
            } catch (JacksonException notJson) {
                // keep the raw text
            }
        } else if (text.startsWith("<")) {
            found = text.replaceAll("<[^>]*>", " ");
        }
        return shorten(redact(found.replaceAll("\\s+", " ").strip(), secret));
    }

    private static String explanation(JsonNode body) {
        JsonNode error = body.path("error");
        if (error.isObject()) {
            String message = error.path("message").asString("");
            if (!message.isBlank()) {
                return message;
            }
        }
        for (JsonNode candidate : new JsonNode[]{error, body.path("message"), body.path("detail")}) {
            if (candidate.isString() && !candidate.asString().isBlank()) {
                return candidate.asString();
            }
        }
        return body.toString();
    }

    /**
     * @param text   any text that may contain the secret
     * @param secret the secret, or null
     * @return the text with every occurrence of the secret replaced
     */
    static String redact(String text, @Nullable String secret) {
        if (secret == null || secret.isEmpty()) {
            return text;
        }
        return text.replace(secret, REDACTED);
    }

    private static String shorten(String text) {
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE - 1).strip() + "…";
    }

    /** @return the status as people read it, for example {@code 401 Unauthorized} */
    static String status(int code) {
        HttpStatus known = HttpStatus.resolve(code);
        return known == null ? "HTTP " + code : code + " " + known.getReasonPhrase();
    }

    /** @return {@code ": explanation"}, or nothing when the provider gave none, ending without a full stop */
    static String quoted(String providerMessage) {
        if (providerMessage.isEmpty()) {
            return "";
        }
        String trimmed = providerMessage.endsWith(".") ? providerMessage.substring(0, providerMessage.length() - 1)
                : providerMessage;
        return ": " + trimmed;
    }

    /**
     * @param connection the connection name
     * @return the environment variable prefix of that connection, for messages that tell an admin what to change
     */
    static String variable(String connection) {
        return "ATRIUM_PROVIDERS_CONNECTIONS_" + connection.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }
}
