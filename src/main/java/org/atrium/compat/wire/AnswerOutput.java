package org.atrium.compat.wire;

import jakarta.servlet.http.HttpServletResponse;
import org.atrium.chat.ModelCalls;
import org.atrium.platform.LogEvents;
import org.atrium.platform.ServerTimingMetric;
import org.atrium.providers.ChatHandle;
import org.atrium.providers.ProviderFailure;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The response to one model call of a compatibility API, whatever the API's wire shape: the shape's writer (a
 * {@link ModelCalls.CallListener}) decides what to write, this decides when and how.
 *
 * <p>Nothing is written before the provider's first output: a call that fails before it is answered with the HTTP
 * status of its failure (thrown by {@link #run}, and shaped by the API's {@link CompatErrorFilter}). The first write
 * of a stream sets its headers ({@code Server-Timing} included); once streaming, a failure is an event of the shape's
 * own. A write that fails (the client went away) throws, which cancels the upstream call; so does a heartbeat written
 * into a stream that has been silent for {@link StreamHeartbeats#INTERVAL}, so that a client gone while the model is
 * silent is noticed too. Listener methods run on the request's thread, which runs the call.
 */
public final class AnswerOutput {

    private static final Logger log = LoggerFactory.getLogger(AnswerOutput.class);

    private final HttpServletResponse response;
    private final ServerTiming timing;
    private final StreamHeartbeats heartbeats;
    private final String streamType;
    private final byte[] heartbeat;
    private final CompletableFuture<@Nullable ProviderFailure> done = new CompletableFuture<>();
    /** Held by every write: the call's thread writes events, a heartbeat writes its line. */
    private final ReentrantLock writing = new ReentrantLock();
    private volatile @Nullable OutputStream out;
    private volatile long lastWrite;
    private volatile boolean ended;
    private volatile @Nullable ChatHandle handle;
    private @Nullable ScheduledFuture<?> beating;

    /**
     * @param response   the response
     * @param timing     the request's timing, sent as {@code Server-Timing}
     * @param heartbeats ticks for silent streams
     * @param streamType the content type of a stream ({@code text/event-stream}, {@code application/x-ndjson})
     * @param heartbeat  what a silent stream gets, which its clients ignore
     */
    public AnswerOutput(HttpServletResponse response, ServerTiming timing, StreamHeartbeats heartbeats,
                        String streamType, byte[] heartbeat) {
        this.response = response;
        this.timing = timing;
        this.heartbeats = heartbeats;
        this.streamType = streamType;
        this.heartbeat = heartbeat.clone();
    }

    /** @return the request's timing */
    public ServerTiming timing() {
        return timing;
    }

    /** @return whether anything has been written */
    public boolean started() {
        return out != null;
    }

    /**
     * Runs the call whose listener writes here, on this (the request's) thread, and returns when it has ended.
     *
     * @param started the call, which a heartbeat that finds the client gone cancels
     * @throws ProviderFailure the call's failure, when nothing had been written
     */
    public void run(ModelCalls.Started started) {
        handle = started.call();
        started.call().run();
        // The listener's last event completed it before run() returned.
        ProviderFailure failure = done.resultNow();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The call completed: writes its end.
     *
     * @param last writes the answer's end (or the whole answer)
     */
    public void complete(Runnable last) {
        end();
        try {
            last.run();
        } finally {
            done.complete(null);
        }
    }

    /**
     * The call failed: before any output the failure goes to {@link #run}, after it is written as the shape's
     * event (unless the call was cancelled, which only a client that went away does).
     *
     * @param failure the failure
     * @param event   the failure as the shape's event
     */
    public void fail(ProviderFailure failure, Function<ProviderFailure, byte[]> event) {
        end();
        try {
            if (out == null) {
                done.complete(failure);
                return;
            }
            if (!ProviderFailure.CANCELLED.equals(failure.code())) {
                write(event.apply(failure));
            }
            done.complete(null);
        } catch (RuntimeException failed) {
            done.complete(null);
            LogEvents.debug(log, "compat.stream.write_failed").addKeyValue("reason",
                    failed.getClass().getSimpleName()).log();
        }
    }

    /**
     * Writes a whole (not streamed) answer, with its length and {@code Server-Timing}.
     *
     * @param contentType its content type
     * @param body        its bytes
     */
    public void writeWhole(String contentType, byte[] body) {
        response.setContentType(contentType);
        response.setContentLength(body.length);
        response.setHeader(ServerTimingMetric.HEADER, timing.header());
        try {
            out = response.getOutputStream();
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
        write(body);
    }

    /**
     * Writes to the stream, opening it (headers, heartbeats) on the first write.
     *
     * @param parts what to write, flushed together
     * @throws UncheckedIOException when the client went away, which cancels the upstream call
     */
    public void write(byte[]... parts) {
        writing.lock();
        try {
            OutputStream stream = out;
            if (stream == null) {
                timing.firstOutput();
                response.setContentType(streamType);
                response.setCharacterEncoding("UTF-8");
                response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
                // Proxies such as nginx must pass each event on at once.
                response.setHeader("X-Accel-Buffering", "no");
                response.setHeader(ServerTimingMetric.HEADER, timing.header());
                stream = response.getOutputStream();
                out = stream;
                if (!ended) {
                    beating = heartbeats.every(this::beat);
                }
            }
            for (byte[] part : parts) {
                stream.write(part);
            }
            stream.flush();
            lastWrite = System.nanoTime();
        } catch (IOException gone) {
            // The client went away: throwing cancels the upstream call.
            throw new UncheckedIOException(gone);
        } finally {
            writing.unlock();
        }
    }

    private void end() {
        ended = true;
        ScheduledFuture<?> scheduled = beating;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }

    /** The heartbeat line when the stream has been silent for the interval; a failed write cancels the call. */
    private void beat() {
        if (ended || System.nanoTime() - lastWrite < StreamHeartbeats.INTERVAL.toNanos() || !writing.tryLock()) {
            return;
        }
        try {
            OutputStream stream = out;
            if (ended || stream == null) {
                return;
            }
            stream.write(heartbeat);
            stream.flush();
            lastWrite = System.nanoTime();
        } catch (IOException gone) {
            ChatHandle call = handle;
            if (call != null) {
                call.cancel();
            }
        } finally {
            writing.unlock();
        }
    }
}
