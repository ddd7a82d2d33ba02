package org.atrium.chat;

import org.atrium.accounts.Caller;
import org.atrium.knowledge.CollectionService;
import org.atrium.knowledge.FileService;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.atrium.platform.Page;
import org.atrium.platform.TransactionRetry;
import org.atrium.platform.UntrustedText;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * Chats of one user: create, list and search, read (the branch being shown, or every message), rename, pin, archive,
 * delete, add a question (an edited question is a new sibling of the old one), choose the branch shown. A chat is its
 * owner's alone: to anyone else, instance admins included, it does not exist ({@code 404 chat_not_found}), and
 * deleting it does nothing. Answers are written by {@link ChatAnswers}.
 */
@Service
public class ChatService {

    /** Longest title, in characters. */
    public static final int MAX_TITLE_LENGTH = 200;
    /** Longest question or system message, in characters (UTF-16 code units, as Java and JavaScript count). */
    public static final int MAX_CONTENT_LENGTH = 100_000;
    /** Most collections and files one message grounds on, together. */
    public static final int MAX_ATTACHMENTS = 20;
    /** Most images of one question. */
    public static final int MAX_IMAGES = 4;
    /** Longest image given by address (a data URL is bounded by the longest JSON string, 1,000,000 characters). */
    public static final int MAX_IMAGE_ADDRESS_LENGTH = 2_048;
    /** Longest tool call id a tool message names. */
    public static final int MAX_TOOL_CALL_ID_LENGTH = 256;
    /** Most messages in one chat, on all its branches. */
    public static final int MAX_MESSAGES = 1_000;
    /** Longest search, in characters. */
    public static final int MAX_QUERY_LENGTH = 200;

    private static final Logger log = LoggerFactory.getLogger(ChatService.class);

    private final ChatStore store;
    private final CollectionService collections;
    private final FileService files;
    private final TransactionRetry retry;

    ChatService(ChatStore store, CollectionService collections, FileService files, TransactionRetry retry) {
        this.store = store;
        this.collections = collections;
        this.files = files;
        this.retry = retry;
    }

    /**
     * Creates a chat, with its first message when one is given.
     *
     * @param state the caller's effective state
     * @param title its title, or {@code null} for none (empty)
     * @param first its first message, or {@code null}
     * @return the chat with its branch (the first message, or nothing)
     * @throws AtriumException {@code validation_failed} (400) for a title or a message out of bounds,
     *                         {@code collection_not_found} or {@code file_not_found} (404) for an attachment the
     *                         caller may not read, {@code invalid_credentials} (401) when the account was deleted
     *                         meanwhile
     */
    public ChatThread create(EffectiveState state, @Nullable String title, @Nullable NewMessage first) {
        String checkedTitle = title == null ? "" : checkTitle(title);
        NewMessage checked = first == null ? null : check(first);
        UUID owner = state.caller().userId();
        UUID chatId = UUID.randomUUID();
        retry.run("chat.create", () -> {
            lockCaller(state.caller());
            store.insertChat(chatId, owner, checkedTitle);
            if (checked != null) {
                insert(state, chatId, null, checked);
            }
        });
        LogEvents.info(log, "chat.created").addKeyValue("chat_id", chatId).log();
        return thread(owner, chatId);
    }

    /**
     * Lists the caller's chats: pinned first, then the most recently updated first.
     *
     * @param state    the caller's effective state
     * @param archived archived chats only ({@code true}) or the others only ({@code false})
     * @param pinned   pinned chats only, unpinned only, or {@code null} for both
     * @param query    words every chat listed has in its title or in one of its messages (each word as a prefix, so
     *                 that "kiw" finds "kiwi"), or {@code null} for no search
     * @param offset   how many to skip
     * @param limit    page size
     * @return one page
     * @throws AtriumException {@code validation_failed} (400) for a search over {@link #MAX_QUERY_LENGTH} or with a
     *                         NUL or an unpaired surrogate
     */
    @Transactional(readOnly = true)
    public Page<Chat> list(EffectiveState state, boolean archived, @Nullable Boolean pinned, @Nullable String query,
                           int offset, int limit) {
        String terms = null;
        if (query != null && !query.isBlank()) {
            if (query.length() > MAX_QUERY_LENGTH) {
                throw AtriumException.invalidField("q", "must be at most " + MAX_QUERY_LENGTH + " characters");
            }
            UntrustedText.problem(query).ifPresent(problem -> {
                throw AtriumException.invalidField("q", problem);
            });
            terms = store.prefixQuery(query);
            if (terms == null) {
                // Only punctuation: no word to look for, so nothing matches.
                return new Page<>(List.of(), 0, offset, limit);
            }
        }
        UUID owner = state.caller().userId();
        return new Page<>(store.list(owner, archived, pinned, terms, offset, limit),
                store.count(owner, archived, pinned, terms), offset, limit);
    }

