package org.atrium.providers.internal.openai;

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
 * OpenAI's chat completions wire format, spoken by OpenAI and every OpenAI-compatible server (LiteLLM, vLLM,
 * gateways). The base URL includes the version ({@code https://api.openai.com/v1}).
 */
public final class OpenAiApi implements ProviderApi {

    @Override
    public URI modelsUri(URI base, @Nullable String pageToken) {
        return Uris.append(base, "/models");
    }

    @Override
    public void authenticate(HttpRequest request, @Nullable String secret) {
        if (secret != null) {
            request.setHeader("Authorization", "Bearer " + secret);
        }
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
                models.add(new ProviderModel(id, null));
            }
        }
        // OpenAI's list is not paged; compatible servers that page are not known to exist.
        return new ModelPage(models, null);
    }

    @Override
    public URI chatUri(URI base, String model) {
        return Uris.append(base, "/chat/completions");
    }

    @Override
    public ObjectNode chatBody(ChatRequest request, JsonMapper json) {
        return OpenAiChat.body(request, json);
    }

    @Override
    public StreamTranslator translator(JsonMapper json) {
        return new OpenAiChat.Stream(json);
    }
}
