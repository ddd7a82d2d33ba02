package org.atrium.settings.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.Caller;
import org.atrium.accounts.Permission;
import org.atrium.accounts.Role;
import org.atrium.platform.EventStreams;
import org.atrium.platform.LogEvents;
import org.atrium.platform.AtriumException;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.EffectiveStateResolver;
import org.atrium.settings.LiveEventSource;
import org.atrium.settings.EventStreamProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The caller's live event stream. An open stream is a long-lived cache of the caller's authorisation, so it is held
 * to the same rule as every cached value: before each event it re-resolves the credential it was opened with (a cache
 * hit, or PostgreSQL) and ends, without sending anything more, as soon as the credential is revoked or signed out, the
 * account is deleted, or its role, permissions or groups changed. Clients reconnect and are authorised afresh.
 */
@RestController
@Tag(name = "Events", description = "Server-sent events for the signed-in caller.")
class EventStreamController implements SmartLifecycle, MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(EventStreamController.class);

    /** What a stream was authorised with; any change ends it. */
    private record Authorisation(UUID userId, Role role, Set<Permission> permissions, Map<UUID, String> groups) {
        static Authorisation of(EffectiveState state) {
            Caller caller = state.caller();
            return new Authorisation(caller.userId(), caller.role(), caller.permissions(),
                    state.groups().stream().collect(Collectors.toMap(AccessProfile.Membership::groupId,
                            m -> m.role().value())));
        }
    }

    private final EffectiveStateResolver resolver;
    private final Duration heartbeat;
    private final Duration checkInterval;
    private final Set<SseEmitter> open = ConcurrentHashMap.newKeySet();
    private final StreamSlots slots;
    private volatile boolean running;

    private final List<LiveEventSource> sources;

    EventStreamController(EffectiveStateResolver resolver, EventStreamProperties properties,
                          List<LiveEventSource> sources) {
        this.resolver = resolver;
        this.sources = List.copyOf(sources);
        this.heartbeat = properties.heartbeat();
        this.checkInterval = properties.checkInterval();
        this.slots = new StreamSlots(properties.maxPerUser(), properties.maxPerReplica());
    }

    @GetMapping(path = "/api/v1/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Stream my events",
            description = "A server-sent event stream: `ready` once, `heartbeat` every `atrium.events.heartbeat`,"
                    + " `state.changed` when the caller's effective settings change, `file.status` when a file in a"
                    + " collection the caller may read moves on in ingestion (queued, extracting, embedding n of m,"
                    + " ready, failed with a reason; see FileEvent), `collection.settled` when a file of such a"
                    + " collection settled and none of its files is queued or running any more (with the collection's"
                    + " counts; see CollectionEvent), `group.invitation` when someone invites the"
                    + " caller to a group (see GroupInvitation), `chat.titled` when one of the caller's chats got a"
                    + " generated title (`chatId`, `title`). The stream ends, with no"
                    + " further event, when the credential it was opened with stops being valid or the caller's"
                    + " role, permissions or groups change; reconnect to continue.")
    @ApiResponse(responseCode = "200", description = "The stream.", content = @Content(
            mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, examples = @ExampleObject(
            value = "event: ready\ndata: {\"userId\":\"0b9a3c1e-4e0f-4a53-9d6c-2f1f0d3c8a11\"}\n\n")))
    @ApiResponse(responseCode = "429", description = "`too_many_streams`: the caller already has"
            + " `atrium.events.max-per-user` streams open on this replica, or the replica serves"
            + " `atrium.events.max-per-replica`; close one, or retry after `Retry-After` seconds.",
            headers = @Header(name = HttpHeaders.RETRY_AFTER, description = "seconds to wait",
                    schema = @Schema(type = "integer")))
    SseEmitter events(EffectiveState state, HttpServletRequest request) {
        RequestCredential credential = RequestCredential.of(request).orElseThrow();
        Optional<StreamSlots.Slot> slot = slots.take(state.caller().userId());
        if (slot.isEmpty()) {
            LogEvents.info(log, "events.stream.refused").addKeyValue("stream_user_id", state.caller().userId())
                    .addKeyValue("open_streams", slots.open()).log();
            // A stream whose client went away ends at its next heartbeat at the latest, freeing its slot.
            throw AtriumException.tooManyRequests("too_many_streams",
                    "Too many event streams are open. Close one (each browser tab needs only one), then retry.",
                    Duration.ofSeconds(Math.max(1, heartbeat.toSeconds())));
        }
        SseEmitter emitter = new SseEmitter(0L);
        open.add(emitter);
        Runnable forget = () -> {
            open.remove(emitter);
            slot.get().release();
        };
        emitter.onCompletion(forget);
        emitter.onTimeout(forget);
        emitter.onError(error -> forget.run());
        EventStreams.open(emitter);
        Thread.ofVirtual().name("events-" + state.caller().userId()).start(
                () -> stream(emitter, credential, state));
        return emitter;
    }

    /** Streams never end on their own; they must not hold graceful shutdown for its whole timeout. */
    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        open.forEach(emitter -> EventStreams.end(emitter, null));
        open.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Event streams open on this replica, as a gauge: each holds a connection for as long as its page is open. */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("atrium.events.streams", open, Set::size).description("Event streams open on this replica")
                .register(registry);
    }

    /** Stops before the web server's graceful shutdown, which would otherwise wait for the streams. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    private void stream(SseEmitter emitter, RequestCredential credential, EffectiveState opened) {
        Authorisation authorisation = Authorisation.of(opened);
        List<LiveEventSource.Subscription> subscriptions = new ArrayList<>();
        var stamp = opened.stamp();
        Instant nextHeartbeat = Instant.now().plus(heartbeat);
        try {
            if (!running) {
                EventStreams.end(emitter, null);
                return;
            }
            emitter.send(SseEmitter.event().name("ready").data(Map.of("userId", opened.caller().userId())));
            Supplier<Optional<EffectiveState>> current = () -> resolver.resolve(credential.secret(),
                    credential.apiKeyOnly()).filter(state -> Authorisation.of(state).equals(authorisation));
            LiveEventSource.Sink sink = (name, data) -> {
                try {
                    emitter.send(SseEmitter.event().name(name).data(data));
                } catch (IOException | IllegalStateException clientGone) {
                    // The loop below notices on its next send and ends the stream.
                }
            };
            for (LiveEventSource source : sources) {
                try {
                    subscriptions.add(source.open(current, sink));
                } catch (RuntimeException unavailable) {
                    // One kind of event missing must not take the stream (and its other events) down.
                    LogEvents.warn(log, "events.source.failed").addKeyValue("source",
                            source.getClass().getSimpleName()).log();
                }
            }
            while (running) {
                Thread.sleep(checkInterval);
                Optional<EffectiveState> now = resolver.resolve(credential.secret(), credential.apiKeyOnly());
                if (now.isEmpty() || !Authorisation.of(now.get()).equals(authorisation)) {
                    LogEvents.info(log, "events.stream.ended").addKeyValue("reason", "authorisation_changed")
                            .addKeyValue("stream_user_id", authorisation.userId()).log();
                    EventStreams.end(emitter, null);
                    return;
                }
                if (!now.get().stamp().equals(stamp)) {
                    stamp = now.get().stamp();
                    emitter.send(SseEmitter.event().name("state.changed").data(Map.of("at", Instant.now())));
                }
                if (!Instant.now().isBefore(nextHeartbeat)) {
                    nextHeartbeat = Instant.now().plus(heartbeat);
                    emitter.send(SseEmitter.event().name("heartbeat").data(Map.of("at", Instant.now())));
                }
            }
            EventStreams.end(emitter, null);
        } catch (IOException | RuntimeException clientGoneOrFailure) {
            // A client that went away, or a failure re-checking the caller: either way the stream ends.
            EventStreams.end(emitter, clientGoneOrFailure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            EventStreams.end(emitter, null);
        } finally {
            subscriptions.forEach(LiveEventSource.Subscription::close);
        }
    }
}