    /**
     * Reads a chat with the branch being shown.
     *
     * @throws AtriumException {@code chat_not_found} (404)
     */
    @Transactional(readOnly = true)
    public ChatThread get(EffectiveState state, UUID chatId) {
        return thread(state.caller().userId(), chatId);
    }

    /**
     * Renames, pins or unpins, archives or unarchives a chat. Only a new title moves it in the listing.
     *
     * @return the chat after the change
     * @throws AtriumException {@code chat_not_found} (404), {@code validation_failed} (400) for a title out of bounds
     */
    public Chat update(EffectiveState state, UUID chatId, ChatChanges changes) {
        String title = changes.title() == null ? null : checkTitle(changes.title());
        UUID owner = state.caller().userId();
        Chat changed = retry.execute("chat.update", () -> {
            lockCaller(state.caller());
            Chat chat = store.lock(chatId, owner).orElseThrow(ChatService::chatNotFound);
            store.update(chatId, title == null ? chat.title() : title,
                    changes.pinned() == null ? chat.pinned() : changes.pinned(),
                    changes.archived() == null ? chat.archived() : changes.archived(),
                    title != null && !title.equals(chat.title()));
            return store.find(chatId, owner).orElseThrow(ChatService::chatNotFound);
        });
        LogEvents.info(log, "chat.updated").addKeyValue("chat_id", chatId).log();
        return changed;
    }

    /**
     * Deletes a chat with its messages and their links to collections and files (never the collections or files).
     * Deleting a chat that does not exist, or that is not the caller's, succeeds and changes nothing.
     */
    public void delete(EffectiveState state, UUID chatId) {
        boolean deleted = retry.execute("chat.delete", () -> {
            lockCaller(state.caller());
            return store.delete(chatId, state.caller().userId());
        });
        if (deleted) {
            LogEvents.info(log, "chat.deleted").addKeyValue("chat_id", chatId).log();
        }
    }

    /**
     * Adds a question (or a system message) after a message, and shows its branch. Editing a question is adding the
     * new version with the old one's parent: the two are siblings and the old one stays.
     *
     * @param parentId the message it follows, or {@code null} for a first message
     * @return the message
     * @throws AtriumException {@code chat_not_found} or {@code message_not_found} (404), {@code collection_not_found}
     *                         or {@code file_not_found} (404) for an attachment the caller may not read,
     *                         {@code validation_failed} (400), {@code answer_in_progress} (409) when the parent is
     *                         an answer still being written, {@code chat_full} (409)
     */
    public ChatMessage addMessage(EffectiveState state, UUID chatId, @Nullable UUID parentId, NewMessage message) {
        NewMessage checked = check(message);
        UUID owner = state.caller().userId();
        UUID id = retry.execute("chat.message.add", () -> {
            lockCaller(state.caller());
            Chat chat = store.lock(chatId, owner).orElseThrow(ChatService::chatNotFound);
            requireRoom(chat);
            if (parentId != null) {
                ChatStore.Node parent = store.node(chatId, parentId).orElseThrow(ChatService::messageNotFound);
                if (parent.status() == MessageStatus.IN_PROGRESS) {
                    throw AtriumException.conflict("answer_in_progress", "The message to follow is an answer still"
                            + " being written; wait for it to end or stop it.");
                }
            }
            return insert(state, chatId, parentId, checked);
        });
        return store.message(id).orElseThrow(ChatService::messageNotFound);
    }

    /**
     * Shows another branch: the one through the given message, down to its newest message (at each level the most
     * recently created reply), so that choosing a sibling shows that version and what followed it.
     *
     * @return the chat with its new branch
     * @throws AtriumException {@code chat_not_found} or {@code message_not_found} (404)
     */
    public ChatThread selectBranch(EffectiveState state, UUID chatId, UUID messageId) {
        UUID owner = state.caller().userId();
        retry.run("chat.branch", () -> {
            lockCaller(state.caller());
            store.lock(chatId, owner).orElseThrow(ChatService::chatNotFound);
            Tree tree = new Tree(store.nodes(chatId));
            if (!tree.contains(messageId)) {
                throw messageNotFound();
            }
            store.setTip(chatId, tree.newestLeafUnder(messageId));
        });
        return thread(owner, chatId);
    }

