package org.atrium.chat;

import org.atrium.chat.presets.PresetAnswers;
import org.atrium.chat.presets.PresetRun;
import org.atrium.knowledge.CallerEmbeddings;
import org.atrium.models.ModelResolver;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.RequestIds;
import org.atrium.providers.ChatCall;
import org.atrium.providers.ChatListener;
import org.atrium.providers.ChatMessage;
import org.atrium.providers.ChatProviders;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ChatResult;
import org.atrium.providers.Embedder;
import org.atrium.providers.EmbeddingFailure;
import org.atrium.providers.ProviderFailure;
import org.atrium.providers.TokenCount;
import org.atrium.providers.TokenUsage;
import org.atrium.providers.ToolCall;
import org.atrium.providers.ToolCallDelta;
import org.atrium.providers.ToolChoice;
import org.atrium.providers.ToolDefinition;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Service;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Calls of a model made for a caller outside any chat: what the compatibility APIs ({@code /v1/chat/completions},
 * {@code /v1/embeddings} and the like) need. Nothing is written to chats. Each call follows the same rules as an
 * answer in a chat:
 *
 * <ul>
 *   <li>the model is one of the caller's catalogue (a catalogue id {@code <connection>/<model>}, a preset
 *   {@code preset:<id>} they may see, or a provider's model id, taken from the first connection in the catalogue's
 *   order that offers it), called with the caller's credential;</li>
 *   <li>a preset brings its base model, its parameters under the call's (each parameter the call sets wins), its
 *   system prompt and its default knowledge;</li>
 *   <li>the caller's quotas admit the call first; it is listed in "models in use" while it streams (once it has
 *   run for {@link #LISTING_DELAY}); its usage is recorded once when it ends, however it ends (complete, failed,
 *   cancelled by a client that went away).</li>
 * </ul>
 *
 * <p>Not done for these calls: fallback models of a preset (a client of these APIs retries on its own terms), and
 * the caller's {@code systemPrompt} setting (the caller sends its own system message).
 */
@Service
public class ModelCalls {

    private static final Logger log = LoggerFactory.getLogger(ModelCalls.class);
    /**
     * How long a call runs before it is listed in the models in use. The view is of answers streaming now, read by
     * people: a call over sooner would be gone before any view could show it, and most calls of these APIs (short
     * completions, tool steps) end sooner, so they cost no round trip to Redis for the listing, nor one to end it.
     */
    static final Duration LISTING_DELAY = Duration.ofMillis(100);

    private final PresetAnswers presets;
    private final ModelResolver resolver;
    private final TaskModels names;
    private final ChatProviders providers;
    private final QuotaService quotas;
    private final ModelsInUse modelsInUse;
    private final UsageRecorder usage;
    private final KnowledgeGrounding grounding;
    private final CallerEmbeddings callerEmbeddings;

    ModelCalls(PresetAnswers presets, ModelResolver resolver, TaskModels names, ChatProviders providers,
               QuotaService quotas, ModelsInUse modelsInUse, UsageRecorder usage, KnowledgeGrounding grounding,
               CallerEmbeddings callerEmbeddings) {
        this.presets = presets;
        this.resolver = resolver;
        this.names = names;
        this.providers = providers;
        this.quotas = quotas;
        this.modelsInUse = modelsInUse;
        this.usage = usage;
        this.grounding = grounding;
        this.callerEmbeddings = callerEmbeddings;
    }

    /**
     * What to call.
     *
     * @param model      a catalogue id, {@code preset:<id>} or a provider's model id
     * @param messages   the conversation, as the client sent it
     * @param tools      functions the model may call
     * @param toolChoice whether and which tool the model must call (null: the provider's default)
     * @param parameters the call's parameters (null ones: the preset's, else the provider's default)
     * @param knowledge  collections and files to ground the answer on (the caller's access applies)
     */
    public record Call(String model, List<ChatMessage> messages, List<ToolDefinition> tools,
                       @Nullable ToolChoice toolChoice, AnswerParameters parameters,
                       KnowledgeGrounding.Attachments knowledge) {

        /** Copies the lists. */
        public Call {
            Objects.requireNonNull(model, "model");
            messages = List.copyOf(messages);
            tools = List.copyOf(tools);
        }
    }

    /** A listener that also learns when the provider call starts, for timing the call. */
    public interface CallListener extends ChatListener {

        /** The provider call starts now: the model is resolved, the quota admitted, the knowledge retrieved. */
        default void onUpstreamStart() {
        }
    }

    /**
     * A call admitted and ready to run.
     *
     * @param modelId   the catalogue id of the model answering (a preset's base model)
     * @param call      to run on the caller's thread (it returns when the listener has had its last event), and to
     *                  cancel from another (a client that went away)
     * @param citations the passages the answer was grounded on, empty without knowledge
     */
    public record Started(String modelId, ChatCall call, List<Citation> citations) {
    }

