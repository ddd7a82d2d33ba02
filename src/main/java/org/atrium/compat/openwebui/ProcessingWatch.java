package org.atrium.compat.openwebui;

import org.atrium.knowledge.FileService;
import org.atrium.knowledge.KnowledgeFile;
import org.atrium.platform.AtriumException;
import org.atrium.platform.EventStreams;
import org.atrium.platform.LogEvents;
import org.atrium.settings.EffectiveState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Follows a file's processing until it settles, the way Open WebUI's clients wait for it: by polling the file (as
 * Open WebUI's own status stream does), each time through {@link FileService#get}, so that access is checked again at
 * every look and a file deleted meanwhile is seen as gone.
 */
@Component
class ProcessingWatch implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProcessingWatch.class);

    /** How often the file is looked at. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    /** The longest a status stream stays open (Open WebUI: two hours); it ends then, as if the client timed out. */
    static final Duration MAX_STREAM = Duration.ofHours(1);
    /** The longest an upload with {@code process_in_background=false} waits before answering {@code pending}. */
    static final Duration MAX_SYNCHRONOUS_WAIT = Duration.ofMinutes(5);
    /** How often a stream with nothing new says it is alive: a client that went away is noticed then. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** Most status streams one account has open on this replica. */
    static final int MAX_STREAMS_PER_USER = 32;
    /** Most status streams open on this replica. */
    static final int MAX_STREAMS = 1024;

    private final FileService files;
    private final JsonMapper json;
    private final Map<UUID, Integer> streamsByUser = new HashMap<>();
    private int streams;
    private volatile boolean running;

    ProcessingWatch(FileService files, JsonMapper json) {
        this.files = files;
        this.json = json;
    }

    /**
     * Waits until the file's processing settled, or {@link #MAX_SYNCHRONOUS_WAIT} passed.
     *
     * @return the file as it stands then
     * @throws AtriumException {@code file_not_found} (404) when it was deleted meanwhile
     */
    KnowledgeFile awaitSettled(EffectiveState state, UUID fileId) throws InterruptedException {
        Instant deadline = Instant.now().plus(MAX_SYNCHRONOUS_WAIT);
        KnowledgeFile file = files.get(state, fileId);
        while (!OpenWebUiFile.settled(OpenWebUiFile.processing(file)) && Instant.now().isBefore(deadline)) {
            Thread.sleep(POLL_INTERVAL);
            file = files.get(state, fileId);
        }
        return file;
    }

    /**
     * Streams the file's status as Open WebUI does: {@code data: {"status": ...}} events (with {@code error} when it
     * failed), the first at once and then one at each change, ending after {@code completed} or {@code failed}, or
     * after {@code {"status": "not_found"}} when the file is deleted (or no longer readable) meanwhile. Between
     * events, a comment line ({@code : keep-alive}) every {@link #KEEP_ALIVE}, which Open WebUI's clients skip.
     *
     * @throws AtriumException {@code too_many_streams} (429) when the caller has {@link #MAX_STREAMS_PER_USER}
     *                         streams open on this replica, or the replica {@link #MAX_STREAMS}
     */
    ResponseBodyEmitter stream(EffectiveState state, UUID fileId) {
        UUID user = state.caller().userId();
        if (!take(user)) {
            throw AtriumException.tooManyRequests("too_many_streams", "Too many file status streams are open;"
                    + " close one, or poll GET /api/v1/files/{id}/process/status instead.", KEEP_ALIVE);
        }
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(0L);
        EventStreams.open(emitter);
        Thread.ofVirtual().name("file-status-" + fileId).start(() -> {
            try (Releaser ignored = () -> release(user)) {
                follow(state, fileId, emitter);
                EventStreams.end(emitter, null);
            } catch (IOException | IllegalStateException clientGone) {
                EventStreams.end(emitter, clientGone);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                EventStreams.end(emitter, null);
            } catch (RuntimeException failed) {
                LogEvents.warn(log, "file.status.stream.failed").addKeyValue("file_id", fileId)
                        .addKeyValue("reason", failed.getClass().getSimpleName()).log();
                EventStreams.end(emitter, failed);
            }
        });
        return emitter;
    }

    private void follow(EffectiveState state, UUID fileId, ResponseBodyEmitter emitter)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(MAX_STREAM);
        Instant quietSince = Instant.now();
        OpenWebUiFile.Data last = null;
        while (running && Instant.now().isBefore(deadline)) {
            Optional<OpenWebUiFile.Data> now = look(state, fileId);
            if (now.isEmpty()) {
                send(emitter, Map.of("status", "not_found"));
                return;
            }
            if (!now.get().equals(last)) {
                last = now.get();
                send(emitter, last);
                quietSince = Instant.now();
            } else if (Instant.now().isAfter(quietSince.plus(KEEP_ALIVE))) {
                emitter.send(": keep-alive\n\n", MediaType.TEXT_PLAIN);
                quietSince = Instant.now();
            }
            if (OpenWebUiFile.settled(last)) {
                return;
            }
            Thread.sleep(POLL_INTERVAL);
        }
    }

    private Optional<OpenWebUiFile.Data> look(EffectiveState state, UUID fileId) {
        try {
            return Optional.of(OpenWebUiFile.processing(files.get(state, fileId)));
        } catch (AtriumException gone) {
            if (gone.status().value() == 404) {
                return Optional.empty();
            }
            throw gone;
        }
    }

    /** One event, written as Open WebUI writes it ({@code data: } with a space, which its documented client needs). */
    private void send(ResponseBodyEmitter emitter, Object event) throws IOException {
        emitter.send("data: " + json.writeValueAsString(event) + "\n\n", MediaType.TEXT_PLAIN);
    }

    private synchronized boolean take(UUID user) {
        int open = streamsByUser.getOrDefault(user, 0);
        if (open >= MAX_STREAMS_PER_USER || streams >= MAX_STREAMS) {
            return false;
        }
        streamsByUser.put(user, open + 1);
        streams++;
        return true;
    }

    private synchronized void release(UUID user) {
        streams--;
        streamsByUser.computeIfPresent(user, (id, open) -> open == 1 ? null : open - 1);
    }

    /** Gives a stream's slot back however its thread ends. */
    private interface Releaser extends AutoCloseable {
        @Override
        void close();
    }

    /** Streams end when settled; on shutdown each ends at its next look, not holding graceful shutdown up. */
    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
