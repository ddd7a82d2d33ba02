package org.atrium.models;

import org.atrium.models.internal.ModelListEntry;
import org.atrium.models.internal.ModelListStore;
import org.atrium.models.internal.ModelSource;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.EmbeddingSettings;
import org.atrium.settings.SettingKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The model catalogue: every usable connection's model list, fetched from its provider with a short timeout, kept
 * for every replica (Redis in cluster mode, in-process on a single node) and fetched again when older than the
 * refresh period. A list is kept per connection and credential, since a gateway may offer each virtual key other
 * models. A slow or failing connection never holds up or breaks the catalogue: it is listed with its status and its
 * last good list, and is tried again after {@code failure-retry}.
 *
 * <p>Catalogue ids are always {@code <connection>/<model>}: stable whatever other connections offer. What a caller
 * sees is filtered by their effective {@code allowedModels}: {@code *} allows everything, an entry ending in {@code *}
 * is a prefix, any other entry must equal the catalogue id or the provider's model id.
 */
@Service
public class ModelCatalogue {

    private static final Logger log = LoggerFactory.getLogger(ModelCatalogue.class);
    /** Lists of deleted connections and credentials fade away after this. */
    private static final Duration KEEP = Duration.ofDays(7);
    /** Most models kept per connection; a provider listing more is cut (by id). */
    static final int MAX_MODELS = 2_000;
    /** How long a request waits for another replica's fetch of a list it has never had. */
    private static final Duration POLL = Duration.ofMillis(50);
    /**
     * How old this replica's copy of a list may be for a call's lookup: a Redis round trip per call bought nothing
     * but seeing, up to this much sooner, a list another replica fetched (an admin's refresh, the periodic one).
     * A change to the connection is seen at once all the same (its revision), and who may call what is decided
     * from the effective state.
     */
    static final Duration CALL_LOOKUP_AGE = Duration.ofSeconds(1);

    private final ConnectionDirectory directory;
    private final ConnectionService connections;
    private final EmbeddingSettings secrets;
    private final ModelListStore store;
    private final ModelSource source;
    private final ConnectionsProperties properties;
    private final Clock clock;
    private final ObjectProvider<CatalogueAdditions> additions;
    private final Executor executor = command -> Thread.ofVirtual().name("model-list-fetch").start(command);
    private final ConcurrentHashMap<String, CompletableFuture<ModelListEntry>> inFlight = new ConcurrentHashMap<>();

    ModelCatalogue(ConnectionDirectory directory, ConnectionService connections, EmbeddingSettings secrets,
                   ModelListStore store, ModelSource source, ConnectionsProperties properties, Clock clock,
                 ObjectProvider<CatalogueAdditions> additions) {
        this.directory = directory;
        this.connections = connections;
        this.secrets = secrets;
        this.store = store;
        this.source = source;
        this.properties = properties;
        this.clock = clock;
        this.additions = additions;
    }

    /**
     * Everything the caller may name as a model: {@link #models} followed by what modules above this one add
     * (presets), as every model listing of the API shows it.
     *
     * @param state the caller's effective state
     * @return the catalogue with the additions
     */
    public Catalogue modelsAndAdditions(EffectiveState state) {
        Catalogue models = models(state);
        for (CatalogueAdditions more : additions.orderedStream().toList()) {
            models = models.plus(more.additions(state, models));
        }
        return models;
    }

    /**
     * The models the caller may use: from the enabled connections they have a credential for (or that need none),
     * filtered by their {@code allowedModels}. Waits at most about the fetch timeout, whatever the providers do.
     *
     * @param state the caller's effective state
     * @return the catalogue
     */
    public Catalogue models(EffectiveState state) {
        List<ConnectionDirectory.Usable> usable = directory.usable(state);
        Map<ConnectionDirectory.Usable, CompletableFuture<ModelListEntry>> pending = new LinkedHashMap<>();
        for (ConnectionDirectory.Usable connection : usable) {
            pending.put(connection, CompletableFuture.supplyAsync(() -> entry(connection, false), executor));
        }
        List<String> allowed = allowedModels(state);
        List<CatalogueModel> items = new ArrayList<>();
        List<ModelListStatus> statuses = new ArrayList<>();
        Instant start = clock.instant();
        pending.forEach((connection, future) -> {
            ModelListEntry entry = await(connection, future, start.plus(limit(connection)).plusMillis(500));
            statuses.add(status(connection, entry));
            for (CatalogueModel model : models(connection, entry)) {
                if (allows(allowed, model)) {
                    items.add(model);
                }
            }
        });
        return new Catalogue(items, statuses);
    }