    /**
     * Lists every message of a chat, on every branch, oldest first (each with its parent, to build the tree).
     *
     * @throws AtriumException {@code chat_not_found} (404)
     */
    @Transactional(readOnly = true)
    public Page<ChatMessage> messages(EffectiveState state, UUID chatId, int offset, int limit) {
        Chat chat = store.find(chatId, state.caller().userId()).orElseThrow(ChatService::chatNotFound);
        return new Page<>(store.page(chatId, offset, limit), chat.messageCount(), offset, limit);
    }

    /**
     * Reads one message: for an answer in progress, what has been saved so far (to reattach to it).
     *
     * @throws AtriumException {@code chat_not_found} or {@code message_not_found} (404)
     */
    @Transactional(readOnly = true)
    public ChatMessage message(EffectiveState state, UUID chatId, UUID messageId) {
        store.find(chatId, state.caller().userId()).orElseThrow(ChatService::chatNotFound);
        return store.message(messageId).filter(m -> m.chatId().equals(chatId))
                .orElseThrow(ChatService::messageNotFound);
    }

    /** Inserts a checked message after its attachments are checked; the chat is locked. @return its id */
    private UUID insert(EffectiveState state, UUID chatId, @Nullable UUID parentId, NewMessage message) {
        // Read access to each attachment, with the caller's state of this request (404 as knowledge answers it).
        message.collectionIds().forEach(id -> collections.get(state, id));
        message.fileIds().forEach(id -> files.get(state, id));
        AnswerToolCall answering = message.role() == MessageRole.TOOL
                ? answeredCall(chatId, parentId, java.util.Objects.requireNonNull(message.toolCallId())) : null;
        UUID id = UUID.randomUUID();
        store.insertMessage(id, chatId, parentId, message.role(), message.content(), message.images(), answering);
        store.insertAttachments(id, message.collectionIds(), message.fileIds());
        LogEvents.info(log, "chat.message.added").addKeyValue("chat_id", chatId).addKeyValue("message_id", id)
                .addKeyValue("role", message.role().value())
                .addKeyValue("attachments", message.collectionIds().size() + message.fileIds().size()).log();
        return id;
    }

    /**
     * The call a tool message answers: one the answer it follows made, directly or after other tool results of that
     * answer, not answered yet on this branch. The chat is locked, so the branch cannot change meanwhile.
     */
    private AnswerToolCall answeredCall(UUID chatId, @Nullable UUID parentId, String toolCallId) {
        java.util.Set<String> answered = new java.util.HashSet<>();
        UUID at = parentId;
        while (at != null) {
            ChatStore.ToolStep step = store.toolStep(chatId, at).orElseThrow(ChatService::messageNotFound);
            if (step.role() == MessageRole.TOOL) {
                answered.add(step.toolCallId());
                at = step.parentId();
                continue;
            }
            if (step.role() == MessageRole.ASSISTANT && step.status() == MessageStatus.COMPLETE) {
                for (AnswerToolCall call : step.toolCalls()) {
                    if (call.id().equals(toolCallId)) {
                        if (answered.contains(toolCallId)) {
                            throw AtriumException.invalidField("toolCallId", "is answered already on this branch");
                        }
                        return call;
                    }
                }
            }
            break;
        }
        throw AtriumException.invalidField("toolCallId", "must name a call of the answer this tool message follows"
                + " (directly, or after other results of its calls)");
    }

    /** The chat and its branch, read in one transaction (the caller's, or one of its own). */
    private ChatThread thread(UUID owner, UUID chatId) {
        Chat chat = store.find(chatId, owner).orElseThrow(ChatService::chatNotFound);
        Tree tree = new Tree(store.nodes(chatId));
        List<UUID> branch = tree.branchTo(chat.currentMessageId());
        var byId = new java.util.HashMap<UUID, ChatMessage>();
        store.messages(chatId, branch).forEach(m -> byId.put(m.id(), m));
        return new ChatThread(chat, branch.stream().filter(byId::containsKey)
                .map(id -> new BranchMessage(byId.get(id), tree.siblings(id))).toList());
    }

    /**
     * For {@link AnswerGeneration}: that the caller's chat holds the message, in one statement and no transaction,
     * when the work that comes ahead of the start's locked checks (which check again) refused the answer.
     *
     * @throws AtriumException {@code chat_not_found} or {@code message_not_found} (404)
     */
    void requireMessage(EffectiveState state, UUID chatId, UUID messageId) {
        store.ownedNode(chatId, state.caller().userId(), messageId).orElseThrow(ChatService::messageNotFound);
    }

    /** The first lock of every chat write (an answer's start takes it in its database function). */
    private void lockCaller(Caller caller) {
        if (!store.keyShareUser(caller.userId())) {
            throw accountDeleted();
        }
    }

