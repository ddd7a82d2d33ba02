package org.atrium.chat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An answer's server-sent events as a client reads them, on a thread of its own; closing it is a disconnect. */
final class AnswerEventStream implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Event(String name, JsonNode data) {
    }

    private final HttpClient client;
    private final HttpResponse<InputStream> response;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final String refusal;
    private volatile boolean ended;

    private AnswerEventStream(HttpClient client, HttpResponse<InputStream> response) throws IOException {
        this.client = client;
        this.response = response;
        if (response.statusCode() == 200) {
            this.refusal = "";
            this.reader = Thread.ofVirtual().start(this::read);
        } else {
            this.refusal = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            this.reader = Thread.ofVirtual().start(() -> ended = true);
        }
    }

    /** Opens a stream: a POST with a JSON body, or a GET when {@code body} is null. */
    static AnswerEventStream open(String baseUrl, String method, String path, String body, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream");
        if (body == null) {
            builder.GET();
        } else {
            builder.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(body));
        }
        // A client of its own: a stream closed by the test (a disconnect) never leaves a connection to reuse.
        HttpClient client = HttpClient.newHttpClient();
        try {
            return new AnswerEventStream(client, client.send(builder.build(),
                    HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    static String json(Object body) {
        return JSON.writeValueAsString(body);
    }

    int status() {
        return response.statusCode();
    }

    String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            String name = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(name, JSON.readTree(data.toString())));
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException | RuntimeException closed) {
            // Closed by the test (a disconnect) or by the server.
        } finally {
            ended = true;
        }
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    /** @return the text of the deltas, each applied at its offset */
    String text() {
        StringBuilder text = new StringBuilder();
        for (Event event : events) {
            if (event.name().equals("delta")) {
                int offset = event.data().path("offset").asInt();
                text.setLength(Math.min(text.length(), offset));
                text.append(event.data().path("text").asString());
            }
        }
        return text.toString();
    }

    /** Waits for the {@code end} event. @return its data */
    JsonNode awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Event event : events) {
                if (event.name().equals("end")) {
                    return event.data();
                }
            }
            if (ended) {
                break;
            }
            pause();
        }
        throw new AssertionError("no end event within " + timeout + "; events: " + events);
    }

    /** Waits until the server closes the stream, with or without an {@code end} event. @return whether it did */
    boolean awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended && System.nanoTime() < deadline) {
            pause();
        }
        return ended;
    }

    /** Waits until the deltas hold at least this much text. */
    void awaitText(int length, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (text().length() >= length) {
                return;
            }
            pause();
        }
        throw new AssertionError("only '" + text() + "' within " + timeout);
    }

    /** @return the body of a refused request, as JSON */
    JsonNode problem() {
        return refusal.isEmpty() ? JSON.createObjectNode() : JSON.readTree(refusal);
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // Already closed.
        }
        reader.interrupt();
        client.shutdownNow();
    }
}
