package org.atrium.compat.wire;

import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Component;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ticks for the streams of the compatibility APIs: a stream silent for {@link #INTERVAL} gets a line its clients
 * ignore (an SSE comment, Anthropic's ping, an empty Ollama chunk), so that a client that went away is noticed (the
 * write fails) and the provider call is cancelled even while the model is silent (thinking, or stalled). One scheduler thread only triggers; each beat
 * writes on a virtual thread of its own, so a slow client never holds up another stream's beat.
 */
@Component
public class StreamHeartbeats {

    /** Silence after which a stream gets a heartbeat line. */
    public static final Duration INTERVAL = Duration.ofSeconds(2);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("compat-stream-heartbeats").factory());

    /**
     * @param beat what to do on each tick (it checks the silence itself)
     * @return the schedule, to cancel when the stream ends
     */
    public ScheduledFuture<?> every(Runnable beat) {
        // Ticks four times per interval, so that a silence is noticed at most a quarter interval late.
        long period = INTERVAL.toMillis() / 4;
        return scheduler.scheduleAtFixedRate(() -> Thread.ofVirtual().name("compat-stream-beat").start(beat),
                period, period, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void close() {
        scheduler.shutdownNow();
    }
}
