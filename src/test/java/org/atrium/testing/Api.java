package org.atrium.testing;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small HTTP client for tests: real requests over loopback to a running Atrium, JSON in and out.
 */
public final class Api {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;

    /**
     * @param baseUrl for example {@code http://127.0.0.1:8080}
     */
    public Api(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A response: status, headers (first value of each, lower-case names) and the parsed body. */
    public record Response(int status, Map<String, String> headers, String text) {

        /** @return the body as JSON (an empty object node when there is no body) */
        public JsonNode json() {
            return text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        }

        /** @return a header's first value, or {@code null} */
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    /** @return the base URL */
    public String baseUrl() {
        return baseUrl;
    }

    /** Sends a request; {@code body} is serialised to JSON unless it is a String. */
    public Response send(String method, String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30));
        headers.forEach(builder::header);
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            String text = body instanceof String string ? string : JSON.writeValueAsString(body);
            builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(text));
        }
        try {
            HttpResponse<String> response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> flat = new LinkedHashMap<>();
            response.headers().map().forEach((name, values) -> flat.put(name.toLowerCase(), values.getFirst()));
            return new Response(response.statusCode(), flat, response.body());
        } catch (IOException failure) {
            throw new UncheckedIOException(method + " " + path + " failed", failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** GET with an optional bearer token. */
    public Response get(String path, String token) {
        return send("GET", path, null, auth(token));
    }

    /** POST JSON with an optional bearer token. */
    public Response post(String path, Object body, String token) {
        return send("POST", path, body, auth(token));
    }

    /** PUT JSON with an optional bearer token. */
    public Response put(String path, Object body, String token) {
        return send("PUT", path, body, auth(token));
    }

    /** PATCH JSON with an optional bearer token. */
    public Response patch(String path, Object body, String token) {
        return send("PATCH", path, body, auth(token));
    }

    /** DELETE with an optional bearer token. */
    public Response delete(String path, String token) {
        return send("DELETE", path, null, auth(token));
    }

    private static Map<String, String> auth(String token) {
        return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    }
}
