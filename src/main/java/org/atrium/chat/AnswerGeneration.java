package org.atrium.chat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.annotation.PreDestroy;
import org.atrium.cache.Broadcasts;
import org.atrium.chat.presets.PresetAnswers;
import org.atrium.chat.presets.PresetRun;
import org.atrium.models.ModelResolver;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatProviders;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ContentPart;
import org.atrium.providers.ToolCall;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.SettingKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Generates answers server-side, independent of the request that asked: the answer is saved as it streams (in
 * batches, never per token), published batch by batch to every replica, and finished with its outcome, usage and
 * timings whatever happens to the client. Any replica can attach a client to an answer (saved text, then live
 * batches, then the end), stop it (the replica generating it cancels the upstream call), and end as failed the
 * answers whose generator died.
 *
 * <p>Bounds: {@code atrium.chat.generation.max-per-user} answers generating per user across the cluster (counted in
 * PostgreSQL under a per-user advisory lock, among answers whose generator saved recently) and
 * {@code max-per-replica} per replica: {@code 429 too_many_answers} with {@code Retry-After}. The caller's quotas are
 * checked before the call and the usage recorded when it ends, stopped and failed answers included.
 */
@Service
public class AnswerGeneration implements MeterBinder {

    static final String STOP_TOPIC = "chat.answer.stop";
    static final String INTERRUPTED = "answer_interrupted";
    private static final Logger log = LoggerFactory.getLogger(AnswerGeneration.class);

    /**
     * An answer that has started.
     *
     * @param answer the answer, {@code in_progress}
     * @param feed   the caller's feed, subscribed before generation began
     * @param start  the answer's start in the database, one round trip ({@link ChatAnswers#start})
     */
    public record Started(ChatMessage answer, AnswerFeed feed, Duration start) {
    }

    private final ChatService chats;
    private final ChatAnswers answers;
    private final ModelResolver models;
    private final ChatProviders providers;
    private final QuotaService quotas;
    private final UsageRecorder usage;
    private final ModelsInUse modelsInUse;
    private final Broadcasts broadcasts;
    private final GenerationStore store;
    private final GenerationProperties properties;
    private final JsonMapper json;
    private final KnowledgeGrounding grounding;
    private final PresetAnswers presets;
    private final ConcurrentHashMap<UUID, Generator> running = new ConcurrentHashMap<>();
    private final AtomicInteger slots = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong saves = new java.util.concurrent.atomic.AtomicLong();
    private final Broadcasts.Subscription stops;
    private final AnswerEndListeners endListeners;

    AnswerGeneration(ChatService chats, ChatAnswers answers, ModelResolver models, ChatProviders providers,
                     QuotaService quotas, UsageRecorder usage, ModelsInUse modelsInUse, Broadcasts broadcasts,
                     GenerationStore store, GenerationProperties properties,
                     JsonMapper json, KnowledgeGrounding grounding, AnswerEndListeners endListeners,
                     PresetAnswers presets) {
        this.grounding = grounding;
        this.presets = presets;
        this.chats = chats;
        this.answers = answers;
        this.models = models;
        this.providers = providers;
        this.quotas = quotas;
        this.usage = usage;
        this.modelsInUse = modelsInUse;
        this.broadcasts = broadcasts;
        this.store = store;
        this.properties = properties;
        this.json = json;
        this.endListeners = endListeners;
        this.stops = broadcasts.subscribe(STOP_TOPIC, message -> {
            try {
                Generator generator = running.get(UUID.fromString(message));
                if (generator != null) {
                    generator.stop();
                }
            } catch (IllegalArgumentException notAnId) {
                LogEvents.debug(log, "chat.answer.stop.ignored").log();
            }
        });
    }

