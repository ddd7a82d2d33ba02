package org.atrium.providers.internal;

import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One provider's embeddings wire format: where the request goes, what it carries, and where the vectors are in the
 * answer. Retries, errors and authentication are the same for every format and live in {@link RemoteEmbedder}.
 */
sealed interface EmbeddingsApi permits EmbeddingsApi.OpenAi, EmbeddingsApi.Ollama {

    /**
     * @param baseUrl the connection's base URL
     * @return the endpoint to post to
     */
    URI endpoint(URI baseUrl);

    /**
     * @param model the model name
     * @param texts the texts
     * @return the request body, to be written as JSON
     */
    Map<String, Object> request(String model, List<String> texts);

    /**
     * Reads the vectors out of a successful answer, in the order of the texts. Counts and dimensions are checked by
     * the caller.
     *
     * @param response the parsed body
     * @return the vectors
     * @throws UnusableResponse when the body does not have the expected shape
     */
    List<float[]> vectors(JsonNode response);

    /**
     * {@code POST {baseUrl}/embeddings} with {@code {"model", "input": [...], "encoding_format": "float"}}; the answer's
     * {@code data[].embedding} carry an {@code index} and are put in that order (the API does not promise the order
     * of {@code data}).
     */
    record OpenAi() implements EmbeddingsApi {

        @Override
        public URI endpoint(URI baseUrl) {
            return append(baseUrl, "/embeddings");
        }

        @Override
        public Map<String, Object> request(String model, List<String> texts) {
            return Map.of("model", model, "input", texts, "encoding_format", "float");
        }

        @Override
        public List<float[]> vectors(JsonNode response) {
            JsonNode data = response.path("data");
            if (!data.isArray()) {
                throw new UnusableResponse("it has no 'data' list");
            }
            float[][] ordered = new float[data.size()][];
            for (JsonNode item : data.values()) {
                JsonNode index = item.path("index");
                if (!index.isIntegralNumber() || index.asInt() < 0 || index.asInt() >= ordered.length
                        || ordered[index.asInt()] != null) {
                    throw new UnusableResponse("the indexes of 'data' are not 0 to " + (ordered.length - 1)
                            + ", each once");
                }
                ordered[index.asInt()] = vector(item.path("embedding"));
            }
            return List.of(ordered);
        }
    }

    /** {@code POST {baseUrl}/api/embed} with {@code {"model", "input": [...]}}; the answer's {@code embeddings}. */
    record Ollama() implements EmbeddingsApi {

        @Override
        public URI endpoint(URI baseUrl) {
            return append(baseUrl, "/api/embed");
        }

        @Override
        public Map<String, Object> request(String model, List<String> texts) {
            return Map.of("model", model, "input", texts);
        }

        @Override
        public List<float[]> vectors(JsonNode response) {
            JsonNode embeddings = response.path("embeddings");
            if (!embeddings.isArray()) {
                throw new UnusableResponse("it has no 'embeddings' list");
            }
            return embeddings.values().stream().map(EmbeddingsApi::vector).toList();
        }
    }

    private static URI append(URI baseUrl, String path) {
        String base = baseUrl.toString();
        // Admins write the base URL with or without a trailing slash; both mean the same root.
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + path);
    }

    private static float[] vector(JsonNode array) {
        if (!array.isArray()) {
            // A base64 string here means a gateway dropped encoding_format on its way to the provider.
            throw new UnusableResponse("an embedding is not a list of numbers (was encoding_format=float ignored?)");
        }
        if (array.isEmpty()) {
            throw new UnusableResponse("an embedding is empty");
        }
        float[] vector = new float[array.size()];
        for (int i = 0; i < vector.length; i++) {
            JsonNode value = array.get(i);
            if (!value.isNumber()) {
                throw new UnusableResponse("an embedding contains something other than numbers");
            }
            vector[i] = value.floatValue();
        }
        return vector;
    }

    /** A successful status with a body Atrium cannot use; never retried, since the same request gets the same body. */
    final class UnusableResponse extends RuntimeException {

        UnusableResponse(String reason) {
            super(reason);
        }
    }
}
