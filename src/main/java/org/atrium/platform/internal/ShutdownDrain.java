package org.atrium.platform.internal;

import org.atrium.platform.AtriumProperties;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;

/**
 * On shutdown, keeps the web server accepting requests for {@code atrium.shutdown.drain-delay} after readiness went to
 * {@code REFUSING_TRAFFIC} (Spring Boot publishes that as the context starts closing), so that whoever routes by
 * readiness stops sending requests before the listener closes. Stopped before the web server's graceful shutdown
 * (a higher phase stops first), and only then does Jetty stop accepting and wait for what is in flight.
 */
@Component
class ShutdownDrain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ShutdownDrain.class);
    /** Above the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and start/stop phases. */
    private static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private final Duration delay;
    private final ApplicationAvailability availability;
    private volatile boolean running;

    ShutdownDrain(AtriumProperties properties, ApplicationAvailability availability) {
        this.delay = properties.shutdown().drainDelay();
        this.availability = availability;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        LogEvents.info(log, "shutdown.draining").addKeyValue("delay_ms", delay.toMillis())
                .addKeyValue("readiness", availability.getReadinessState().toString()).log();
        try {
            Thread.sleep(delay);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
