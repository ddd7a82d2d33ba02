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
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The tests' one server-sent-events client for {@code GET /api/v1/events}: records every event (name, data, arrival
 * time) and when the server ended the stream.
 */
public final class EventStreamClient implements AutoCloseable {

    /** An event received: its name, its data lines joined by newlines, and when it arrived. */
    public record Event(String name, String data, Instant at) {
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Stream<String> lines;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);

    private EventStreamClient(Stream<String> lines) {
        this.lines = lines;
        Thread.ofVirtual().name("sse-client").start(this::read);
    }

    /** Opens {@code GET /api/v1/events} with a bearer secret; fails unless it answers 200. */
    public static EventStreamClient open(String baseUrl, String secret) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/events"))
                .header("Authorization", "Bearer " + secret).header("Accept", "text/event-stream").GET().build();
        try {
            HttpResponse<Stream<String>> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new AssertionError("the event stream answered " + response.statusCode() + ": "
                        + String.join("\n", response.body().toList()));
            }
            return new EventStreamClient(response.body());
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    private void read() {
        String name = null;
        StringBuilder data = new StringBuilder();
        try {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (name != null) {
                        events.add(new Event(name, data.toString(), Instant.now()));
                    }
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring("event:".length()).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring("data:".length()).strip());
                }
            }
        } catch (RuntimeException closed) {
            // the test closed the stream
        } finally {
            ended.countDown();
        }
    }

    /** @return the events received so far, in arrival order */
    public List<Event> events() {
        return List.copyOf(events);
    }

    /** @return the data of the events with this name received so far, parsed as JSON, in arrival order */
    public List<JsonNode> data(String name) {
        return events.stream().filter(event -> event.name().equals(name)).map(event -> JSON.readTree(event.data()))
                .toList();
    }

    /** Waits until an event with this name has been received, at or after position {@code from}. */
    public void awaitEvent(String name, int from, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            List<Event> received = events();
            if (received.stream().skip(from).anyMatch(event -> event.name().equals(name))) {
                return;
            }
            if (hasEnded()) {
                throw new AssertionError("the stream ended before a '" + name + "' event; received " + received);
            }
            sleep();
        }
        throw new AssertionError("no '" + name + "' event within " + timeout + "; received " + events());
    }

    /** @return whether the server ended the stream within the timeout */
    public boolean awaitEnd(Duration timeout) {
        try {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** @return whether the stream has ended */
    public boolean hasEnded() {
        return ended.getCount() == 0;
    }

    @Override
    public void close() {
        lines.close();
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