    /**
     * Starts an answer to a question of the caller's chat.
     *
     * @param state      the caller's effective state
     * @param questionId the question
     * @param modelId    a model of the caller's catalogue, or a preset ({@code preset:<id>}, see PresetAnswers)
     * @param parameters generation parameters
     * @param tools      the tools the model may call, or {@code null} for none
     * @return the answer, with the caller's feed
     * @throws AtriumException {@code chat_not_found}, {@code message_not_found}, {@code model_not_found} (404),
     *                         {@code validation_failed} (400), {@code chat_full} (409), {@code too_many_answers} or
     *                         {@code quota_exceeded} (429)
     */
    public Started answer(EffectiveState state, UUID chatId, UUID questionId, String modelId,
                          AnswerParameters parameters, @Nullable AnswerTools tools) {
        if (tools != null) {
            tools.checked();
        }
        if (slots.incrementAndGet() > properties.maxPerReplica()) {
            slots.decrementAndGet();
            LogEvents.info(log, "chat.answer.refused").addKeyValue("reason", "replica_busy").log();
            throw AtriumException.tooManyRequests("too_many_answers", "This server is generating as many answers as"
                    + " it may; try again shortly.", Duration.ofSeconds(5));
        }
        boolean handedOver = false;
        try {
            PresetRun run;
            ModelResolver.ResolvedModel model;
            try {
                run = presets.prepare(state, modelId, parameters);
                model = models.resolve(state, run.modelId());
                quotas.acquire(state);
            } catch (AtriumException refused) {
                // The start checks the chat and the question in the round trip that inserts the answer; an answer
                // that goes ahead pays no round trip of its own for them (a tenth of a millisecond or more of the
                // first token). A refusal before it still names a chat or question that is not the caller's first.
                chats.requireMessage(state, chatId, questionId);
                throw refused;
            }
            long starting = System.nanoTime();
            ChatAnswers.Opened opened = answers.start(state, chatId, questionId, new AnswerStart(model.id(),
                    model.connection(), run.parameters().set(), run.preset() == null ? null : run.preset().id(),
                    tools));
            Duration start = Duration.ofNanos(System.nanoTime() - starting);
            ChatMessage answer = opened.answer();
            AnswerFeed feed;
            Generator generator;
            try {
                List<ChatMessage> conversation = opened.conversation();
                ChatRequest request = run.apply(request(state, conversation, model.model(), run.parameters(),
                        tools));
                KnowledgeGrounding.Attachments knowledge = grounding.attachments(conversation)
                        .with(run.knowledge().collectionIds(), run.knowledge().fileIds());
                generator = new Generator(this, state, answer.id(), AnsweredQuestion.of(conversation), model,
                        request, knowledge, run.fallbacks());
                running.put(answer.id(), generator);
                feed = feed(answer.id(), new AnswerEvents.Started(chatId, questionId, answer.id(), model.id(),
                        model.connection()), true);
            } catch (RuntimeException failed) {
                // Started but never generated: end it now rather than leave it to the interrupted-answer check.
                running.remove(answer.id());
                answers.finish(answer.id(), null, AnswerOutcome.failed("answer_failed", "The answer could not be"
                        + " started; try again.", null, null));
                throw failed;
            }
            handedOver = true;
            generator.startUngrounded();
            Thread.ofVirtual().name("answer-" + answer.id()).start(generator);
            return new Started(answer, feed, start);
        } finally {
            if (!handedOver) {
                slots.decrementAndGet();
            }
        }
    }

    /**
     * Starts another answer to the question an answer answered (a sibling of it), with the same model and parameters
     * unless others are given. An answer asked of a preset is regenerated through the preset again (its system
     * prompt, knowledge and fallback models, as they are now), while the preset exists.
     *
     * @param answerId   an answer of the chat
     * @param modelId    another model, or {@code null} for the answer's (its preset's, if it was asked of one)
     * @param parameters other parameters, or {@code null} for the answer's
     * @param tools      other tools, or {@code null} for the answer's (none if it was offered none)
     * @return the new answer, with the caller's feed
     * @throws AtriumException as {@link #answer}; {@code validation_failed} (400) when the message is not an answer
     */
    public Started regenerate(EffectiveState state, UUID chatId, UUID answerId, @Nullable String modelId,
                              @Nullable AnswerParameters parameters, @Nullable AnswerTools tools) {
        ChatMessage previous = chats.message(state, chatId, answerId);
        if (previous.role() != MessageRole.ASSISTANT || previous.parentId() == null || previous.answer() == null) {
            throw AtriumException.invalidField("messageId", "must be an answer (an assistant message)");
        }
        AnswerParameters reused = parameters != null ? parameters
                : json.convertValue(previous.answer().parameters(), AnswerParameters.class);
        String again = modelId != null ? modelId
                : previous.answer().preset() != null ? previous.answer().preset() : previous.answer().model();
        return answer(state, chatId, previous.parentId(), again, reused,
                tools != null ? tools : previous.answer().tools());
    }

    /**
     * Attaches to an answer, on any replica: what is saved, then live, then the end; an answer that ended replays at
     * once.
     *
     * @throws AtriumException {@code chat_not_found}, {@code message_not_found} (404); {@code validation_failed}
     *                         (400) when the message is not an answer
     */
    public AnswerFeed attach(EffectiveState state, UUID chatId, UUID messageId) {
        ChatMessage message = chats.message(state, chatId, messageId);
        if (message.role() != MessageRole.ASSISTANT || message.answer() == null || message.parentId() == null) {
            throw AtriumException.invalidField("messageId", "must be an answer (an assistant message)");
        }
        return feed(messageId, new AnswerEvents.Started(chatId, message.parentId(), messageId,
                message.answer().model(), message.answer().connection()), false);
    }

