package org.atrium.cache;

import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The repair for a writer that committed but could not raise its versions in Redis afterwards (it answered 503
 * {@code change_not_confirmed}, or died): every replica copies the versions raised in PostgreSQL during the last two
 * minutes to Redis, every {@code atrium.cache.relay-interval}. Raising is idempotent, so replicas doing it together
 * is harmless; a failed run is logged and the next one tries again. Like every raise computed from a read, it is
 * fenced by the store's epoch: if Redis was flushed or restarted while the read ran, it is dropped.
 */
final class VersionRelay {

    private static final Logger log = LoggerFactory.getLogger(VersionRelay.class);
    private static final Duration WINDOW = Duration.ofMinutes(2);

    private final SharedStore shared;
    private final VersionStore versions;

    VersionRelay(SharedStore shared, VersionStore versions) {
        this.shared = shared;
        this.versions = versions;
    }

    @Scheduled(fixedDelayString = "${atrium.cache.relay-interval:1s}")
    void relay() {
        try {
            String epoch = shared.epoch();
            Map<String, Long> recent = new HashMap<>();
            versions.raisedSince(WINDOW).forEach(row -> recent.put(row.scope(), row.version()));
            shared.raiseRead(epoch, recent);
        } catch (RuntimeException failure) {
            LogEvents.debug(log, "cache.relay.failed").addKeyValue("reason", failure.getClass().getSimpleName())
                    .log();
        }
    }
}
