package org.atrium.platform;

import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Streams written by a thread of their own (event streams, file status) start with a comment that the
 * request's own thread writes.
 *
 * <p>After a controller returns a stream, the request thread is still running filters that add headers when the
 * response is not committed yet (Spring Security's header writer among them). A response's headers are not
 * thread-safe: a first write from the stream's thread at that moment corrupts them (spring-framework#25057; under
 * Tomcat an answer stream failed with a 500 and a {@code NullPointerException} in {@code Http11OutputBuffer} when 150
 * streams were opened in a row). Spring replays what was sent before the stream was set up on the request thread,
 * under the emitter's lock; so sending a comment first commits the response, headers included, on the request
 * thread, and later header changes are ignored. SSE clients skip comments. Such streams end through {@link #end}.
 */
public final class EventStreams {

    private static final String OPENING = "open";

    private EventStreams() {
    }

    /**
     * Sends the opening comment. Call it before the thread that writes the stream starts.
     *
     * @param emitter the stream, not yet returned to Spring (so the comment is only queued, never written here)
     */
    public static void open(ResponseBodyEmitter emitter) {
        try {
            if (emitter instanceof SseEmitter events) {
                events.send(SseEmitter.event().comment(OPENING));
            } else {
                emitter.send(":" + OPENING + "\n\n", MediaType.TEXT_PLAIN);
            }
        } catch (IOException queuedNotWritten) {
            throw new UncheckedIOException(queuedNotWritten);
        }
    }

    /**
     * Ends a stream from its own thread. When the client went away the web server may already have ended the request
     * with an error, and ending it again is refused ({@code IllegalStateException}): there is nothing left to end then.
     *
     * @param emitter the stream
     * @param failure why it ends early (the client went away, a failure), or {@code null} when it is complete
     */
    public static void end(ResponseBodyEmitter emitter, @Nullable Throwable failure) {
        try {
            if (failure == null) {
                emitter.complete();
            } else {
                emitter.completeWithError(failure);
            }
        } catch (IllegalStateException alreadyEnded) {
            // The request ended with the client's error; its listeners have run.
        }
    }
}