    /**
     * Stops an answer in progress: the replica generating it cancels the upstream call and saves what was generated
     * as {@code stopped}. If no replica has done so within {@code stop-wait} (it died, or the broadcast was lost and
     * its next save has not come), the answer is ended here as {@code stopped} with what was saved; the generator,
     * if any, finds it ended at its next save and cancels its call. Stopping an answer that ended changes nothing.
     *
     * @return the answer after the stop
     * @throws AtriumException {@code chat_not_found}, {@code message_not_found} (404); {@code validation_failed}
     *                         (400) when the message is not an answer
     */
    public ChatMessage stop(EffectiveState state, UUID chatId, UUID messageId) {
        ChatMessage message = chats.message(state, chatId, messageId);
        if (message.role() != MessageRole.ASSISTANT) {
            throw AtriumException.invalidField("messageId", "must be an answer (an assistant message)");
        }
        if (message.status() != MessageStatus.IN_PROGRESS) {
            return message;
        }
        Generator local = running.get(messageId);
        if (local != null) {
            local.stop();
        } else {
            broadcasts.publish(STOP_TOPIC, messageId.toString());
        }
        long deadline = System.nanoTime() + properties.stopWait().toNanos();
        while (System.nanoTime() < deadline) {
            ChatMessage now = answers.find(messageId).orElseThrow(ChatService::messageNotFound);
            if (now.status() != MessageStatus.IN_PROGRESS) {
                return now;
            }
            sleep(Duration.ofMillis(25));
        }
        ChatMessage ended = answers.finish(messageId, null, AnswerOutcome.stopped(null, null, List.of()));
        publishEnd(messageId);
        LogEvents.info(log, "chat.answer.stopped").addKeyValue("message_id", messageId)
                .addKeyValue("by", "database").log();
        return ended;
    }

    /**
     * Ends as failed ({@code answer_interrupted}) the answers in progress whose last save is older than
     * {@code interrupted-after}: their generator died. Safe on every replica at once: ending is conditional on the
     * answer still being in progress, so no lock is needed.
     *
     * @return how many were ended
     */
    public int endInterrupted() {
        int ended = 0;
        for (UUID id : store.stale(properties.interruptedAfter(), 500)) {
            if (!running.containsKey(id) && interrupt(id)) {
                ended++;
            }
        }
        return ended;
    }

    /** @return the answer as saved, an answer whose generator died ended as failed first */
    ChatMessage current(UUID messageId) {
        return checked(answers.find(messageId).orElseThrow(ChatService::messageNotFound));
    }

    /**
     * A message as read, except that an answer whose generator died (in progress, not saved for longer than
     * {@code interrupted-after}) is ended as failed ({@code answer_interrupted}) first, so that a reader never waits
     * for an answer that will not come.
     *
     * @param message a message just read
     * @return the message, or the answer after it was ended
     */
    public ChatMessage checked(ChatMessage message) {
        if (message.status() == MessageStatus.IN_PROGRESS && !running.containsKey(message.id())
                && message.updatedAt().isBefore(Instant.now().minus(properties.interruptedAfter()))) {
            interrupt(message.id());
            return answers.find(message.id()).orElseThrow(ChatService::messageNotFound);
        }
        return message;
    }

    private boolean interrupt(UUID messageId) {
        try {
            ChatMessage ended = answers.finish(messageId, null, AnswerOutcome.failed(INTERRUPTED, "The answer was"
                    + " interrupted: the server generating it stopped before it ended. Regenerate it to try again.",
                    null, null));
            if (ended.status() == MessageStatus.FAILED && INTERRUPTED.equals(ended.answer() == null ? null
                    : ended.answer().failureCode())) {
                LogEvents.warn(log, "chat.answer.interrupted").addKeyValue("message_id", messageId).log();
                publishEnd(messageId);
                return true;
            }
        } catch (AtriumException gone) {
            // Its chat was deleted meanwhile: nothing to end.
        }
        return false;
    }

    /** @param fresh whether the answer's generator has not begun yet (see AnswerFeed's constructor) */
    private AnswerFeed feed(UUID messageId, AnswerEvents.Started started, boolean fresh) {
        Generator generator = running.get(messageId);
        AnswerFeed feed = new AnswerFeed(started, () -> current(messageId), properties.pollInterval(),
                fresh && generator != null, providers::later);
        Broadcasts.Subscription subscription = broadcasts.subscribe(topic(messageId), message -> {
            JsonNode node = json.readTree(message);
            feed.offer(node.path("end").asBoolean(false) ? AnswerFeed.Piece.END
                    : node.path("model").asBoolean(false) ? AnswerFeed.Piece.MODEL
                    : new AnswerFeed.Piece(node.path("offset").asInt(), node.path("text").asString()));
        });
        Runnable unsubscribe = generator == null ? () -> { } : generator.listen(feed);
        feed.subscribed(subscription, unsubscribe);
        return feed;
    }