    /** A model of the caller's catalogue with the connection it is offered by. */
    record Found(CatalogueModel model, ConnectionDirectory.Usable connection) {
    }

    /**
     * One model of the caller's catalogue, reading only its own connection's list (a catalogue id starts with the
     * connection's name, which has no {@code /}), where {@link #models} reads every connection's.
     *
     * @param state the caller's effective state
     * @param id    a catalogue id
     * @return the model and its connection, or empty when the caller's catalogue has no such model
     */
    Optional<Found> find(EffectiveState state, String id) {
        int slash = id.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        String name = id.substring(0, slash);
        String model = id.substring(slash + 1);
        for (ConnectionDirectory.Usable connection : directory.usable(state)) {
            if (connection.name().equals(name)) {
                ModelListEntry entry = current(connection).orElseGet(() -> await(connection,
                        CompletableFuture.supplyAsync(() -> entry(connection, false), executor),
                        clock.instant().plus(limit(connection)).plusMillis(500)));
                List<String> allowed = allowedModels(state);
                return entry.models().stream().filter(m -> m.id().equals(model)).findFirst()
                        .map(m -> new CatalogueModel(id, m.id(), connection.name(), connection.id(),
                                connection.kind(), m.displayName()))
                        .filter(m -> allows(allowed, m)).map(m -> new Found(m, connection));
            }
        }
        return Optional.empty();
    }

    /**
     * The stored entry when it needs no fetch, read on the caller's thread: a call's model lookup (every gateway
     * request) then costs at most one read of the store (none when this replica read it within
     * {@link #CALL_LOOKUP_AGE}) and no hand-over to another thread. The store's reads are bounded (Redis's command
     * timeout, then this replica's copy), a provider's answer is not, hence the other path.
     */
    private Optional<ModelListEntry> current(ConnectionDirectory.Usable connection) {
        return store.recent(key(connection), CALL_LOOKUP_AGE)
                .filter(e -> e.revision() == connection.revision() && !isDue(e));
    }

    /**
     * One connection's whole list (not filtered by {@code allowedModels}), as fetched with the caller's credential.
     *
     * @param state the caller's effective state: an admin who manages the connection
     * @param id    the connection's id
     * @param fetch whether to fetch it now, whatever its age (the refresh/test action)
     * @return its status and list
     * @throws AtriumException {@code connection_not_found} (404) when the caller does not manage it
     */
    public ConnectionModels connectionModels(EffectiveState state, String id, boolean fetch) {
        Connection managed = connections.get(state.caller(), id);
        Optional<ConnectionDirectory.Usable> usable = directory.usable(state).stream()
                .filter(c -> c.id().equals(managed.id())).findFirst();
        if (usable.isEmpty()) {
            String reason = !managed.enabled() ? "The connection is disabled."
                    : "No credential of yours applies to connection '" + managed.name() + "': add one (yours, your"
                    + " group's, or an instance credential shared with you) to see its models.";
            return new ConnectionModels(new ModelListStatus(managed.id(), managed.name(), ModelListStatus.UNAVAILABLE,
                    reason, null, null, 0), List.of());
        }
        ConnectionDirectory.Usable connection = usable.get();
        CompletableFuture<ModelListEntry> future = CompletableFuture.supplyAsync(() -> entry(connection, fetch),
                executor);
        ModelListEntry entry = await(connection, future, clock.instant().plus(limit(connection)).plusMillis(500));
        return new ConnectionModels(status(connection, entry), models(connection, entry));
    }

    /** The entry to show: a fresh one as it is, an old one while it is fetched again, or a fetch's result. */
    private ModelListEntry entry(ConnectionDirectory.Usable connection, boolean force) {
        String key = key(connection);
        Optional<ModelListEntry> current = store.get(key).filter(e -> e.revision() == connection.revision());
        if (!force && current.isPresent()) {
            if (!isDue(current.get())) {
                return current.get();
            }
            fetch(connection, key, current.orElse(null));
            return current.get();
        }
        return awaitFetch(connection, key, current.orElse(null));
    }

    private boolean isDue(ModelListEntry entry) {
        Duration age = Duration.between(entry.attemptedAt(), clock.instant());
        return age.compareTo(entry.failure() == null ? properties.refreshPeriod() : properties.failureRetry()) >= 0;
    }

