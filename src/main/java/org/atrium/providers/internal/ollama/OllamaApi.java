package org.atrium.providers.internal.ollama;

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

/** Ollama's native API: {@code /api/tags} lists models, {@code /api/chat} streams NDJSON. */
public final class OllamaApi implements ProviderApi {

    @Override
    public URI modelsUri(URI base, @Nullable String pageToken) {
        return Uris.append(base, "/api/tags");
    }

    @Override
    public void authenticate(HttpRequest request, @Nullable String secret) {
        // Ollama itself has no authentication; a proxy in front of it may want a bearer token.
        if (secret != null) {
            request.setHeader("Authorization", "Bearer " + secret);
        }
    }

    @Override
    public ModelPage models(JsonNode body) {
        JsonNode list = body.path("models");
        if (!list.isArray()) {
            throw new UnusableResponse("it has no 'models' list");
        }
        List<ProviderModel> models = new ArrayList<>();
        for (JsonNode model : list) {
            String id = ProviderApi.text(model.path("model"));
            if (id == null) {
                id = ProviderApi.text(model.path("name"));
            }
            if (id != null) {
                models.add(new ProviderModel(id, ProviderApi.text(model.path("name"))));
            }
        }
        return new ModelPage(models, null);
    }

    @Override
    public URI chatUri(URI base, String model) {
        return Uris.append(base, "/api/chat");
    }

    @Override
    public ObjectNode chatBody(ChatRequest request, JsonMapper json) {
        return OllamaChat.body(request, json);
    }

    @Override
    public boolean ndjson() {
        return true;
    }

    @Override
    public StreamTranslator translator(JsonMapper json) {
        return new OllamaChat.Stream(json);
    }
}