    /**
     * Resolves the model, admits the call and prepares it; the caller runs it ({@link Started#call()}) on its own
     * thread, which has nothing else to do meanwhile. Knowledge, when given, is retrieved first, on the calling thread.
     *
     * @param state    the caller's effective state
     * @param call     what to call
     * @param listener receives the answer as it streams, then exactly one of onComplete and onFailure
     * @return the call, to run
     * @throws AtriumException  {@code model_not_found} (404) for a model not in the caller's catalogue;
     *                          {@code quota_exceeded} (429) when a quota refuses the call; {@code validation_failed}
     *                          (400) for a request the provider contract refuses
     * @throws ProviderFailure  at once, for a request this provider kind cannot take
     */
    public Started start(EffectiveState state, Call call, CallListener listener) {
        PresetRun run = presets.prepare(state, call.model(), call.parameters());
        ModelResolver.ResolvedModel model = resolve(state, run.modelId());
        AnswerParameters parameters = run.parameters();
        ChatRequest request;
        try {
            request = run.apply(ChatRequest.of(model.model(), call.messages()).withTools(call.tools())
                    .withToolChoice(call.toolChoice())
                    .withParameters(parameters.temperature(), parameters.topP(), parameters.maxTokens(),
                            parameters.stop() == null ? List.of() : parameters.stop(), parameters.seed())
                    .withResponseFormat(parameters.format() == null ? null : parameters.format().toProvider()));
        } catch (IllegalArgumentException invalid) {
            throw AtriumException.badRequest("validation_failed", invalid.getMessage());
        }
        quotas.acquire(state);
        KnowledgeGrounding.Grounded grounded = grounding.ground(state, request,
                call.knowledge().with(run.knowledge().collectionIds(), run.knowledge().fileIds()));
        Recording recording = new Recording(state, model, listener);
        try {
            ChatCall prepared = providers.prepare(model.endpoint(), model.secret(), grounded.request(), recording);
            recording.listAfter(LISTING_DELAY);
            listener.onUpstreamStart();
            return new Started(model.id(), prepared, grounded.citations());
        } catch (ProviderFailure | IllegalArgumentException refused) {
            recording.end(null, refused instanceof ProviderFailure failure ? failure.code() : "validation_failed");
            throw refused;
        }
    }

    /**
     * Vectors of texts.
     *
     * @param model   the model's name, as the caller named it
     * @param vectors one per text, in order
     * @param tokens  the texts' tokens (estimated where the provider reports none)
     * @param upstream the time spent waiting for the provider
     */
    public record Embeddings(String model, List<float[]> vectors, int tokens, java.time.Duration upstream) {
    }

    /**
     * Embeds texts with the caller's own embedding model (their effective {@code embedding.connection} and
     * {@code embedding.model}, as their personal collections use), in batches of the connection's size; admitted by
     * the caller's quotas, its usage recorded.
     *
     * @param state the caller's effective state
     * @param model the model asked for: the caller's embedding model, by its name or {@code <connection>/<model>}
     * @param texts the texts, none blank
     * @return the vectors
     * @throws AtriumException {@code model_not_found} (404) for another model; {@code embedding_not_configured} and
     *                         the like (409) when the caller has none; {@code quota_exceeded} (429);
     *                         {@code embedding_failed} (502) when the provider failed
     */
    public Embeddings embed(EffectiveState state, String model, List<String> texts) {
        Embedder embedder = callerEmbeddings.forUser(state.caller().userId());
        if (!model.equals(embedder.model()) && !model.equals(embedder.connection() + "/" + embedder.model())) {
            throw AtriumException.notFound("model_not_found", "Your embedding model is '" + embedder.connection() + "/"
                    + embedder.model() + "' (the one your personal collections use); no other can be asked for.");
        }
        quotas.acquire(state);
        int tokens = texts.stream().mapToInt(TokenCount::of).sum();
        List<float[]> vectors = new java.util.ArrayList<>(texts.size());
        UsageEvent.Outcome outcome = UsageEvent.Outcome.FAILED;
        long upstreamStarted = System.nanoTime();
        try {
            int batch = Math.max(1, embedder.batchSize());
            for (int from = 0; from < texts.size(); from += batch) {
                vectors.addAll(embedder.embed(texts.subList(from, Math.min(texts.size(), from + batch))));
            }
            outcome = UsageEvent.Outcome.COMPLETE;
            return new Embeddings(model, vectors, tokens,
                    java.time.Duration.ofNanos(System.nanoTime() - upstreamStarted));
        } catch (EmbeddingFailure failure) {
            throw new AtriumException(org.springframework.http.HttpStatus.BAD_GATEWAY, "embedding_failed",
                    failure.getMessage());
        } finally {
            try {
                usage.record(new UsageEvent(state.caller().userId(),
                        UsageEvent.chargedGroup(state, embedder.connection()), embedder.model(), embedder.connection(),
                        outcome == UsageEvent.Outcome.COMPLETE ? tokens : 0, 0, true, outcome, Instant.now()));
            } catch (RuntimeException unexpected) {
                LogEvents.warn(log, "chat.call.usage.failed").addKeyValue("model", embedder.model())
                        .addKeyValue("reason", unexpected.getClass().getSimpleName()).log();
            }
        }
    }

