package org.atrium.cache;

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

/** A minimal server-sent-events client: records the names of the events received and when the stream ended. */
final class EventStreamClient implements AutoCloseable {

    /** An event received. */
    record Event(String name, Instant at) {
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Stream<String> lines;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);

    private EventStreamClient(Stream<String> lines) {
        this.lines = lines;
        Thread.ofVirtual().name("sse-client").start(this::read);
    }

    /** Opens {@code GET /api/v1/events} with a bearer secret; fails unless it answers 200. */
    static EventStreamClient open(String baseUrl, String secret) {
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
        try {
            lines.forEach(line -> {
                if (line.startsWith("event:")) {
                    events.add(new Event(line.substring("event:".length()).strip(), Instant.now()));
                }
            });
        } catch (RuntimeException closed) {
            // the test closed the stream
        } finally {
            ended.countDown();
        }
    }

    /** @return the events received so far */
    List<Event> events() {
        return List.copyOf(events);
    }

    /** Waits until an event with this name has been received, at or after position {@code from}. */
    void awaitEvent(String name, int from, Duration timeout) {
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
    boolean awaitEnd(Duration timeout) {
        try {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** @return whether the stream has ended */
    boolean hasEnded() {
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