    /** {@code invalid_credentials} (401): the account of the request was deleted while it ran. */
    static AtriumException accountDeleted() {
        return new AtriumException(HttpStatus.UNAUTHORIZED, "invalid_credentials",
                "The account this request was made with has been deleted.");
    }

    /** Refuses a message beyond {@link #MAX_MESSAGES}. */
    private static void requireRoom(Chat chat) {
        if (chat.messageCount() >= MAX_MESSAGES) {
            throw chatFull();
        }
    }

    /** {@code chat_full} (409): the chat holds {@link #MAX_MESSAGES} messages. */
    static AtriumException chatFull() {
        return AtriumException.conflict("chat_full", "This chat has " + MAX_MESSAGES
                + " messages, the most a chat holds; start a new chat.");
    }

    private static String checkTitle(String title) {
        return UntrustedText.displayName("title", title, MAX_TITLE_LENGTH);
    }

    /** Bounds a message and removes repeated attachments. */
    private static NewMessage check(NewMessage message) {
        if (message.role() == MessageRole.ASSISTANT) {
            throw AtriumException.invalidField("role", "must be user, system or tool; answers are generated");
        }
        if ((message.role() == MessageRole.TOOL) != (message.toolCallId() != null)) {
            throw AtriumException.invalidField("toolCallId", "is given with a tool message, and only with one");
        }
        if (message.toolCallId() != null && (message.toolCallId().isBlank()
                || message.toolCallId().length() > MAX_TOOL_CALL_ID_LENGTH)) {
            throw AtriumException.invalidField("toolCallId", "must be 1 to " + MAX_TOOL_CALL_ID_LENGTH
                    + " characters");
        }
        checkImages(message);
        if (message.content().isBlank()) {
            throw AtriumException.invalidField("content", "must not be blank");
        }
        if (message.content().length() > MAX_CONTENT_LENGTH) {
            throw AtriumException.invalidField("content", "must be at most " + MAX_CONTENT_LENGTH + " characters");
        }
        // Checked here too for callers other than the JSON API (which refuses these while parsing).
        UntrustedText.problem(message.content()).ifPresent(problem -> {
            throw AtriumException.invalidField("content", problem);
        });
        List<UUID> collectionIds = List.copyOf(new LinkedHashSet<>(message.collectionIds()));
        List<UUID> fileIds = List.copyOf(new LinkedHashSet<>(message.fileIds()));
        if (collectionIds.size() + fileIds.size() > MAX_ATTACHMENTS) {
            throw AtriumException.invalidField("collectionIds", "a message grounds on at most " + MAX_ATTACHMENTS
                    + " collections and files together");
        }
        return new NewMessage(message.role(), message.content(), message.images(), message.toolCallId(),
                collectionIds, fileIds);
    }

    private static boolean hasHost(String address) {
        try {
            return new java.net.URI(address).getHost() != null;
        } catch (java.net.URISyntaxException malformed) {
            return false;
        }
    }

    private static final java.util.regex.Pattern IMAGE_DATA = java.util.regex.Pattern.compile(
            "data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}");

    /**
     * Images go with questions only, and are images as every provider kind takes them: a data URL of a PNG, JPEG,
     * GIF or WebP image, or an http(s) address (which the provider fetches, never Atrium).
     */
    private static void checkImages(NewMessage message) {
        if (message.images().isEmpty()) {
            return;
        }
        if (message.role() != MessageRole.USER) {
            throw AtriumException.invalidField("images", "go with a question (a user message) only");
        }
        if (message.images().size() > MAX_IMAGES) {
            throw AtriumException.invalidField("images", "a question has at most " + MAX_IMAGES + " images");
        }
        for (int i = 0; i < message.images().size(); i++) {
            String image = message.images().get(i);
            String lower = image.substring(0, Math.min(image.length(), 16)).toLowerCase(java.util.Locale.ROOT);
            boolean address = lower.startsWith("https://") || lower.startsWith("http://");
            boolean valid = address ? image.length() <= MAX_IMAGE_ADDRESS_LENGTH && hasHost(image)
                    : IMAGE_DATA.matcher(image).matches();
            if (!valid) {
                throw AtriumException.invalidField("images[" + i + "]", "is a data URL of a PNG, JPEG, GIF or WebP"
                        + " image (data:image/png;base64,...) or an http(s) address of at most "
                        + MAX_IMAGE_ADDRESS_LENGTH + " characters");
            }
        }
    }

    static AtriumException chatNotFound() {
        return AtriumException.notFound("chat_not_found", "No such chat.");
    }

    static AtriumException messageNotFound() {
        return AtriumException.notFound("message_not_found", "No such message in this chat.");
    }
}
