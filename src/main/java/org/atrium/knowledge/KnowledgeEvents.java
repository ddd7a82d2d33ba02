package org.atrium.knowledge;

import org.atrium.cache.Broadcasts;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Live ingestion progress across replicas. Events are sent after the change they describe commits, and read the
 * status from PostgreSQL at that moment, so an event never announces something that was rolled back.
 */
@Component
class KnowledgeEvents {

    private static final Logger log = LoggerFactory.getLogger(KnowledgeEvents.class);
    private static final String TOPIC = "knowledge";
    /** Collection events go on a topic of their own, so that a replica of an older version never reads one. */
    private static final String COLLECTIONS_TOPIC = "knowledge.collections";

    private final Broadcasts broadcasts;
    private final FileStore files;
    private final CollectionStore collections;
    private final JsonMapper json;

    KnowledgeEvents(Broadcasts broadcasts, FileStore files, CollectionStore collections, JsonMapper json) {
        this.broadcasts = broadcasts;
        this.files = files;
        this.collections = collections;
        this.json = json;
    }

    /** Announces the file index's current status once the current transaction commits (or now, outside one). */
    void statusChanged(UUID fileId, int spaceId) {
        Runnable send = () -> {
            try {
                files.event(fileId, spaceId).ifPresent(event -> {
                    broadcasts.publish(TOPIC, json.writeValueAsString(event));
                    if (event.status() == IngestionStatus.READY || event.status() == IngestionStatus.FAILED) {
                        announceSettled(event);
                    }
                });
            } catch (RuntimeException unavailable) {
                // Events are best effort; the change they describe is committed and readable from the API.
                LogEvents.warn(log, "events.publish.failed").addKeyValue("file_id", fileId)
                        .addKeyValue("reason", unavailable.getClass().getSimpleName()).log();
            }
        };
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    send.run();
                }
            });
        } else {
            send.run();
        }
    }

    /**
     * After a file settled: each of its collections with nothing queued or running any more is settled too. A cheap
     * check finds those (one per settled file, so it must stay cheap on a collection of 100k files); only for them
     * are the counts read, in one aggregate, after the commit.
     */
    private void announceSettled(FileEvent event) {
        if (event.collectionIds().isEmpty()) {
            return;
        }
        List<UUID> settled = collections.settledAmong(event.collectionIds().toArray(UUID[]::new));
        if (settled.isEmpty()) {
            return;
        }
        collections.counts(settled.toArray(UUID[]::new)).forEach((collectionId, counts) -> {
            if (counts.settled()) {
                broadcasts.publish(COLLECTIONS_TOPIC, json.writeValueAsString(new CollectionEvent(collectionId,
                        counts)));
            }
        });
    }

    /** Receives every replica's events until the subscription is closed. */
    Broadcasts.Subscription subscribe(Consumer<FileEvent> receiver) {
        return broadcasts.subscribe(TOPIC, message -> receiver.accept(json.readValue(message, FileEvent.class)));
    }

    /** Receives every replica's {@code collection.settled} events until the subscription is closed. */
    Broadcasts.Subscription subscribeCollections(Consumer<CollectionEvent> receiver) {
        return broadcasts.subscribe(COLLECTIONS_TOPIC, message -> receiver.accept(json.readValue(message,
                CollectionEvent.class)));
    }
}