    /** Fetches (or joins this replica's fetch, or waits briefly for another replica's) and returns the result. */
    private ModelListEntry awaitFetch(ConnectionDirectory.Usable connection, String key,
                                      @Nullable ModelListEntry previous) {
        Instant started = clock.instant();
        Optional<CompletableFuture<ModelListEntry>> mine = fetch(connection, key, previous);
        if (mine.isPresent()) {
            return mine.get().join();
        }
        // Another replica holds the claim: its result lands in the shared store.
        Instant deadline = started.plus(limit(connection));
        while (clock.instant().isBefore(deadline)) {
            Optional<ModelListEntry> landed = landedSince(connection, key, previous);
            if (landed.isPresent()) {
                return landed.get();
            }
            sleep(POLL);
        }
        return previous != null ? previous : placeholder(connection, started);
    }

    /** A stored list of the connection's revision attempted after {@code previous} (any, when there was none). */
    private Optional<ModelListEntry> landedSince(ConnectionDirectory.Usable connection, String key,
                                                 @Nullable ModelListEntry previous) {
        return store.get(key).filter(e -> e.revision() == connection.revision()
                && (previous == null || e.attemptedAt().isAfter(previous.attemptedAt())));
    }

    /** What to show for a list another replica is still fetching for the first time: never fetched, no failure. */
    private static ModelListEntry placeholder(ConnectionDirectory.Usable connection, Instant now) {
        return new ModelListEntry(connection.revision(), List.of(), null, now, null);
    }

    /** Starts a fetch unless one runs for this key on this replica or (claimed) on another; empty in that case. */
    private Optional<CompletableFuture<ModelListEntry>> fetch(ConnectionDirectory.Usable connection, String key,
                                                              @Nullable ModelListEntry previous) {
        CompletableFuture<ModelListEntry> running = inFlight.get(key);
        if (running != null) {
            return Optional.of(running);
        }
        CompletableFuture<ModelListEntry> created = new CompletableFuture<>();
        running = inFlight.putIfAbsent(key, created);
        if (running != null) {
            return Optional.of(running);
        }
        if (!store.claim(key, limit(connection).multipliedBy(2))) {
            inFlight.remove(key, created);
            // Whoever joined this attempt meanwhile gets what there is, like this caller.
            created.complete(previous != null ? previous : placeholder(connection, clock.instant()));
            return Optional.empty();
        }
        // A fetch may have ended between this caller's read and its claim: its list is as new as one fetched now.
        Optional<ModelListEntry> landed = landedSince(connection, key, previous);
        if (landed.isPresent()) {
            store.release(key);
            inFlight.remove(key, created);
            created.complete(landed.get());
            return Optional.of(created);
        }
        executor.execute(() -> {
            try {
                ModelListEntry result = fetchNow(connection, previous);
                store.put(key, result, KEEP);
                created.complete(result);
            } catch (RuntimeException unexpected) {
                created.completeExceptionally(unexpected);
            } finally {
                store.release(key);
                inFlight.remove(key, created);
            }
        });
        return Optional.of(created);
    }

    private ModelListEntry fetchNow(ConnectionDirectory.Usable connection, @Nullable ModelListEntry previous) {
        Instant now = clock.instant();
        long started = System.nanoTime();
        List<ModelListEntry.Model> lastGood = previous == null ? List.of() : previous.models();
        Instant lastFetched = previous == null ? null : previous.fetchedAt();
        try {
            connections.addressProblem(connection.baseUrl(), connection.urlSetByAdmin()).ifPresent(problem -> {
                throw new ModelSource.FetchFailure("Connection '" + connection.name() + "' is not called: "
                        + problem + ".", null);
            });
            String secret = connection.credentialId() == null ? null
                    : secrets.secret(connection.credentialId()).orElse(null);
            Map<String, String> headers = connection.hasHeaders() && connection.rowId() != null
                    ? connections.headers(connection.rowId()) : Map.of();
            List<ModelListEntry.Model> models = source.list(new ModelSource.Target(connection.name(),
                    connection.kind(), connection.baseUrl(), headers, connection.timeouts(), limit(connection),
                    connections.internalAddressesAllowed(connection.urlSetByAdmin())),
                    secret).stream()
                    .filter(m -> !m.id().isBlank() && m.id().length() <= 200)
                    .sorted(java.util.Comparator.comparing(ModelListEntry.Model::id)).distinct()
                    .limit(MAX_MODELS).toList();
            LogEvents.info(log, "models.fetched").addKeyValue("connection", connection.name())
                    .addKeyValue("models", models.size())
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
            return new ModelListEntry(connection.revision(), models, now, now, null);
        } catch (ModelSource.FetchFailure failure) {
            LogEvents.warn(log, "models.fetch.failed").addKeyValue("connection", connection.name())
                    .addKeyValue("reason", failure.getMessage())
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
            return new ModelListEntry(connection.revision(), lastGood, lastFetched, now, failure.getMessage());
        } catch (RuntimeException unexpected) {
            LogEvents.error(log, "models.fetch.failed").addKeyValue("connection", connection.name())
                    .addKeyValue("reason", unexpected.getClass().getSimpleName()).log();
            return new ModelListEntry(connection.revision(), lastGood, lastFetched, now, "Fetching the model list"
                    + " of connection '" + connection.name() + "' failed unexpectedly.");
        }
    }

