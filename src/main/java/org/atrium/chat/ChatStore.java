package org.atrium.chat;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;
import org.atrium.chat.ChatAnswers.Appended;
import org.atrium.chat.presets.Preset;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code chats}, {@code chat_messages} and {@code chat_message_attachments}. */
@Repository
class ChatStore {

    /** A message's place in its chat's tree, without its content. */
    record Node(UUID id, @Nullable UUID parentId, MessageRole role, MessageStatus status) {
    }

    /**
     * An answer's start: the answer and its conversation, or why it was refused ({@code account_deleted},
     * {@code chat_not_found}, {@code message_not_found}, {@code too_many_answers}, {@code chat_full},
     * {@code not_a_question}: see migration V23).
     */
    record AnswerStartResult(@Nullable String refusal, ChatAnswers.@Nullable Opened opened) {
    }

    /** An answer after its end, and whether that call ended it. */
    record FinishedAnswer(ChatMessage message, boolean changed) {
    }

    /** What a tool result is checked against: a message's place, the call it answers, the calls it made. */
    record ToolStep(@Nullable UUID parentId, MessageRole role, MessageStatus status, @Nullable String toolCallId,
                    List<AnswerToolCall> toolCalls) {
    }

    private static final TypeReference<Map<String, Object>> PARAMETERS = new TypeReference<>() {
    };
    private static final TypeReference<List<Citation>> CITATIONS = new TypeReference<>() {
    };
    private static final TypeReference<List<AnswerToolCall>> TOOL_CALLS = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> IMAGES = new TypeReference<>() {
    };

