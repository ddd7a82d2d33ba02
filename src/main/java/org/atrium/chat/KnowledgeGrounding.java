package org.atrium.chat;

import org.atrium.knowledge.CollectionService;
import org.atrium.knowledge.FileService;
import org.atrium.knowledge.Retrieval;
import org.atrium.knowledge.RetrievalQuery;
import org.atrium.knowledge.RetrievalService;
import org.atrium.knowledge.RetrievedChunk;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.providers.ChatMessage;
import org.atrium.providers.ChatRequest;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.KnowledgePromptTemplate;
import org.atrium.settings.SettingKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grounds an answer on knowledge: the collections and files attached to the conversation (or, for a preset, its
 * default knowledge) are searched through {@link RetrievalService} with the caller's own access, with queries from
 * {@link QueryGeneration}; the best passages (at most {@code atrium.chat.knowledge.top-k}, and
 * {@code max-context-chars} characters) are put into the request through the {@code knowledge.promptTemplate}
 * setting, and become the answer's citations. A collection or file the caller may no longer read is skipped, and a
 * retrieval that fails (an embedding provider down) leaves the answer ungrounded rather than failing it.
 */
@Service
public class KnowledgeGrounding {

    private static final Logger log = LoggerFactory.getLogger(KnowledgeGrounding.class);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(CONTEXT|QUERY)}}");

    /**
     * Knowledge to ground on.
     *
     * @param collectionIds collections
     * @param fileIds       files
     */
    public record Attachments(List<UUID> collectionIds, List<UUID> fileIds) {

        /** Nothing to ground on. */
        public static final Attachments NONE = new Attachments(List.of(), List.of());

        /** Freezes the lists. */
        public Attachments {
            collectionIds = List.copyOf(collectionIds);
            fileIds = List.copyOf(fileIds);
        }

        /** @return whether there is nothing to ground on */
        public boolean isEmpty() {
            return collectionIds.isEmpty() && fileIds.isEmpty();
        }

        /**
         * @return these and the given ones (a preset's default knowledge), each id once, these first
         */
        public Attachments with(List<UUID> moreCollectionIds, List<UUID> moreFileIds) {
            if (moreCollectionIds.isEmpty() && moreFileIds.isEmpty()) {
                return this;
            }
            Set<UUID> collections = new LinkedHashSet<>(collectionIds);
            collections.addAll(moreCollectionIds);
            Set<UUID> files = new LinkedHashSet<>(fileIds);
            files.addAll(moreFileIds);
            return new Attachments(List.copyOf(collections), List.copyOf(files));
        }
    }

    /**
     * A request after grounding.
     *
     * @param request   the request, with the passages in its system message (unchanged when none was found)
     * @param citations the passages put into it, best first
     */
    public record Grounded(ChatRequest request, List<Citation> citations) {

        /** Freezes the list. */
        public Grounded {
            citations = List.copyOf(citations);
        }
    }

    private final CollectionService collections;
    private final FileService files;
    private final RetrievalService retrieval;
    private final QueryGeneration queries;
    private final GroundingProperties properties;

    KnowledgeGrounding(CollectionService collections, FileService files, RetrievalService retrieval,
                       QueryGeneration queries, GroundingProperties properties) {
        this.collections = collections;
        this.files = files;
        this.retrieval = retrieval;
        this.queries = queries;
        this.properties = properties;
    }

    /**
     * The knowledge attached to the conversation an answer answers: the question's and every earlier message's,
     * newest first, without repeats, at most {@link ChatService#MAX_ATTACHMENTS} together.
     *
     * @param conversation the messages up to the question, oldest first
     * @return the attachments, {@link Attachments#NONE} when there are none
     */
    Attachments attachments(List<org.atrium.chat.ChatMessage> conversation) {
        Set<UUID> collectionIds = new LinkedHashSet<>();
        Set<UUID> fileIds = new LinkedHashSet<>();
        for (org.atrium.chat.ChatMessage message : conversation.reversed()) {
            for (UUID id : message.collectionIds()) {
                if (collectionIds.size() + fileIds.size() < ChatService.MAX_ATTACHMENTS) {
                    collectionIds.add(id);
                }
            }
            for (UUID id : message.fileIds()) {
                if (collectionIds.size() + fileIds.size() < ChatService.MAX_ATTACHMENTS) {
                    fileIds.add(id);
                }
            }
        }
        return collectionIds.isEmpty() && fileIds.isEmpty() ? Attachments.NONE
                : new Attachments(List.copyOf(collectionIds), List.copyOf(fileIds));
    }

    /**
     * Grounds a request on knowledge: retrieves passages for its last user message from the collections and files
     * the caller may read among those given (the others are skipped), and puts them into its system message through
     * the caller's effective {@code knowledge.promptTemplate}. Never fails: without a question, anything readable or
     * any passage, the request is returned as it was.
     *
     * @param state     the caller's effective state (whose access every retrieval uses)
     * @param request   the request to the answering model, ending with the question
     * @param knowledge the collections and files to ground on (at most {@link ChatService#MAX_ATTACHMENTS} of each
     *                  are used)
     * @return the grounded request and its citations
     */
    public Grounded ground(EffectiveState state, ChatRequest request, Attachments knowledge) {
        if (knowledge.isEmpty()) {
            return new Grounded(request, List.of());
        }
        try {
            return retrieveAndPut(state, request, knowledge);
        } catch (RuntimeException unexpected) {
            // The database failed mid-way, say: the answer goes on without knowledge rather than not at all.
            LogEvents.error(log, "chat.knowledge.failed").addKeyValue("reason",
                    unexpected.getClass().getSimpleName()).log();
            return new Grounded(request, List.of());
        }
    }

    private Grounded retrieveAndPut(EffectiveState state, ChatRequest request, Attachments knowledge) {
        long started = System.nanoTime();
        List<ChatMessage> conversation = request.messages().stream()
                .filter(m -> m.role() == ChatMessage.Role.USER || m.role() == ChatMessage.Role.ASSISTANT).toList();
        ChatMessage last = conversation.isEmpty() ? null : conversation.getLast();
        if (!request.messages().isEmpty() && request.messages().getLast().role() == ChatMessage.Role.TOOL) {
            // An answer to tool results answers the person's last question still: it is grounded on that.
            last = conversation.reversed().stream().filter(m -> m.role() == ChatMessage.Role.USER).findFirst()
                    .orElse(null);
        }
        String question = last == null || last.role() != ChatMessage.Role.USER ? "" : QueryGeneration.text(last);
        if (question.isBlank()) {
            return new Grounded(request, List.of());
        }
        List<UUID> readable = readableCollections(state, knowledge.collectionIds());
        Map<UUID, List<UUID>> fileSources = new LinkedHashMap<>();
        for (UUID fileId : knowledge.fileIds().stream().limit(ChatService.MAX_ATTACHMENTS).toList()) {
            List<UUID> holding = files.readableCollections(state, fileId, ChatService.MAX_ATTACHMENTS);
            if (holding.isEmpty()) {
                LogEvents.info(log, "chat.knowledge.skipped").addKeyValue("file_id", fileId)
                        .addKeyValue("reason", "not_readable").log();
            } else {
                fileSources.put(fileId, holding);
            }
        }
        if (readable.isEmpty() && fileSources.isEmpty()) {
            return new Grounded(request, List.of());
        }
        QueryGeneration.Queries generated = queries.queries(state, conversation, question);
        Map<String, Passage> found = new LinkedHashMap<>();
        for (String query : generated.queries()) {
            if (!readable.isEmpty()) {
                search(state, query, readable, List.of(), found, false);
            }
            if (!fileSources.isEmpty()) {
                List<UUID> holding = fileSources.values().stream().flatMap(List::stream).distinct().toList();
                search(state, query, holding, List.copyOf(fileSources.keySet()), found, true);
            }
        }
        List<Passage> best = found.values().stream().sorted(Comparator.comparingDouble(Passage::score).reversed())
                .limit(properties.topK()).toList();
        StringBuilder context = new StringBuilder();
        List<Citation> citations = new ArrayList<>();
        Map<Integer, String> fitting = fit(best.stream().map(p -> p.chunk().text()).toList(),
                properties.maxContextChars());
        fitting.forEach((index, text) -> {
            Passage passage = best.get(index);
            citations.add(passage.citation());
            context.append("<source id=\"").append(citations.size()).append("\" name=\"")
                    .append(attribute(passage.chunk().fileName())).append("\">\n")
                    .append(text.replace("</source>", "< /source>")).append("\n</source>\n");
        });
        LogEvents.info(log, "chat.knowledge.grounded").addKeyValue("collections", readable.size())
                .addKeyValue("files", fileSources.size()).addKeyValue("queries", generated.queries().size())
                .addKeyValue("query_outcome", generated.outcome()).addKeyValue("passages", citations.size())
                .addKeyValue("context_chars", context.length())
                .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000).log();
        if (citations.isEmpty()) {
            return new Grounded(request, List.of());
        }
        return new Grounded(withSystem(request, render(template(state), context.toString().strip(), question)),
                citations);
    }

    /** A passage found, and the citation it becomes. */
    private record Passage(RetrievedChunk chunk, double score, Citation citation) {
    }

    private void search(EffectiveState state, String query, List<UUID> collectionIds, List<UUID> fileIds,
                        Map<String, Passage> found, boolean attachedFile) {
        Retrieval result;
        try {
            result = retrieval.retrieve(state, new RetrievalQuery(query, collectionIds, properties.topK(), 0,
                    properties.mode(), RetrievalQuery.GroupBy.CHUNK, 1, Map.of(), fileIds));
        } catch (AtriumException failed) {
            // Access lost since the check, or the embedding provider failed: answer without these passages.
            LogEvents.warn(log, "chat.knowledge.retrieval.failed").addKeyValue("code", failed.code()).log();
            return;
        }
        result.skipped().forEach(skipped -> LogEvents.info(log, "chat.knowledge.skipped")
                .addKeyValue("collection_id", skipped.collectionId()).addKeyValue("reason", skipped.code()).log());
        for (RetrievedChunk chunk : result.chunks()) {
            String key = chunk.fileId() + ":" + chunk.chunkIndex();
            Passage previous = found.get(key);
            if (previous == null || previous.score() < chunk.score()) {
                // A file attached directly is cited without a collection, unless an attached collection found it too.
                UUID collectionId = previous != null ? previous.citation().collectionId()
                        : attachedFile ? null : chunk.collectionId();
                found.put(key, new Passage(chunk, chunk.score(), new Citation(chunk.fileId(), collectionId,
                        chunk.chunkIndex(), chunk.startChar(), chunk.endChar(), chunk.score())));
            }
        }
    }

    /**
     * The passages that fit in {@code maxChars} characters together, best first: one that does not fit is left out,
     * except the first, which is cut to fit.
     *
     * @param texts the passages' texts, best first
     * @return the index of each passage kept, with its text as kept, in order
     */
    static Map<Integer, String> fit(List<String> texts, int maxChars) {
        Map<Integer, String> kept = new LinkedHashMap<>();
        int used = 0;
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (used + text.length() > maxChars) {
                if (!kept.isEmpty()) {
                    continue;
                }
                text = QueryGeneration.cut(text, maxChars);
            }
            kept.put(i, text);
            used += text.length();
        }
        return kept;
    }

    /** The collections among those given that the caller may read now; the others are skipped. */
    private List<UUID> readableCollections(EffectiveState state, List<UUID> ids) {
        List<UUID> readable = new ArrayList<>();
        for (UUID id : ids.stream().distinct().limit(ChatService.MAX_ATTACHMENTS).toList()) {
            try {
                collections.get(state, id);
                readable.add(id);
            } catch (AtriumException notReadable) {
                LogEvents.info(log, "chat.knowledge.skipped").addKeyValue("collection_id", id)
                        .addKeyValue("reason", notReadable.code()).log();
            }
        }
        return readable;
    }

    private static String template(EffectiveState state) {
        String template = state.setting(SettingKey.KNOWLEDGE_PROMPT_TEMPLATE).value()
                .asString(KnowledgePromptTemplate.DEFAULT);
        return template.isBlank() ? KnowledgePromptTemplate.DEFAULT : template;
    }

    /**
     * The template with {@code {{CONTEXT}}} and {@code {{QUERY}}} replaced in one pass (so that a passage that
     * contains a placeholder is left as it is); without {@code {{CONTEXT}}} the passages follow the template.
     */
    static String render(String template, String context, String question) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder rendered = new StringBuilder();
        boolean hasContext = false;
        while (matcher.find()) {
            boolean isContext = matcher.group(1).equals("CONTEXT");
            hasContext |= isContext;
            matcher.appendReplacement(rendered, Matcher.quoteReplacement(isContext ? context : question));
        }
        matcher.appendTail(rendered);
        if (!hasContext) {
            rendered.append("\n\n<context>\n").append(context).append("\n</context>");
        }
        return rendered.toString();
    }

    /** The request with the text after its first system message's, or in a new first system message. */
    private static ChatRequest withSystem(ChatRequest request, String text) {
        List<ChatMessage> messages = new ArrayList<>(request.messages());
        if (!messages.isEmpty() && messages.getFirst().role() == ChatMessage.Role.SYSTEM) {
            messages.set(0, ChatMessage.system(QueryGeneration.text(messages.getFirst()) + "\n\n" + text));
        } else {
            messages.addFirst(ChatMessage.system(text));
        }
        return new ChatRequest(request.model(), messages, request.tools(), request.toolChoice(),
                request.responseFormat(), request.temperature(), request.topP(), request.maxTokens(), request.stop(),
                request.seed());
    }

    private static String attribute(@Nullable String value) {
        return value == null ? "" : value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;")
                .replace("\n", " ");
    }
}
