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
        return exchange(builder.build(), method + " " + path);
    }

    /**
     * Sends raw bytes as they are (for malformed multipart and the like); the headers carry the content type. A body
     * over 1 MiB waits for {@code 100 Continue}, as curl's does: a server that refuses it unread (too large) closes
     * the connection, and a client still sending then may lose the answer to the reset that follows.
     */
    public Response sendBytes(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .expectContinue(body.length > 1024 * 1024);
        headers.forEach(builder::header);
        return exchange(builder.build(), method + " " + path);
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

    /**
     * Uploads a file as the multipart part {@code file}, streaming it from memory.
     *
     * @param path     for example {@code /api/v1/collections/<id>/files}
     * @param fileName the name the client gives the file
     * @param content  its bytes
     * @param token    a bearer token, or null
     * @return the response
     */
    public Response upload(String path, String fileName, byte[] content, String token) {
        return upload(path, fileName, content, token, Map.of());
    }

    /**
     * Uploads a file as the multipart part {@code file} with extra request headers ({@code Idempotency-Key}).
     *
     * @param headers the extra headers
     * @return the response
     */
    public Response upload(String path, String fileName, byte[] content, String token, Map<String, String> headers) {
        String boundary = "atrium-test-" + java.util.UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + fileName.replace("\"", "") + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofByteArray(content), HttpRequest.BodyPublishers.ofByteArray(tail)));
        auth(token).forEach(builder::header);
        headers.forEach(builder::header);
        return exchange(builder.build(), "upload to " + path);
    }

    /**
     * One part of a multipart body.
     *
     * @param name     the part's name, for example {@code file} or {@code metadata}
     * @param fileName the file name, or null for a plain field
     * @param content  its bytes
     */
    public record Part(String name, String fileName, byte[] content) {

        /** A part named {@code file}. */
        public static Part file(String fileName, byte[] content) {
            return new Part("file", fileName, content);
        }

        /** The {@code metadata} field, as sent. */
        public static Part metadata(String json) {
            return new Part("metadata", null, json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /**
     * Sends a multipart body of the given parts, in order.
     *
     * @param path  for example {@code /api/v1/collections/<id>/files/batch}
     * @param parts the parts
     * @param token a bearer token, or null
     * @return the response
     */
    public Response multipart(String path, java.util.List<Part> parts, String token) {
        return multipart(path, parts, token, Map.of());
    }

    /**
     * Sends a multipart body of the given parts, in order, with extra request headers.
     *
     * @param headers the extra headers
     * @return the response
     */
    public Response multipart(String path, java.util.List<Part> parts, String token, Map<String, String> headers) {
        String boundary = "atrium-test-" + java.util.UUID.randomUUID();
        java.util.List<HttpRequest.BodyPublisher> publishers = new java.util.ArrayList<>();
        for (Part part : parts) {
            String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part.name() + "\""
                    + (part.fileName() == null ? "" : "; filename=\"" + part.fileName().replace("\"", "") + "\""
                    + "\r\nContent-Type: application/octet-stream") + "\r\n\r\n";
            publishers.add(HttpRequest.BodyPublishers.ofString(head, java.nio.charset.StandardCharsets.UTF_8));
            publishers.add(HttpRequest.BodyPublishers.ofByteArray(part.content()));
            publishers.add(HttpRequest.BodyPublishers.ofString("\r\n"));
        }
        publishers.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n"));
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(publishers.toArray(HttpRequest.BodyPublisher[]::new)));
        auth(token).forEach(builder::header);
        headers.forEach(builder::header);
        return exchange(builder.build(), "multipart to " + path);
    }

    /** GET returning the raw bytes, for downloads. */
    public byte[] download(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        auth(token).forEach(builder::header);
        try {
            HttpResponse<byte[]> response = CLIENT.send(builder.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("download of " + path + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException failure) {
            throw new UncheckedIOException("download of " + path + " failed", failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    private static Response exchange(HttpRequest request, String what) {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            Map<String, String> flat = new LinkedHashMap<>();
            response.headers().map().forEach((name, values) -> flat.put(name.toLowerCase(), values.getFirst()));
            return new Response(response.statusCode(), flat, response.body());
        } catch (IOException failure) {
            throw new UncheckedIOException(what + " failed", failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    private static Map<String, String> auth(String token) {
        return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    }
}
