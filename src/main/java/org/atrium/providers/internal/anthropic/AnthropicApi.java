package org.atrium.providers.internal.anthropic;

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
 * Anthropic's Messages API. The base URL is the API root without the version ({@code https://api.anthropic.com});
 * the credential goes in {@code x-api-key}, and every request names the API version.
 */
public final class AnthropicApi implements ProviderApi {

    /** The API version every request declares; the Messages API and its streaming events are stable under it. */
    public static final String VERSION = "2023-06-01";

    @Override
    public URI modelsUri(URI base, @Nullable String pageToken) {
        return Uris.append(base, "/v1/models?limit=1000" + (pageToken == null ? "" : "&after_id="
                + Uris.encode(pageToken)));
    }

    @Override
    public void authenticate(HttpRequest request, @Nullable String secret) {
        if (secret != null) {
            request.setHeader("x-api-key", secret);
        }
        request.setHeader("anthropic-version", VERSION);
    }

    @Override
    public ModelPage models(JsonNode body) {
        JsonNode data = body.path("data");
        if (!data.isArray()) {
            throw new UnusableResponse("it has no 'data' list of models");
        }
        List<ProviderModel> models = new ArrayList<>();
        for (JsonNode model : data) {
            String id = ProviderApi.text(model.path("id"));
            if (id != null) {
                models.add(new ProviderModel(id, ProviderApi.text(model.path("display_name"))));
            }
        }
        String next = body.path("has_more").asBoolean(false) ? ProviderApi.text(body.path("last_id")) : null;
        return new ModelPage(models, next);
    }

    @Override
    public URI chatUri(URI base, String model) {
        return Uris.append(base, "/v1/messages");
    }

    @Override
    public ObjectNode chatBody(ChatRequest request, JsonMapper json) {
        return AnthropicChat.body(request, json);
    }

    @Override
    public StreamTranslator translator(JsonMapper json) {
        return new AnthropicChat.Stream(json);
    }
}