    /** The conversation up to the question, after the effective system prompt. */
    private ChatRequest request(EffectiveState state, List<ChatMessage> conversation, String model,
                                AnswerParameters parameters, @Nullable AnswerTools tools) {
        List<org.atrium.providers.ChatMessage> messages = new ArrayList<>();
        String systemPrompt = state.setting(SettingKey.SYSTEM_PROMPT).value().asString("");
        if (!systemPrompt.isBlank()) {
            messages.add(org.atrium.providers.ChatMessage.system(systemPrompt));
        }
        for (ChatMessage message : conversation) {
            List<AnswerToolCall> calls = message.answer() == null ? List.of() : message.answer().toolCalls();
            if (message.content().isEmpty() && calls.isEmpty()) {
                continue;
            }
            messages.add(switch (message.role()) {
                case USER -> message.images().isEmpty() ? org.atrium.providers.ChatMessage.user(message.content())
                        : org.atrium.providers.ChatMessage.user(parts(message));
                case SYSTEM -> org.atrium.providers.ChatMessage.system(message.content());
                case ASSISTANT -> calls.isEmpty() ? org.atrium.providers.ChatMessage.assistant(message.content())
                        : org.atrium.providers.ChatMessage.assistant(message.content(), calls.stream()
                                .map(call -> new ToolCall(call.id(), call.name(), call.arguments())).toList());
                case TOOL -> org.atrium.providers.ChatMessage.toolResult(new ToolCall(
                        java.util.Objects.requireNonNull(message.toolCallId()),
                        java.util.Objects.requireNonNull(message.toolName()), "{}"), message.content());
            });
        }
        ChatRequest request = ChatRequest.of(model, messages);
        if (tools != null) {
            request = request.withTools(tools.definitions()).withToolChoice(tools.choice());
        }
        return request.withParameters(parameters.temperature(), parameters.topP(),
                parameters.maxTokens(), parameters.stop() == null ? List.of() : parameters.stop(),
                parameters.seed()).withResponseFormat(parameters.format() == null ? null
                : parameters.format().toProvider());
    }

    /** A question's text, then its images, as the providers take them. */
    private static List<ContentPart> parts(ChatMessage question) {
        List<ContentPart> parts = new ArrayList<>(1 + question.images().size());
        parts.add(new ContentPart.Text(question.content()));
        question.images().forEach(image -> parts.add(new ContentPart.Image(image)));
        return parts;
    }

    static String topic(UUID messageId) {
        return "chat.answer." + messageId;
    }

    void publishBatch(UUID messageId, int offset, String text) {
        broadcasts.publish(topic(messageId), json.writeValueAsString(Map.of("offset", offset, "text", text)));
    }

    void publishEnd(UUID messageId) {
        broadcasts.publish(topic(messageId), "{\"end\":true}");
    }

    /** Tells every replica's clients that a fallback model took over (recorded on the answer before). */
    void publishModel(UUID messageId) {
        broadcasts.publish(topic(messageId), "{\"model\":true}");
    }

    void ended(UUID messageId) {
        running.remove(messageId);
        slots.decrementAndGet();
    }

    ChatAnswers answers() {
        return answers;
    }

    ChatProviders providers() {
        return providers;
    }

    KnowledgeGrounding grounding() {
        return grounding;
    }

    UsageRecorder usage() {
        return usage;
    }

    ModelsInUse modelsInUse() {
        return modelsInUse;
    }

    GenerationProperties properties() {
        return properties;
    }

    /** @return who is told when an answer ended (title generation, say) */
    AnswerEndListeners endListeners() {
        return endListeners;
    }

    /** Counts one save of generated text (batch or heartbeat). */
    void saved() {
        saves.incrementAndGet();
    }

    /** @return saves of generated text since this replica started: far fewer than tokens */
    long saves() {
        return saves.get();
    }

    /** @return answers generating on this replica */
    int generatingHere() {
        return running.size();
    }

    /**
     * Answers generating on this replica, as a gauge: with the CPU, the signal to scale on when answers stream
     * slowly (each holds an upstream connection and a little memory while using next to no CPU).
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("atrium.chat.answers.generating", running, Map::size)
                .description("Answers being generated on this replica").register(registry);
    }

    /**
     * On shutdown: every answer still generating here is cancelled and ended as failed ({@code answer_interrupted})
     * with what was generated, rather than left for the interrupted-answer check.
     */
    @PreDestroy
    void close() {
        stops.close();
        running.values().forEach(Generator::shutdown);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(20));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