    /**
     * A model by catalogue id, else by the provider's model id (the first connection in the catalogue's order that
     * offers it), so that clients written for one provider can send the ids they know.
     */
    private ModelResolver.ResolvedModel resolve(EffectiveState state, String name) {
        try {
            return resolver.resolve(state, name);
        } catch (AtriumException notInCatalogue) {
            return names.named(state, name).orElseThrow(() -> notInCatalogue);
        }
    }

    /** Passes the answer on, and records its usage and ends its models-in-use entry once, however it ends. */
    private final class Recording implements ChatListener {

        private final EffectiveState state;
        private final ModelResolver.ResolvedModel model;
        private final ChatListener listener;
        private final long started = System.nanoTime();
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile @Nullable TokenUsage reported;
        /** Set once the call is listed; guarded by {@code this}. */
        private ModelsInUse.@Nullable Handle inUse;
        /** Cancels the listing armed for the call when it ends first; guarded by {@code this}. */
        private @Nullable Runnable listing;

        Recording(EffectiveState state, ModelResolver.ResolvedModel model, ChatListener listener) {
            this.state = state;
            this.model = model;
            this.listener = listener;
        }

        /** Lists the call in the models in use if it is still running after {@code delay}. */
        void listAfter(Duration delay) {
            // The listing is a round trip to Redis: on a thread of its own, never on the timer's.
            Runnable armed = providers.later(delay, () -> Thread.ofVirtual().name("model-call-listing")
                    .start(this::list));
            synchronized (this) {
                listing = armed;
            }
        }

        /** The call's entry in the models in use; closed at once when the call ended while it was being listed. */
        private void list() {
            if (ended.get()) {
                return;
            }
            ModelsInUse.Handle handle = modelsInUse.begin(model.model(), model.connection(), RequestIds.random());
            synchronized (this) {
                if (!ended.get()) {
                    inUse = handle;
                    return;
                }
            }
            handle.close();
        }

        @Override
        public void onText(String delta) {
            listener.onText(delta);
        }

        @Override
        public void onToolCallDelta(ToolCallDelta delta) {
            listener.onToolCallDelta(delta);
        }

        @Override
        public void onToolCall(ToolCall call) {
            listener.onToolCall(call);
        }

        @Override
        public void onUsage(TokenUsage tokens) {
            reported = tokens;
            listener.onUsage(tokens);
        }

        // The answer goes to the client first. The bookkeeping (round trips to Redis in cluster mode, for the day's
        // token count and, for a call that was listed, the models in use) then runs beside the end of the request,
        // not on its thread, which runs the call: the response is complete only once that thread is done with it.
        @Override
        public void onComplete(ChatResult result) {
            try {
                listener.onComplete(result);
            } finally {
                endAside(result.usage(), "complete");
            }
        }

        @Override
        public void onFailure(ProviderFailure failure) {
            try {
                listener.onFailure(failure);
            } finally {
                endAside(reported, failure.code());
            }
        }

        private void endAside(@Nullable TokenUsage tokens, String outcome) {
            Map<String, String> context = MDC.getCopyOfContextMap();
            Thread.ofVirtual().name("model-call-end").start(() -> {
                if (context != null) {
                    MDC.setContextMap(context);
                }
                end(tokens, outcome);
            });
        }

        void end(@Nullable TokenUsage tokens, String outcome) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            ModelsInUse.Handle listed;
            Runnable armed;
            synchronized (this) {
                listed = inUse;
                armed = listing;
            }
            if (armed != null) {
                armed.run();
            }
            if (listed != null) {
                listed.close();
            }
            UsageEvent.Outcome recorded = switch (outcome) {
                case "complete" -> UsageEvent.Outcome.COMPLETE;
                case ProviderFailure.CANCELLED -> UsageEvent.Outcome.STOPPED;
                default -> UsageEvent.Outcome.FAILED;
            };
            try {
                usage.record(new UsageEvent(state.caller().userId(),
                        UsageEvent.chargedGroup(state, model.connection()), model.model(), model.connection(),
                        tokens == null ? 0 : tokens.inputTokens(), tokens == null ? 0 : tokens.outputTokens(),
                        tokens == null || tokens.estimated(), recorded, Instant.now()));
            } catch (RuntimeException unexpected) {
                LogEvents.warn(log, "chat.call.usage.failed").addKeyValue("model", model.id())
                        .addKeyValue("reason", unexpected.getClass().getSimpleName()).log();
            }
            LogEvents.info(log, "chat.call.ended").addKeyValue("model", model.id()).addKeyValue("outcome", outcome)
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
        }
    }
}