    /** Chats of the owner matching the filters; {@code :terms} is a prefix query or null for no search. */
    private static final String MATCHING = """
            from chats c
            where c.owner_user_id = :owner and c.archived = :archived
              and (cast(:pinned as boolean) is null or c.pinned = cast(:pinned as boolean))
              and (cast(:terms as text) is null
                   or c.title_terms @@ to_tsquery('simple', cast(:terms as text))
                   or exists (select 1 from chat_messages m where m.chat_id = c.id
                              and m.terms @@ to_tsquery('simple', cast(:terms as text))))""";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ChatStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Takes a key-share lock on the caller's account row, the first lock of every chat write (as of every knowledge
     * write), so that the account's deletion and the caller's writes queue instead of deadlocking.
     *
     * @return false when the account no longer exists
     */
    boolean keyShareUser(UUID userId) {
        return jdbc.sql("select id from users where id = :u for key share").param("u", userId).query(UUID.class)
                .optional().isPresent();
    }

    void insertChat(UUID id, UUID owner, String title) {
        jdbc.sql("insert into chats (id, owner_user_id, title) values (:id, :owner, :title)")
                .param("id", id).param("owner", owner).param("title", title).update();
    }

    Optional<Chat> find(UUID chatId, UUID owner) {
        return jdbc.sql("select * from chats where id = :id and owner_user_id = :owner")
                .param("id", chatId).param("owner", owner).query(ChatStore::chat).optional();
    }

    /** Locks the owner's chat for a change of its messages or columns (after the account: lock order). */
    Optional<Chat> lock(UUID chatId, UUID owner) {
        return jdbc.sql("select * from chats where id = :id and owner_user_id = :owner for no key update")
                .param("id", chatId).param("owner", owner).query(ChatStore::chat).optional();
    }

    /**
     * A message's place in the owner's chat, in one statement outside any transaction: for checks that a locked read
     * repeats later.
     *
     * @return the message's place, or empty when the chat has no such message
     * @throws org.atrium.platform.AtriumException {@code chat_not_found} (404) when the owner has no such chat
     */
    Optional<Node> ownedNode(UUID chatId, UUID owner, UUID messageId) {
        return jdbc.sql("""
                        select c.id as chat_id, m.id, m.parent_id, m.role, m.status
                        from chats c left join chat_messages m on m.chat_id = c.id and m.id = :message
                        where c.id = :chat and c.owner_user_id = :owner""")
                .param("chat", chatId).param("owner", owner).param("message", messageId)
                .query((rs, n) -> {
                    UUID id = rs.getObject("id", UUID.class);
                    return Optional.ofNullable(id == null ? null : new Node(id, rs.getObject("parent_id", UUID.class),
                            MessageRole.of(rs.getString("role")), MessageStatus.of(rs.getString("status"))));
                })
                .optional().orElseThrow(ChatService::chatNotFound);
    }

    /**
     * @param text a search as typed
     * @return a {@code to_tsquery} text asking for every word of it as a prefix, or null when it has no word
     */
    @Nullable String prefixQuery(String text) {
        // The words are the lexemes PostgreSQL's own parser finds (as in the stored terms), each quoted for
        // to_tsquery (quotes and backslashes escaped) and asked for as a prefix: "kiw sala" finds "kiwi salad".
        return jdbc.sql("""
                        select string_agg('''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''') || ''':*',
                                          ' & ')
                        from unnest(to_tsvector('simple', :text))""")
                .param("text", text).query(String.class).optional().orElse(null);
    }

    List<Chat> list(UUID owner, boolean archived, @Nullable Boolean pinned, @Nullable String terms, int offset,
                    int limit) {
        return jdbc.sql("select c.* " + MATCHING
                        + " order by c.pinned desc, c.updated_at desc, c.id desc offset :offset limit :limit")
                .param("owner", owner).param("archived", archived).param("pinned", pinned).param("terms", terms)
                .param("offset", offset).param("limit", limit).query(ChatStore::chat).list();
    }

    long count(UUID owner, boolean archived, @Nullable Boolean pinned, @Nullable String terms) {
        return jdbc.sql("select count(*) " + MATCHING)
                .param("owner", owner).param("archived", archived).param("pinned", pinned).param("terms", terms)
                .query(Long.class).single();
    }

    /** Changes the columns a chat's owner may change; a new title counts as a change of content. */
    void update(UUID chatId, String title, boolean pinned, boolean archived, boolean touch) {
        jdbc.sql("""
                        update chats set title = :title, pinned = :pinned, archived = :archived,
                               updated_at = case when :touch then clock_timestamp() else updated_at end
                        where id = :id""")
                .param("title", title).param("pinned", pinned).param("archived", archived).param("touch", touch)
                .param("id", chatId).update();
    }

    /**
     * Gives an untitled (empty title) chat of the owner a title, as one conditional statement: a title someone set
     * meanwhile is never replaced. @return false when the chat is gone or has a title
     */
    boolean titleIfUntitled(UUID chatId, UUID owner, String title) {
        return jdbc.sql("""
                        update chats set title = :title, updated_at = clock_timestamp()
                        where id = :id and owner_user_id = :owner and title = ''""")
                .param("title", title).param("id", chatId).param("owner", owner).update() > 0;
    }

    void setTip(UUID chatId, UUID tip) {
        jdbc.sql("update chats set current_message_id = :tip where id = :id").param("tip", tip).param("id", chatId)
                .update();
    }

    /** Deletes the owner's chat; its messages and their links go with it (foreign keys). */
    boolean delete(UUID chatId, UUID owner) {
        return jdbc.sql("delete from chats where id = :id and owner_user_id = :owner")
                .param("id", chatId).param("owner", owner).update() > 0;
    }

    /** @return every message of the chat, without content, oldest first */
    List<Node> nodes(UUID chatId) {
        return jdbc.sql("""
                        select id, parent_id, role, status from chat_messages where chat_id = :chat
                        order by created_at, id""")
                .param("chat", chatId)
                .query((rs, n) -> new Node(rs.getObject("id", UUID.class), rs.getObject("parent_id", UUID.class),
                        MessageRole.of(rs.getString("role")), MessageStatus.of(rs.getString("status"))))
                .list();
    }

    Optional<Node> node(UUID chatId, UUID messageId) {
        return jdbc.sql("select id, parent_id, role, status from chat_messages where chat_id = :chat and id = :id")
                .param("chat", chatId).param("id", messageId)
                .query((rs, n) -> new Node(rs.getObject("id", UUID.class), rs.getObject("parent_id", UUID.class),
                        MessageRole.of(rs.getString("role")), MessageStatus.of(rs.getString("status"))))
                .optional();
    }

    /**
     * Inserts a message of the owner (with its images, or the tool call it answers), complete, and shows it: in the
     * same statement the chat counts it and makes it the branch's tip.
     */
    void insertMessage(UUID id, UUID chatId, @Nullable UUID parentId, MessageRole role, String content,
                       List<String> images, @Nullable AnswerToolCall answering) {
        jdbc.sql("""
                        with inserted as (
                            insert into chat_messages (id, chat_id, parent_id, role, content, images, tool_call_id,
                                                       tool_name, status, terms, created_at, updated_at)
                            values (:id, :chat, :parent, :role, :content, cast(:images as jsonb), :toolCallId,
                                    :toolName, :status, to_tsvector('simple', :content), clock_timestamp(),
                                    clock_timestamp())
                            returning id)
                        update chats set message_count = message_count + 1, current_message_id = :id,
                                         updated_at = clock_timestamp()
                        where id = :chat and exists (select from inserted)""")
                .param("id", id).param("chat", chatId).param("parent", parentId).param("role", role.value())
                .param("content", content).param("status", MessageStatus.COMPLETE.value())
                .param("images", images.isEmpty() ? null : json.writeValueAsString(images))
                .param("toolCallId", answering == null ? null : answering.id())
                .param("toolName", answering == null ? null : answering.name())
                .update();
    }

    /**
     * Starts an answer, in one statement that is its own transaction (one round trip, as it precedes the answer's
     * first token): the database function {@code start_answer} (migration V23) takes the owner's lock serialising
     * their answer starts on every replica and the key-share lock on their account, locks the chat and reads the
     * question and the owner's answers generating (in progress, saved within {@code alive}), then inserts the answer
     * empty and in progress, shows it (the chat counts it and makes it the branch's tip) and reads the conversation
     * it answers: the messages from the chat's first down to the question along their parents, oldest first, with
     * their attachments. Its commit does not wait for PostgreSQL to flush it to disk ({@code synchronous_commit} off
     * for this transaction only; the flush was a third of the start's time): it is visible to every session when
     * committed, as always, and only a crash of the database server within a fraction of a second could lose it,
     * with the answer in progress that such a crash interrupts anyway.
     *
     * @param maxGenerating the most answers of the owner generating at once
     * @param maxMessages   the most messages a chat holds
     * @return the answer and its conversation, or why the start was refused (nothing was written then)
     */
    AnswerStartResult startAnswer(UUID id, UUID chatId, UUID owner, UUID questionId, AnswerStart answer,
                                  Duration alive, int maxGenerating, int maxMessages) {
        Map<UUID, List<UUID>> collections = new HashMap<>();
        Map<UUID, List<UUID>> files = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        Optional<String> refusal = jdbc.sql("""
                        select (s.message).*, s.attached_collections, s.attached_files, s.refusal
                        from start_answer(:id, :chat, :owner, :question, :alive, :maxGenerating, :maxMessages,
                                          :model, :connection, cast(:parameters as jsonb), :preset,
                                          cast(:tools as jsonb)) with ordinality s
                        order by s.ordinality""")
                .param("id", id).param("chat", chatId).param("owner", owner).param("question", questionId)
                .param("alive", (double) alive.toMillis() / 1000).param("maxGenerating", maxGenerating)
                .param("maxMessages", maxMessages)
                .param("model", answer.model()).param("connection", answer.connection())
                .param("parameters", json.writeValueAsString(answer.parameters()))
                .param("preset", answer.presetId())
                .param("tools", answer.tools() == null ? null : json.writeValueAsString(answer.tools()))
                .query(rs -> {
                    String refused = null;
                    while (rs.next()) {
                        refused = rs.getString("refusal");
                        if (refused != null) {
                            break;
                        }
                        Row row = row(rs, rows.size());
                        rows.add(row);
                        collections.put(row.id(), uuids(rs.getArray("attached_collections")));
                        files.put(row.id(), uuids(rs.getArray("attached_files")));
                    }
                    return Optional.ofNullable(refused);
                });
        if (refusal.isPresent()) {
            return new AnswerStartResult(refusal.get(), null);
        }
        // The answer comes last.
        Row started = rows.getLast();
        if (!started.id().equals(id)) {
            throw new IllegalStateException("the answer was not inserted");
        }
        return new AnswerStartResult(null, new ChatAnswers.Opened(message(started, List.of(), List.of()),
                rows.subList(0, rows.size() - 1).stream()
                        .map(row -> message(row, collections.get(row.id()), files.get(row.id()))).toList()));
    }

    Optional<ToolStep> toolStep(UUID chatId, UUID messageId) {
        return jdbc.sql("""
                        select parent_id, role, status, tool_call_id, tool_calls from chat_messages
                        where chat_id = :chat and id = :id""")
                .param("chat", chatId).param("id", messageId)
                .query((rs, n) -> {
                    String calls = rs.getString("tool_calls");
                    return new ToolStep(rs.getObject("parent_id", UUID.class), MessageRole.of(rs.getString("role")),
                            MessageStatus.of(rs.getString("status")), rs.getString("tool_call_id"),
                            calls == null ? List.of() : json.readValue(calls, TOOL_CALLS));
                })
                .optional();
    }

    void insertAttachments(UUID messageId, List<UUID> collectionIds, List<UUID> fileIds) {
        // Collections before files: the foreign keys take their key-share locks in the knowledge lock order.
        if (!collectionIds.isEmpty()) {
            jdbc.sql("""
                            insert into chat_message_attachments (message_id, collection_id)
                            select :m, c from unnest(cast(:ids as uuid[])) as c order by c""")
                    .param("m", messageId).param("ids", collectionIds.toArray(UUID[]::new)).update();
        }
        if (!fileIds.isEmpty()) {
            jdbc.sql("""
                            insert into chat_message_attachments (message_id, file_id)
                            select :m, f from unnest(cast(:ids as uuid[])) as f order by f""")
                    .param("m", messageId).param("ids", fileIds.toArray(UUID[]::new)).update();
        }
    }

    /**
     * Appends to an answer in progress, in characters (code points), never past {@code max}.
     */
    Appended append(UUID messageId, String text, int max) {
        int whole = jdbc.sql("""
                        update chat_messages set content = content || :text, updated_at = clock_timestamp()
                        where id = :id and status = 'in_progress' and length(content) + length(:text) <= :max""")
                .param("text", text).param("id", messageId).param("max", max).update();
        if (whole > 0) {
            return Appended.ALL;
        }
        int cut = jdbc.sql("""
                        update chat_messages set content = left(content || :text, :max), updated_at = clock_timestamp()
                        where id = :id and status = 'in_progress'""")
                .param("text", text).param("id", messageId).param("max", max).update();
        return cut > 0 ? Appended.CUT : Appended.NOT_IN_PROGRESS;
    }

    /**
     * Ends an answer in progress, in one statement that is its own transaction (one round trip, as it precedes the
     * client's end event): the database function {@code finish_answer} (migration V23) locks the answer's chat,
     * appends the last text (cut at {@code max}), records the outcome, computes the terms once, now, touches the chat,
     * and reads the answer back.
     *
     * @return the answer after the change, and whether this call ended it (false when it had ended already: it keeps
     *         its first outcome); empty when it does not exist (any more)
     */
    Optional<FinishedAnswer> finishAnswer(UUID messageId, @Nullable String lastText, int max, AnswerOutcome outcome) {
        TokenUsage usage = outcome.usage();
        AnswerTimings timings = outcome.timings();
        return jdbc.sql("""
                        select (f.message).*, f.attached_collections, f.attached_files, f.changed
                        from finish_answer(:id, :text, :max, :status, :code, :reason, :input, :output, :estimated,
                                           :ttft, :duration, cast(:citations as jsonb), cast(:toolCalls as jsonb)) f""")
                .param("id", messageId).param("text", lastText).param("max", max)
                .param("status", outcome.status().value()).param("code", outcome.failureCode())
                .param("reason", outcome.failureReason())
                .param("input", usage == null ? null : usage.inputTokens())
                .param("output", usage == null ? null : usage.outputTokens())
                .param("estimated", usage == null ? null : usage.estimated())
                .param("ttft", timings == null ? null : timings.timeToFirstTokenMs())
                .param("duration", timings == null ? null : timings.durationMs())
                .param("citations", json.writeValueAsString(outcome.citations()))
                .param("toolCalls", outcome.toolCalls().isEmpty() ? null
                        : json.writeValueAsString(outcome.toolCalls()))
                .query((rs, n) -> new FinishedAnswer(message(row(rs, n), uuids(rs.getArray("attached_collections")),
                        uuids(rs.getArray("attached_files"))), rs.getBoolean("changed")))
                .optional();
    }

    /** @return the chat's messages with these ids, with their attachments, in no particular order */
    List<ChatMessage> messages(UUID chatId, List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Row> rows = jdbc.sql("select * from chat_messages where chat_id = :chat and id = any(:ids)")
                .param("chat", chatId).param("ids", ids.toArray(UUID[]::new)).query(this::row).list();
        return withAttachments(rows);
    }

    private static List<UUID> uuids(java.sql.Array array) throws SQLException {
        return List.of((UUID[]) array.getArray());
    }

    Optional<ChatMessage> message(UUID messageId) {
        return withAttachments(jdbc.sql("select * from chat_messages where id = :id").param("id", messageId)
                .query(this::row).list()).stream().findFirst();
    }

    /** One page of a chat's messages, oldest first. */
    List<ChatMessage> page(UUID chatId, int offset, int limit) {
        return withAttachments(jdbc.sql("""
                        select * from chat_messages where chat_id = :chat order by created_at, id
                        offset :offset limit :limit""")
                .param("chat", chatId).param("offset", offset).param("limit", limit).query(this::row).list());
    }

    /** A message row before its attachments are read. */
    private record Row(UUID id, UUID chatId, @Nullable UUID parentId, MessageRole role, String content,
                       List<String> images, @Nullable String toolCallId, @Nullable String toolName,
                       MessageStatus status, @Nullable AnswerDetails answer, Instant createdAt, Instant updatedAt) {
    }

    private List<ChatMessage> withAttachments(List<Row> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<UUID, List<UUID>> collections = new HashMap<>();
        Map<UUID, List<UUID>> files = new HashMap<>();
        jdbc.sql("""
                        select message_id, collection_id, file_id from chat_message_attachments
                        where message_id = any(:ids) order by collection_id, file_id""")
                .param("ids", rows.stream().map(Row::id).toArray(UUID[]::new))
                .query(rs -> {
                    UUID message = rs.getObject("message_id", UUID.class);
                    UUID collection = rs.getObject("collection_id", UUID.class);
                    if (collection != null) {
                        collections.computeIfAbsent(message, ignored -> new ArrayList<>()).add(collection);
                    } else {
                        files.computeIfAbsent(message, ignored -> new ArrayList<>())
                                .add(rs.getObject("file_id", UUID.class));
                    }
                });
        return rows.stream().map(row -> message(row, collections.getOrDefault(row.id(), List.of()),
                files.getOrDefault(row.id(), List.of()))).toList();
    }

    private static ChatMessage message(Row row, List<UUID> collectionIds, List<UUID> fileIds) {
        return new ChatMessage(row.id(), row.chatId(), row.parentId(), row.role(), row.content(), row.images(),
                row.toolCallId(), row.toolName(), collectionIds, fileIds, row.status(), row.answer(), row.createdAt(),
                row.updatedAt());
    }

    private Row row(ResultSet rs, int n) throws SQLException {
        MessageRole role = MessageRole.of(rs.getString("role"));
        AnswerDetails answer = null;
        if (role == MessageRole.ASSISTANT) {
            String parameters = rs.getString("parameters");
            String citations = rs.getString("citations");
            Integer input = rs.getObject("input_tokens", Integer.class);
            Integer output = rs.getObject("output_tokens", Integer.class);
            Boolean estimated = rs.getObject("tokens_estimated", Boolean.class);
            Integer ttft = rs.getObject("ttft_ms", Integer.class);
            Integer duration = rs.getObject("duration_ms", Integer.class);
            UUID preset = rs.getObject("preset_id", UUID.class);
            String tools = rs.getString("tools");
            String toolCalls = rs.getString("tool_calls");
            answer = new AnswerDetails(String.valueOf(rs.getString("model")),
                    String.valueOf(rs.getString("connection")),
                    parameters == null ? Map.of() : json.readValue(parameters, PARAMETERS),
                    citations == null ? List.of() : json.readValue(citations, CITATIONS),
                    estimated == null ? null : new TokenUsage(input, output, estimated),
                    ttft == null && duration == null ? null : new AnswerTimings(ttft, duration),
                    rs.getString("failure_code"), rs.getString("failure_reason"),
                    preset == null ? null : Preset.modelId(preset),
                    tools == null ? null : json.readValue(tools, AnswerTools.class),
                    toolCalls == null ? List.of() : json.readValue(toolCalls, TOOL_CALLS));
        }
        String images = rs.getString("images");
        return new Row(rs.getObject("id", UUID.class), rs.getObject("chat_id", UUID.class),
                rs.getObject("parent_id", UUID.class), role, rs.getString("content"),
                images == null ? List.of() : json.readValue(images, IMAGES), rs.getString("tool_call_id"),
                rs.getString("tool_name"),
                MessageStatus.of(rs.getString("status")), answer, rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    private static Chat chat(ResultSet rs, int n) throws SQLException {
        return new Chat(rs.getObject("id", UUID.class), rs.getString("title"), rs.getBoolean("pinned"),
                rs.getBoolean("archived"), rs.getObject("current_message_id", UUID.class),
                rs.getInt("message_count"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
