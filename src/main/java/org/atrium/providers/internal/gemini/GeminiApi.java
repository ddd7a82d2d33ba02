package org.atrium.providers.internal.gemini;

import org.apache.hc.core5.http.HttpRequest;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ProviderModel;
import org.atrium.providers.internal.ProviderApi;
import org.atrium.providers.internal.Uris;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Google's Generative Language API (Gemini), {@code v1beta}. The base URL is the API root
 * ({@code https://generativelanguage.googleapis.com}); the key goes in {@code x-goog-api-key}, never in the URL, so
 * that it cannot end up in a log line or an error message that quotes the address.
 */
public final class GeminiApi implements ProviderApi {

    @Override
    public URI modelsUri(URI base, @Nullable String pageToken) {
        return Uris.append(base, "/v1beta/models?pageSize=1000" + (pageToken == null ? "" : "&pageToken="
                + Uris.encode(pageToken)));
    }

    @Override
    public void authenticate(HttpRequest request, @Nullable String secret) {
        if (secret != null) {
            request.setHeader("x-goog-api-key", secret);
        }
    }

    @Override
    public ModelPage models(JsonNode body) {
        JsonNode list = body.path("models");
        if (!list.isArray() && !body.isEmpty()) {
            throw new UnusableResponse("it has no 'models' list");
        }
        List<ProviderModel> models = new ArrayList<>();
        for (JsonNode model : list) {
            String name = ProviderApi.text(model.path("name"));
            if (name == null || !chats(model)) {
                continue;
            }
            String id = name.startsWith("models/") ? name.substring("models/".length()) : name;
            models.add(new ProviderModel(id, ProviderApi.text(model.path("displayName")),
                    positive(model.path("inputTokenLimit")), positive(model.path("outputTokenLimit"))));
        }
        return new ModelPage(models, ProviderApi.text(body.path("nextPageToken")));
    }

    /** Embedding, image and audio models are listed too; only those that generate content can chat. */
    private static boolean chats(JsonNode model) {
        for (JsonNode method : model.path("supportedGenerationMethods")) {
            if ("generateContent".equals(method.asString(""))) {
                return true;
            }
        }
        return false;
    }

    private static @Nullable Integer positive(JsonNode node) {
        return node.isIntegralNumber() && node.asInt() > 0 ? node.asInt() : null;
    }

    @Override
    public URI chatUri(URI base, String model) {
        String id = model.startsWith("models/") ? model.substring("models/".length()) : model;
        return Uris.append(base, "/v1beta/models/" + Uris.encode(id) + ":streamGenerateContent?alt=sse");
    }

    @Override
    public ObjectNode chatBody(ChatRequest request, JsonMapper json) {
        return GeminiChat.body(request, json);
    }

    @Override
    public StreamTranslator translator(JsonMapper json) {
        return new GeminiChat.Stream(json);
    }
}