    /** Waits for a connection's entry until the deadline; a connection still fetching then is shown as failing. */
    private ModelListEntry await(ConnectionDirectory.Usable connection, CompletableFuture<ModelListEntry> future,
                                 Instant deadline) {
        long waitMs = Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
        try {
            return future.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
            ModelListEntry previous = store.get(key(connection))
                    .filter(e -> e.revision() == connection.revision()).orElse(null);
            return new ModelListEntry(connection.revision(), previous == null ? List.of() : previous.models(),
                    previous == null ? null : previous.fetchedAt(), clock.instant(), "Connection '"
                    + connection.name() + "' did not answer within " + limit(connection).toMillis() + " ms.");
        } catch (ExecutionException failed) {
            // The store or the bookkeeping failed, not the provider: still no reason to break the catalogue.
            LogEvents.error(log, "models.fetch.failed").addKeyValue("connection", connection.name())
                    .addKeyValue("reason", failed.getCause().getClass().getSimpleName()).log();
            return new ModelListEntry(connection.revision(), List.of(), null, clock.instant(), "The model list of"
                    + " connection '" + connection.name() + "' could not be read; try again shortly.");
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** A listing gets the catalogue's fetch timeout, or the connection's first-token timeout when shorter. */
    private Duration limit(ConnectionDirectory.Usable connection) {
        Duration own = connection.timeouts().firstToken();
        return own.compareTo(properties.fetchTimeout()) < 0 ? own : properties.fetchTimeout();
    }

    private static String key(ConnectionDirectory.Usable connection) {
        return connection.id() + ":" + (connection.credentialId() == null ? "none" : connection.credentialId());
    }

    private static ModelListStatus status(ConnectionDirectory.Usable connection, ModelListEntry entry) {
        String status = entry.failure() != null ? ModelListStatus.FAILING
                : entry.fetchedAt() != null ? ModelListStatus.OK : ModelListStatus.NEVER_FETCHED;
        return new ModelListStatus(connection.id(), connection.name(), status, entry.failure(), entry.fetchedAt(),
                entry.attemptedAt(), entry.models().size());
    }

    private static List<CatalogueModel> models(ConnectionDirectory.Usable connection, ModelListEntry entry) {
        return entry.models().stream().map(m -> new CatalogueModel(CatalogueModel.idOf(connection.name(), m.id()),
                m.id(), connection.name(), connection.id(), connection.kind(), m.displayName())).toList();
    }

    private static List<String> allowedModels(EffectiveState state) {
        JsonNode value = state.setting(SettingKey.ALLOWED_MODELS).value();
        List<String> allowed = new ArrayList<>();
        value.valueStream().forEach(item -> allowed.add(item.asString()));
        return allowed;
    }

    /**
     * @param allowed the caller's {@code allowedModels}
     * @param model   a model
     * @return whether one entry allows it: {@code *}, a prefix ending in {@code *}, or its catalogue or provider id
     */
    static boolean allows(List<String> allowed, CatalogueModel model) {
        for (String pattern : allowed) {
            if (pattern.endsWith("*")) {
                String prefix = pattern.substring(0, pattern.length() - 1);
                if (model.id().startsWith(prefix) || model.model().startsWith(prefix)) {
                    return true;
                }
            } else if (pattern.equals(model.id()) || pattern.equals(model.model())) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
