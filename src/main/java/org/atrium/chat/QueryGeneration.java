package org.atrium.chat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.atrium.models.ModelResolver;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatMessage;
import org.atrium.providers.ChatRequest;
import org.atrium.providers.ChatResult;
import org.atrium.providers.ContentPart;
import org.atrium.providers.ProviderFailure;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.SettingKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Retrieval queries for an answer grounded on knowledge, written by the task model from the conversation. Never
 * delays an answer by more than {@code atrium.chat.query-generation.timeout} (5 s) and never fails it: whenever no
 * query can be generated (too slow, the call failed, an unusable answer, the task model's breaker open) the user's
 * message is the query. Generation is skipped (the user's message is the query) when it is off
 * ({@code features.queryGeneration}), when no task model is available to the user, and for a short, simple first
 * question. Generated queries are cached by a hash of the user, the task model and the messages they were made
 * from. Each outcome is logged ({@code chat.query.generated}, {@code .cached}, {@code .skipped},
 * {@code .fallback} with a {@code reason}), never with the messages' text.
 */
@Service
class QueryGeneration {

    /** Messages (the last ones, question included) the task model sees and the cache key is made of. */
    static final int CONTEXT_MESSAGES = 6;
    /** Characters of each of those messages the task model sees. */
    static final int MESSAGE_CHARS = 2_000;
    /** Longest query kept (the user's message used as the query is cut there too). */
    static final int MAX_QUERY_CHARS = 1_000;

    private static final Logger log = LoggerFactory.getLogger(QueryGeneration.class);
    private static final Pattern SENTENCE_END = Pattern.compile("[.?!;]+\\s+\\S");

    /**
     * The queries to retrieve with.
     *
     * @param queries at least one
     * @param outcome {@code generated}, {@code cached}, {@code skipped} or {@code fallback}
     * @param reason  for {@code skipped} and {@code fallback}, why; otherwise {@code null}
     */
    record Queries(List<String> queries, String outcome, @Nullable String reason) {
    }

    private final TaskModels taskModels;
    private final QueryCache cache;
    private final QueryGenerationProperties properties;
    private final JsonMapper json;
    private final CircuitBreakerRegistry breakers;
    private volatile Duration timeout;

    QueryGeneration(TaskModels taskModels, QueryCache cache, QueryGenerationProperties properties, JsonMapper json) {
        this.taskModels = taskModels;
        this.cache = cache;
        this.properties = properties;
        this.json = json;
        this.timeout = properties.timeout();
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(properties.breakerWindow())
                .minimumNumberOfCalls(properties.breakerMinimumCalls())
                .failureRateThreshold(properties.breakerFailureRate())
                .waitDurationInOpenState(properties.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
        breakers.getEventPublisher().onEntryAdded(added -> {
            CircuitBreaker breaker = added.getAddedEntry();
            breaker.getEventPublisher().onStateTransition(event -> LogEvents.warn(log, "chat.query.circuit")
                    .addKeyValue("task_model", breaker.getName())
                    .addKeyValue("from", event.getStateTransition().getFromState().name().toLowerCase(Locale.ROOT))
                    .addKeyValue("to", event.getStateTransition().getToState().name().toLowerCase(Locale.ROOT))
                    .log());
        });
    }

    /**
     * The retrieval queries for the last user message of a conversation.
     *
     * @param state        the caller's effective state
     * @param conversation the conversation without system messages, ending with the question
     * @param question     the question's text
     * @return the queries, never empty
     */
    Queries queries(EffectiveState state, List<ChatMessage> conversation, String question) {
        long started = System.nanoTime();
        String fallback = cut(question.strip(), MAX_QUERY_CHARS);
        if (!state.setting(SettingKey.QUERY_GENERATION).value().asBoolean(true)) {
            return skipped(fallback, "disabled");
        }
        if (isShortAndSimple(conversation, question)) {
            return skipped(fallback, "short_message");
        }
        Optional<ModelResolver.ResolvedModel> found = taskModel(state);
        if (found.isEmpty()) {
            return skipped(fallback, "no_task_model");
        }
        ModelResolver.ResolvedModel model = found.get();
        List<ChatMessage> recent = conversation.subList(Math.max(0, conversation.size() - CONTEXT_MESSAGES),
                conversation.size());
        String key = cacheKey(state, model.id(), recent);
        Optional<List<String>> cached = cache.get(key);
        if (cached.isPresent() && !cached.get().isEmpty()) {
            LogEvents.info(log, "chat.query.cached").addKeyValue("task_model", model.id())
                    .addKeyValue("queries", cached.get().size()).log();
            return new Queries(cached.get(), "cached", null);
        }
        CircuitBreaker breaker = breakers.circuitBreaker(model.id());
        if (!breaker.tryAcquirePermission()) {
            return fallback(fallback, "circuit_open", model, started);
        }
        ChatResult result;
        try {
            result = taskModels.callForAnswer(state, model, request(model.model(), recent), timeout, "queries");
        } catch (ProviderFailure failed) {
            breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, failed);
            return fallback(fallback, failed.code().equals(ProviderFailure.TIMEOUT) ? "timeout" : failed.code(),
                    model, started);
        }
        breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        List<String> queries = parse(result.text());
        if (queries.isEmpty()) {
            return fallback(fallback, "unusable_answer", model, started);
        }
        cache.put(key, queries);
        LogEvents.info(log, "chat.query.generated").addKeyValue("task_model", model.id())
                .addKeyValue("queries", queries.size())
                .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
        return new Queries(queries, "generated", null);
    }

    /**
     * The task model: {@code features.queryModel}, else {@code features.titleModel} (by default
     * {@code gemini-2.5-flash-lite}), chosen as {@link TaskModels#named} does: only when the caller's catalogue has
     * it. No other model is ever picked.
     */
    Optional<ModelResolver.ResolvedModel> taskModel(EffectiveState state) {
        String name = state.setting(SettingKey.QUERY_MODEL).value().asString("");
        try {
            return taskModels.named(state, name.isBlank() ? state.setting(SettingKey.TITLE_MODEL).value()
                    .asString("") : name);
        } catch (AtriumException unavailable) {
            return Optional.empty();
        }
    }

    /**
     * Whether a question skips generation: the first question of the branch, on one line, in one sentence, of at
     * most {@code short-message-words} words. Such a question is its own best query.
     */
    boolean isShortAndSimple(List<ChatMessage> conversation, String question) {
        long questions = conversation.stream().filter(m -> m.role() == ChatMessage.Role.USER).count();
        String text = question.strip();
        return questions <= 1 && !text.contains("\n") && !SENTENCE_END.matcher(text).find()
                && text.split("\\s+").length <= properties.shortMessageWords();
    }

    /** The hash the cache keeps queries under: the user, the task model and the messages, each role and text. */
    static String cacheKey(EffectiveState state, String taskModel, List<ChatMessage> messages) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            update(digest, state.caller().userId().toString());
            update(digest, taskModel);
            for (ChatMessage message : messages) {
                update(digest, message.role().name());
                update(digest, cut(text(message), MESSAGE_CHARS));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static void update(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) ':');
        digest.update(bytes);
    }

    private ChatRequest request(String model, List<ChatMessage> recent) {
        StringBuilder conversation = new StringBuilder("<conversation>\n");
        for (ChatMessage message : recent) {
            conversation.append(message.role().name()).append(": ").append(cut(text(message), MESSAGE_CHARS))
                    .append('\n');
        }
        conversation.append("</conversation>");
        String instructions = "You write search queries for a document search engine. From the conversation, write"
                + " at most " + properties.maxQueries() + " short search queries that would find the passages needed"
                + " to answer the user's last message. Resolve pronouns and references from earlier messages. Use the"
                + " language of the conversation. Answer with JSON only, in this form: {\"queries\": [\"first query\","
                + " \"second query\"]}";
        return ChatRequest.of(model, List.of(ChatMessage.system(instructions),
                ChatMessage.user(conversation.toString()))).withParameters(0.0, null, 300, List.of(), null);
    }

    /** The queries of the task model's answer: a JSON object with a list {@code queries} of non-blank strings. */
    List<String> parse(String answer) {
        int start = answer.indexOf('{');
        int end = answer.lastIndexOf('}');
        if (start < 0 || end <= start) {
            return List.of();
        }
        JsonNode node;
        try {
            node = json.readTree(answer.substring(start, end + 1));
        } catch (RuntimeException notJson) {
            return List.of();
        }
        Set<String> queries = new LinkedHashSet<>();
        for (JsonNode query : node.path("queries")) {
            if (query.isString() && !query.asString().isBlank() && queries.size() < properties.maxQueries()) {
                queries.add(cut(query.asString().strip().replace("\0", ""), MAX_QUERY_CHARS));
            }
        }
        return List.copyOf(queries);
    }

    private static Queries skipped(String question, String reason) {
        LogEvents.info(log, "chat.query.skipped").addKeyValue("reason", reason).log();
        return new Queries(List.of(question), "skipped", reason);
    }

    private static Queries fallback(String question, String reason, ModelResolver.ResolvedModel model,
                                    long started) {
        LogEvents.warn(log, "chat.query.fallback").addKeyValue("reason", reason).addKeyValue("task_model", model.id())
                .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
        return new Queries(List.of(question), "fallback", reason);
    }

    /** The text parts of a message, joined. */
    static String text(ChatMessage message) {
        StringBuilder text = new StringBuilder();
        for (ContentPart part : message.content()) {
            if (part instanceof ContentPart.Text piece) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(piece.text());
            }
        }
        return text.toString();
    }

    static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }

    /** For tests: a shorter limit than {@code atrium.chat.query-generation.timeout}. @return the previous limit */
    Duration limit(Duration limit) {
        Duration previous = timeout;
        timeout = limit;
        return previous;
    }
}
