package org.atrium.chat;

import org.atrium.chat.presets.Fallbacks;
import org.atrium.models.ModelResolver;
import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatHandle;
import org.atrium.providers.ChatListener;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ChatResult;
import org.atrium.providers.ProviderFailure;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One answer being generated on this replica, on its own virtual thread (the provider call on one of its own, started
 * from the request's thread when there is no knowledge to ground the answer on, else from this one after grounding).
 * The provider's listener only appends to a buffer and hands each piece to the clients attached here; this thread saves
 * the buffer every flush interval (or at once past the flush size), publishes each saved batch with its offset, marks
 * the answer alive with an empty save when there is nothing to save, and ends the answer with its outcome, usage and
 * timings. A save that finds the answer no longer in progress (a stop that ended it from the database, the interrupted
 * check) cancels the call.
 */
final class Generator implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Generator.class);

    private final AnswerGeneration owner;
    private final EffectiveState state;
    private final java.util.UUID messageId;
    private final AnsweredQuestion question;
    private volatile ModelResolver.ResolvedModel model;
    private ChatRequest request;
    private final KnowledgeGrounding.Attachments knowledge;
    private List<Citation> citations = List.of();
    private final Fallbacks fallbacks;
    /** The "models in use" entry of the model being called; only the generator's thread touches it. */
    private ModelsInUse.Handle inUse = () -> { };
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final StringBuilder pending = new StringBuilder();
    private final List<AnswerFeed> feeds = new CopyOnWriteArrayList<>();
    private int length;
    private int saved;
    private @Nullable ChatResult result;
    private @Nullable ProviderFailure failure;
    private volatile org.atrium.providers.@Nullable TokenUsage reported;
    private volatile @Nullable ChatHandle handle;
    private volatile boolean stopRequested;
    private volatile boolean shuttingDown;
    private volatile long firstTextNanos;
    /** When the answer started: its timings count from here. */
    private final long started = System.nanoTime();
    /** Whether the provider call was started ({@link #startUngrounded}); before this thread starts, or on it. */
    private boolean called;
    /** What went wrong starting the call on the request's thread, other than the provider's refusal. */
    private @Nullable RuntimeException startFailure;

    Generator(AnswerGeneration owner, EffectiveState state, java.util.UUID messageId, AnsweredQuestion question,
              ModelResolver.ResolvedModel model, ChatRequest request, KnowledgeGrounding.Attachments knowledge,
              Fallbacks fallbacks) {
        this.fallbacks = fallbacks;
        this.owner = owner;
        this.state = state;
        this.messageId = messageId;
        this.question = question;
        this.model = model;
        this.request = request;
        this.knowledge = knowledge;
    }

    /**
     * Starts the provider call on the calling thread (the request's, before this generator's thread starts) when
     * there is no knowledge to ground the answer on, so that the first token does not wait for this thread to be
     * scheduled first. An answer with knowledge is grounded first, on this generator's thread, while the client
     * already has its first event.
     */
    void startUngrounded() {
        if (!knowledge.isEmpty()) {
            return;
        }
        try {
            call(request);
        } catch (RuntimeException | Error unexpected) {
            // Whatever went wrong, the generator's thread must still start: it ends the answer as failed.
            startFailure = unexpected instanceof RuntimeException failure ? failure
                    : new IllegalStateException("The provider call could not be started.", unexpected);
        }
    }

    /** Starts the call of {@link #model} with this request; a refusal at once becomes the call's failure. */
    private void call(ChatRequest toSend) {
        called = true;
        try {
            handle = owner.providers().stream(model.endpoint(), model.secret(), toSend, listener);
            if (stopRequested || shuttingDown) {
                cancel();
            }
        } catch (ProviderFailure refused) {
            lock.lock();
            try {
                failure = refused;
            } finally {
                lock.unlock();
            }
        }
    }

    /** @return whether the call has ended (its result or failure has come) */
    private boolean over() {
        lock.lock();
        try {
            return result != null || failure != null;
        } finally {
            lock.unlock();
        }
    }

    /** Attaches a client's feed to the live text; @return what detaches it */
    Runnable listen(AnswerFeed feed) {
        feeds.add(feed);
        return () -> feeds.remove(feed);
    }

    /** The owner asked to stop: cancel the call; the end is saved as stopped. */
    void stop() {
        stopRequested = true;
        cancel();
    }

    /** The replica is stopping. */
    void shutdown() {
        shuttingDown = true;
        cancel();
    }

    private void cancel() {
        ChatHandle current = handle;
        if (current != null) {
            current.cancel();
        }
        signal();
    }

    private void signal() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private final ChatListener listener = new ChatListener() {
        @Override
        public void onText(String delta) {
            String text = delta.replace("\0", "");
            if (text.isEmpty()) {
                return;
            }
            if (firstTextNanos == 0) {
                firstTextNanos = System.nanoTime();
            }
            AnswerFeed.Piece piece;
            lock.lock();
            try {
                piece = new AnswerFeed.Piece(length, text);
                pending.append(text);
                length += text.length();
                if (pending.length() >= owner.properties().flushBytes()) {
                    wake.signalAll();
                }
            } finally {
                lock.unlock();
            }
            feeds.forEach(feed -> feed.offer(piece));
        }

        @Override
        public void onUsage(org.atrium.providers.TokenUsage usage) {
            reported = usage;
        }

        @Override
        public void onComplete(ChatResult whole) {
            lock.lock();
            try {
                result = whole;
                wake.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onFailure(ProviderFailure why) {
            lock.lock();
            try {
                failure = why;
                wake.signalAll();
            } finally {
                lock.unlock();
            }
        }
    };

    @Override
    public void run() {
        GenerationProperties properties = owner.properties();
        ChatAnswers answers = owner.answers();
        boolean endedElsewhere = false;
        boolean cut = false;
        AnswerOutcome outcome = null;
        boolean usageRecorded = false;
        int flushes = 0;
        // Closes whichever entry is current when the answer ends: a fallback replaces it.
        try (ModelsInUse.Handle current = () -> inUse.close()) {
            if (startFailure != null) {
                throw startFailure;
            }
            if (!called) {
                // Retrieval (and query generation, at most its limit) on this thread: the client has its first event.
                KnowledgeGrounding.Grounded grounded = owner.grounding().ground(state, request, knowledge);
                request = grounded.request();
                citations = grounded.citations();
                call(request);
            }
            // Listed once the provider call is under way, so that this round trip to Redis overlaps the provider's
            // instead of delaying the first token; closed on this thread when the answer ends. A call over already
            // (refused at once, or as fast as that) is not listed.
            if (!over()) {
                inUse = owner.modelsInUse().begin(model.model(), model.connection(), messageId);
            }
            long lastSave = System.nanoTime();
            String last;
            while (true) {
                String batch;
                int offset;
                boolean done;
                lock.lock();
                try {
                    if (result == null && failure == null && pending.length() < properties.flushBytes()) {
                        wake.await(properties.flushInterval().toNanos(), TimeUnit.NANOSECONDS);
                    }
                    done = result != null || failure != null;
                    batch = pending.toString();
                    pending.setLength(0);
                    offset = saved;
                    saved = length;
                } finally {
                    lock.unlock();
                }
                if (done && fallBack()) {
                    continue;
                }
                if (done) {
                    last = batch;
                    break;
                }
                boolean heartbeat = System.nanoTime() - lastSave >= properties.heartbeat().toNanos();
                if (batch.isEmpty() && !heartbeat || endedElsewhere || cut) {
                    continue;
                }
                ChatAnswers.Appended appended = answers.append(messageId, batch);
                flushes++;
                owner.saved();
                lastSave = System.nanoTime();
                if (!batch.isEmpty() && appended != ChatAnswers.Appended.NOT_IN_PROGRESS) {
                    owner.publishBatch(messageId, offset, batch);
                }
                if (appended == ChatAnswers.Appended.NOT_IN_PROGRESS) {
                    endedElsewhere = true;
                    cancel();
                } else if (appended == ChatAnswers.Appended.CUT) {
                    cut = true;
                    cancel();
                }
            }
            // Ended elsewhere: most likely a stop that ended it from the database; that is what the usage says.
            outcome = endedElsewhere ? AnswerOutcome.stopped(tokens(reported), null, citations) : outcome();
            if (!endedElsewhere) {
                ChatMessage ended = answers.finish(messageId, cut ? null : last, outcome);
                // The usage before the end reaches any client, so that one asking again at once finds it counted
                // against their quota; then the clients attached here get the answer as saved, without a read.
                recordUsage(outcome);
                usageRecorded = true;
                feeds.forEach(feed -> feed.offer(AnswerFeed.Piece.end(ended)));
                owner.publishEnd(messageId);
                owner.endListeners().ended(state, ended, question);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            endFailed("The answer was interrupted by the server.");
        } catch (RuntimeException unexpected) {
            // The database failed mid-answer, say: end it if we can; otherwise the interrupted check will.
            LogEvents.error(log, "chat.answer.generation.failed").addKeyValue("message_id", messageId)
                    .addKeyValue("reason", unexpected.getClass().getSimpleName()).log();
            ChatHandle current = handle;
            if (current != null) {
                current.cancel();
            }
            endFailed("The answer could not be saved; regenerate it to try again.");
        } finally {
            if (!usageRecorded) {
                recordUsage(outcome);
            }
            // The clients attached here learn of the end at once, not from its broadcast (which Redis may drop, and
            // which goes through Redis when it does not): unless handed the ended answer above, their feed reads it
            // from the database.
            feeds.forEach(feed -> feed.offer(AnswerFeed.Piece.END));
            owner.ended(messageId);
            LogEvents.info(log, "chat.answer.generated").addKeyValue("message_id", messageId)
                    .addKeyValue("model", model.id()).addKeyValue("saves", flushes).addKeyValue("characters", length)
                    .addKeyValue("status", outcome == null ? "failed" : outcome.status().value())
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
        }
    }

    /**
     * After a failure before any text (the provider's own retries spent): the call to the next fallback model, if the
     * failure is one to fall back on and one is left; never after text was sent, nor after a stop.
     *
     * @return whether another call started (or was refused at once: its failure is then handled as this one)
     */
    private boolean fallBack() {
        ProviderFailure why;
        lock.lock();
        try {
            if (failure == null || result != null || length > 0 || stopRequested || shuttingDown) {
                return false;
            }
            why = failure;
        } finally {
            lock.unlock();
        }
        java.util.Optional<ModelResolver.ResolvedModel> next = fallbacks.next(messageId, model, why);
        if (next.isEmpty()) {
            return false;
        }
        model = next.get();
        feeds.forEach(feed -> feed.offer(AnswerFeed.Piece.MODEL));
        owner.publishModel(messageId);
        inUse.close();
        inUse = owner.modelsInUse().begin(model.model(), model.connection(), messageId);
        lock.lock();
        try {
            failure = null;
            reported = null;
        } finally {
            lock.unlock();
        }
        call(Fallbacks.forModel(request, model.model()));
        return true;
    }

    private AnswerOutcome outcome() {
        AnswerTimings timings = new AnswerTimings(firstTextNanos == 0 ? null
                : (int) ((firstTextNanos - started) / 1_000_000), (int) ((System.nanoTime() - started) / 1_000_000));
        if (result != null) {
            ChatResult whole = result;
            return AnswerOutcome.complete(tokens(whole.usage()), new AnswerTimings(whole.timeToFirstToken() == null
                    ? null : (int) whole.timeToFirstToken().toMillis(), (int) whole.duration().toMillis()), citations,
                    whole.toolCalls().stream().map(call -> new AnswerToolCall(call.id(), call.name(),
                            call.arguments())).toList());
        }
        ProviderFailure why = java.util.Objects.requireNonNull(failure);
        if (why.code().equals(ProviderFailure.CANCELLED) && stopRequested) {
            return AnswerOutcome.stopped(tokens(reported), timings, citations);
        }
        if (why.code().equals(ProviderFailure.CANCELLED) && shuttingDown) {
            return AnswerOutcome.failed(AnswerGeneration.INTERRUPTED, "The answer was interrupted: the server"
                    + " generating it shut down. Regenerate it to try again.", tokens(reported), timings);
        }
        if (why.code().equals(ProviderFailure.CANCELLED)) {
            return AnswerOutcome.failed("answer_too_long", "The answer reached " + ChatAnswers.MAX_ANSWER_LENGTH
                    + " characters, the most an answer holds, and was cut there.", tokens(reported), timings);
        }
        return AnswerOutcome.failed(why.code(), why.getMessage(), tokens(reported), timings);
    }

    private void endFailed(String reason) {
        try {
            owner.answers().finish(messageId, null, AnswerOutcome.failed("answer_failed", reason, tokens(reported),
                    new AnswerTimings(null, (int) ((System.nanoTime() - started) / 1_000_000))));
            owner.publishEnd(messageId);
        } catch (RuntimeException alsoFailed) {
            LogEvents.warn(log, "chat.answer.end.failed").addKeyValue("message_id", messageId)
                    .addKeyValue("reason", alsoFailed.getClass().getSimpleName()).log();
        }
    }

    /** Usage is recorded however the answer ended: what the provider reported (or estimated), else nothing known. */
    private void recordUsage(@Nullable AnswerOutcome outcome) {
        org.atrium.providers.TokenUsage tokens = result != null ? result.usage() : reported;
        UsageEvent.Outcome how = outcome == null ? UsageEvent.Outcome.FAILED : switch (outcome.status()) {
            case COMPLETE -> UsageEvent.Outcome.COMPLETE;
            case STOPPED -> UsageEvent.Outcome.STOPPED;
            default -> UsageEvent.Outcome.FAILED;
        };
        try {
            owner.usage().record(new UsageEvent(state.caller().userId(),
                    UsageEvent.chargedGroup(state, model.connection()), model.model(), model.connection(),
                    tokens == null ? 0 : tokens.inputTokens(), tokens == null ? 0 : tokens.outputTokens(),
                    tokens == null || tokens.estimated(), how, Instant.now()));
        } catch (RuntimeException unexpected) {
            LogEvents.warn(log, "chat.answer.usage.failed").addKeyValue("message_id", messageId)
                    .addKeyValue("reason", unexpected.getClass().getSimpleName()).log();
        }
    }

    private static @Nullable TokenUsage tokens(org.atrium.providers.@Nullable TokenUsage usage) {
        return usage == null ? null : new TokenUsage(usage.inputTokens(), usage.outputTokens(), usage.estimated());
    }
}
