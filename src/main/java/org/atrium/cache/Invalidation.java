package org.atrium.cache;

import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.springframework.context.ApplicationEventPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The writer's half of the protocol. Every transaction that changes what a scope covers calls {@link #changed}
 * before it commits. Just before the commit, inside the transaction, the scopes' version rows are locked, one new
 * version is drawn from a sequence, raised in the shared store and written to the rows; after the commit it is
 * raised in the shared store once more, before the caller is answered.
 *
 * <p>So a change can only be acknowledged once every cached value computed before it has become unusable; and if the
 * shared store cannot be reached before the commit, the transaction rolls back and the caller gets 503
 * {@code cache_unavailable}, with nothing changed.
 */
public final class Invalidation {

    private static final Logger log = LoggerFactory.getLogger(Invalidation.class);
    private static final int POST_COMMIT_ATTEMPTS = 3;

    private final SharedStore shared;
    private final VersionStore versions;
    private final ProtocolProbe probe;

    private final ApplicationEventPublisher events;

    Invalidation(SharedStore shared, VersionStore versions, ProtocolProbe probe, ApplicationEventPublisher events) {
        this.events = events;
        this.shared = shared;
        this.versions = versions;
        this.probe = probe;
    }

    /**
     * Records that the current transaction changes what these scopes cover.
     *
     * @param scopes the scopes
     * @throws IllegalStateException when called outside a read-write transaction
     */
    public void changed(Scope... scopes) {
        changed(Arrays.asList(scopes));
    }

    /**
     * Records that the current transaction changes what these scopes cover.
     *
     * @param scopes the scopes
     * @throws IllegalStateException when called outside a read-write transaction
     */
    public void changed(java.util.Collection<Scope> scopes) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()
                || TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
            throw new IllegalStateException("Invalidation.changed must be called inside a read-write transaction");
        }
        Raise raise = (Raise) TransactionSynchronizationManager.getResource(this);
        if (raise == null) {
            raise = new Raise();
            TransactionSynchronizationManager.bindResource(this, raise);
            TransactionSynchronizationManager.registerSynchronization(raise);
        }
        raise.scopes.addAll(scopes.stream().map(Scope::key).toList());
        events.publishEvent(new ScopesChanged(List.copyOf(scopes)));
    }

    /** One transaction's pending raise. */
    private final class Raise implements TransactionSynchronization {

        private final TreeSet<String> scopes = new TreeSet<>();
        private Map<String, Long> raised = Map.of();

        @Override
        public void beforeCommit(boolean readOnly) {
            List<String> sorted = List.copyOf(scopes);
            versions.lock(sorted);
            long version = versions.nextVersion();
            versions.set(sorted, version);
            raised = sorted.stream().collect(Collectors.toMap(Function.identity(), scope -> version));
            try {
                shared.raise(raised);
            } catch (SharedStoreUnavailableException unavailable) {
                LogEvents.warn(log, "cache.write.refused").addKeyValue("scopes", sorted.size()).log();
                throw new AtriumException(HttpStatus.SERVICE_UNAVAILABLE, "cache_unavailable",
                        "The change was not saved: the shared cache (Redis) cannot be reached, and saving it now"
                                + " could let other replicas serve the old value. Try again shortly.");
            }
            probe.reached(ProtocolProbe.Point.WRITER_BEFORE_COMMIT, String.join(",", sorted));
        }

        @Override
        public void afterCommit() {
            probe.reached(ProtocolProbe.Point.WRITER_AFTER_COMMIT, String.join(",", raised.keySet()));
            // Raised again because Redis may have lost the first raise (restart, flush) while this transaction ran.
            for (int attempt = 1; ; attempt++) {
                try {
                    shared.raiseCommitted(raised);
                    return;
                } catch (SharedStoreUnavailableException unavailable) {
                    if (attempt == POST_COMMIT_ATTEMPTS) {
                        LogEvents.error(log, "cache.write.unconfirmed").addKeyValue("scopes", raised.size()).log();
                        throw new AtriumException(HttpStatus.SERVICE_UNAVAILABLE, "change_not_confirmed",
                                "The change was saved, but Atrium could not confirm that every replica sees it;"
                                        + " it takes effect within seconds. Repeating the request is safe.");
                    }
                    sleep(100L * attempt);
                }
            }
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(Invalidation.this);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
