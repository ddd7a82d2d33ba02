package org.atrium.chat.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.atrium.chat.AnswerGeneration;
import org.atrium.chat.Chat;
import org.atrium.chat.ChatChanges;
import org.atrium.chat.ChatMessage;
import org.atrium.chat.ChatService;
import org.atrium.chat.ChatThread;
import org.atrium.chat.MessageRole;
import org.atrium.chat.NewMessage;
import org.atrium.platform.Page;
import org.atrium.platform.SafeDisplayName;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;

/** Chats of the caller and their messages. */
@RestController
@RequestMapping("/api/v1/chats")
@Tag(name = "Chats", description = "The caller's chats: messages in a tree of branches (edited questions and"
        + " regenerated answers are siblings), the branch shown, search. A chat is its owner's alone.")
class ChatController {

    private static final String NOT_FOUND = "`chat_not_found`: no such chat, or not yours";
    private static final String ATTACHMENTS_NOT_FOUND = "`collection_not_found`: an attached collection does not"
            + " exist or the caller may not read it; `file_not_found`: likewise for an attached file";
    private static final String EXAMPLE_ID = "5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a4b";

    private final ChatService chats;
    private final AnswerGeneration generation;

    ChatController(ChatService chats, AnswerGeneration generation) {
        this.chats = chats;
        this.generation = generation;
    }

    @Schema(description = "A message the caller writes.")
    record MessageBody(
            @Schema(example = "Which rooms require lab coats?") @NotBlank
            @Size(max = ChatService.MAX_CONTENT_LENGTH) String content,
            @Schema(description = "`user` (a question, the default), `system` (instructions for the model) or, when"
                    + " adding a message, `tool` (a tool's result, with `toolCallId`).",
                    example = "user", nullable = true) @Nullable MessageRole role,
            @ArraySchema(arraySchema = @Schema(description = "A question's images: data URLs of PNG, JPEG, GIF or"
                    + " WebP images (`data:image/png;base64,...`, each at most 1,000,000 characters) or http(s)"
                    + " addresses the provider fetches (at most 2,048 characters); at most 4.", nullable = true),
                    schema = @Schema(example = "https://intranet.example.org/rooms/b1.png"))
            @Nullable @Size(max = ChatService.MAX_IMAGES) List<@NotNull String> images,
            @Schema(description = "A `tool` message's call: the `id` of a tool call of the answer it follows"
                    + " (directly, or after the results of that answer's other calls).", example = "call_7Hq2",
                    nullable = true)
            @Nullable @Size(min = 1, max = ChatService.MAX_TOOL_CALL_ID_LENGTH) String toolCallId,
            @ArraySchema(arraySchema = @Schema(description = "Collections the message grounds on; the caller must"
                    + " be able to read each. Links only: the chat never owns them.", nullable = true),
                    schema = @Schema(example = EXAMPLE_ID))
            @Nullable @Size(max = ChatService.MAX_ATTACHMENTS) List<@NotNull UUID> collectionIds,
            @ArraySchema(arraySchema = @Schema(description = "Files the message grounds on; the caller must be able"
                    + " to read each. At most 20 collections and files together.", nullable = true),
                    schema = @Schema(example = "7c2d3e4f-5a60-4b71-8c82-9d8e7f6a5b4c"))
            @Nullable @Size(max = ChatService.MAX_ATTACHMENTS) List<@NotNull UUID> fileIds) {

        NewMessage toMessage() {
            return new NewMessage(role == null ? MessageRole.USER : role, content,
                    images == null ? List.of() : images, toolCallId,
                    collectionIds == null ? List.of() : collectionIds, fileIds == null ? List.of() : fileIds);
        }
    }

    @Schema(description = "A new chat.")
    record CreateChatRequest(
            @Schema(description = "Its title; omitted: none (empty) until renamed.", example = "Lab safety",
                    nullable = true)
            @Nullable @Size(max = ChatService.MAX_TITLE_LENGTH) @SafeDisplayName String title,
            @Schema(description = "Its first message; omitted: an empty chat.", nullable = true,
                    example = "{\"content\": \"Which rooms require lab coats?\"}")
            @Nullable @Valid MessageBody message) {
    }

    @Schema(description = "Changes to a chat; omitted fields keep their value.")
    record UpdateChatRequest(
            @Schema(description = "A new title (empty for none).", example = "Lab safety, 2027", nullable = true)
            @Nullable @Size(max = ChatService.MAX_TITLE_LENGTH) @SafeDisplayName String title,
            @Schema(description = "Pin (listed first) or unpin.", example = "true", nullable = true)
            @Nullable Boolean pinned,
            @Schema(description = "Archive (listed only with `archived=true`) or unarchive.", example = "false",
                    nullable = true) @Nullable Boolean archived) {
    }

    @Schema(description = "A message to add after another.")
    record AddMessageRequest(
            @Schema(description = "The message it follows (the chat's current tip, to continue; the parent of a"
                    + " question, to edit that question as a new version); omitted: a new first message.",
                    example = EXAMPLE_ID, nullable = true) @Nullable UUID parentId,
            @Schema(example = "And which ones require goggles?") @NotBlank
            @Size(max = ChatService.MAX_CONTENT_LENGTH) String content,
            @Schema(description = "`user` (the default), `system`, or `tool`: a tool's result, after the answer that"
                    + " called it (or after the results of its other calls), naming the call in `toolCallId`.",
                    example = "user", nullable = true)
            @Nullable MessageRole role,
            @ArraySchema(arraySchema = @Schema(description = "A question's images: data URLs of PNG, JPEG, GIF or"
                    + " WebP images or http(s) addresses; at most 4.", nullable = true),
                    schema = @Schema(example = "https://intranet.example.org/rooms/b1.png"))
            @Nullable @Size(max = ChatService.MAX_IMAGES) List<@NotNull String> images,
            @Schema(description = "A `tool` message's call: the `id` of a tool call of the answer it follows.",
                    example = "call_7Hq2", nullable = true)
            @Nullable @Size(min = 1, max = ChatService.MAX_TOOL_CALL_ID_LENGTH) String toolCallId,
            @ArraySchema(arraySchema = @Schema(description = "Collections it grounds on (readable by the caller).",
                    nullable = true), schema = @Schema(example = EXAMPLE_ID))
            @Nullable @Size(max = ChatService.MAX_ATTACHMENTS) List<@NotNull UUID> collectionIds,
            @ArraySchema(arraySchema = @Schema(description = "Files it grounds on (readable by the caller).",
                    nullable = true), schema = @Schema(example = "7c2d3e4f-5a60-4b71-8c82-9d8e7f6a5b4c"))
            @Nullable @Size(max = ChatService.MAX_ATTACHMENTS) List<@NotNull UUID> fileIds) {
    }

    @Schema(description = "The branch to show.")
    record SelectBranchRequest(
            @Schema(description = "A message of the chat: the branch through it is shown, down to its newest"
                    + " reply at each level.", example = EXAMPLE_ID) @NotNull UUID messageId) {
    }

    @PostMapping
    @Operation(summary = "Create a chat", description = "Creates a chat of the caller's, with its first message"
            + " when one is given. The answer shows the chat with its branch (that message, or none).")
    @ApiResponse(responseCode = "201", description = "The chat with its branch.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: the title or the message is out of"
            + " bounds (docs/limits.md), the content is blank, or the role is `assistant`.")
    @ApiResponse(responseCode = "404", description = ATTACHMENTS_NOT_FOUND + ".")
    ResponseEntity<ChatThread> create(EffectiveState state, @Valid @RequestBody CreateChatRequest body) {
        ChatThread created = chats.create(state, body.title(),
                body.message() == null ? null : body.message().toMessage());
        return ResponseEntity.status(HttpStatus.CREATED).body(created);
    }

    @GetMapping
    @Operation(summary = "List chats", description = "The caller's chats: pinned first, then the most recently"
            + " updated first (a new message, an answer or a new title updates a chat; pinning, archiving and"
            + " choosing a branch do not). With `q`, only chats whose title or one of whose messages has every word"
            + " of it, each word as a prefix (`kiw` finds `kiwi`).")
    @ApiResponse(responseCode = "200", description = "One page of chats.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset`, `limit` or `q` is out of"
            + " range; `invalid_parameter`: `archived` or `pinned` is not `true` or `false`.")
    Page<Chat> list(EffectiveState state,
                    @Parameter(description = "`false` (default): chats not archived; `true`: archived chats only.",
                            example = "false")
                    @RequestParam(defaultValue = "false") boolean archived,
                    @Parameter(description = "`true`: pinned chats only; `false`: unpinned only; omitted: both.",
                            example = "true")
                    @RequestParam(required = false) @Nullable Boolean pinned,
                    @Parameter(description = "Words to search titles and messages for, at most 200 characters.",
                            example = "lab coat")
                    @RequestParam(required = false) @Nullable @Size(max = ChatService.MAX_QUERY_LENGTH) String q,
                    @Parameter(description = "How many chats to skip.", example = "0")
                    @RequestParam(defaultValue = "0") @Min(0) int offset,
                    @Parameter(description = "Page size, 1 to 200.", example = "50")
                    @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return chats.list(state, archived, pinned, q, offset, limit);
    }

    @GetMapping("/{chatId}")
    @Operation(summary = "Read a chat", description = "The chat with the branch being shown, first message first:"
            + " each message with its siblings (the other versions with the same parent, oldest first: `index` of"
            + " `count`, and their `ids` to switch with `PUT .../branch`). Every message of every branch:"
            + " `GET .../messages`.")
    @ApiResponse(responseCode = "200", description = "The chat and its branch.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + ".")
    ChatThread get(EffectiveState state, @Parameter(description = "The chat's id.") @PathVariable UUID chatId) {
        return chats.get(state, chatId);
    }

    @PatchMapping("/{chatId}")
    @Operation(summary = "Change a chat", description = "Renames, pins or unpins, archives or unarchives it.")
    @ApiResponse(responseCode = "200", description = "The chat after the change.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: the title is too long or has control"
            + " or bidirectional override characters.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + ".")
    Chat update(EffectiveState state, @Parameter(description = "The chat's id.") @PathVariable UUID chatId,
                @Valid @RequestBody UpdateChatRequest body) {
        return chats.update(state, chatId, new ChatChanges(body.title(), body.pinned(), body.archived()));
    }

    @DeleteMapping("/{chatId}")
    @Operation(summary = "Delete a chat", description = "Deletes the chat, its messages and their links to"
            + " collections and files (never the collections or files). Deleting a chat that does not exist, or is"
            + " not the caller's, succeeds and changes nothing.")
    @ApiResponse(responseCode = "204", description = "It is gone (or was never the caller's).")
    @ApiResponse(responseCode = "401", description = "`invalid_credentials`: the caller's account was deleted"
            + " meanwhile.")
    ResponseEntity<Void> delete(EffectiveState state,
                                @Parameter(description = "The chat's id.") @PathVariable UUID chatId) {
        chats.delete(state, chatId);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{chatId}/messages")
    @Operation(summary = "Add a message", description = "Adds a question (or a system message) after `parentId`"
            + " and shows its branch. To edit a question, add the new version with the old one's `parentId`: both"
            + " stay, as siblings.")
    @ApiResponse(responseCode = "201", description = "The message.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: the content is blank or too long, too"
            + " many attachments, the role is `assistant`, an image is not a PNG, JPEG, GIF or WebP data URL nor an"
            + " http(s) address (or is given with a message other than a question), `toolCallId` is missing from a"
            + " tool message (or given with another), or names no unanswered call of the answer it follows.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + "; `message_not_found`: `parentId` is not a"
            + " message of this chat; " + ATTACHMENTS_NOT_FOUND + ".")
    @ApiResponse(responseCode = "409", description = "`answer_in_progress`: the parent is an answer still being"
            + " written; `chat_full`: the chat holds the most messages a chat may (docs/limits.md).")
    ResponseEntity<ChatMessage> addMessage(EffectiveState state,
                                           @Parameter(description = "The chat's id.") @PathVariable UUID chatId,
                                           @Valid @RequestBody AddMessageRequest body) {
        ChatMessage added = chats.addMessage(state, chatId, body.parentId(),
                new MessageBody(body.content(), body.role(), body.images(), body.toolCallId(), body.collectionIds(),
                        body.fileIds()).toMessage());
        return ResponseEntity.status(HttpStatus.CREATED).body(added);
    }

    @GetMapping("/{chatId}/messages")
    @Operation(summary = "List a chat's messages", description = "Every message of every branch, oldest first,"
            + " each with its `parentId`: the whole tree, one page at a time.")
    @ApiResponse(responseCode = "200", description = "One page of messages.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `offset` or `limit` is out of range.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + ".")
    Page<ChatMessage> messages(EffectiveState state,
                               @Parameter(description = "The chat's id.") @PathVariable UUID chatId,
                               @Parameter(description = "How many messages to skip.", example = "0")
                               @RequestParam(defaultValue = "0") @Min(0) int offset,
                               @Parameter(description = "Page size, 1 to 200.", example = "50")
                               @RequestParam(defaultValue = "50") @Min(1) @Max(Page.MAX_LIMIT) int limit) {
        return chats.messages(state, chatId, offset, limit);
    }

    @GetMapping("/{chatId}/messages/{messageId}")
    @Operation(summary = "Read a message", description = "One message; for an answer still being written"
            + " (`in_progress`), what has been saved so far. An answer whose generator died (not saved for"
            + " `atrium.chat.generation.interrupted-after`) is ended as `failed` (`answer_interrupted`) first.")
    @ApiResponse(responseCode = "200", description = "The message.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + "; `message_not_found`: not a message of this"
            + " chat.")
    ChatMessage message(EffectiveState state, @Parameter(description = "The chat's id.") @PathVariable UUID chatId,
                        @Parameter(description = "The message's id.") @PathVariable UUID messageId) {
        return generation.checked(chats.message(state, chatId, messageId));
    }

    @PutMapping("/{chatId}/branch")
    @Operation(summary = "Show another branch", description = "Shows the branch through `messageId` (a sibling"
            + " from `siblings.ids`, say), down to the newest reply at each level; the chat remembers it.")
    @ApiResponse(responseCode = "200", description = "The chat with the branch now shown.")
    @ApiResponse(responseCode = "400", description = "`validation_failed`: `messageId` is missing.")
    @ApiResponse(responseCode = "404", description = NOT_FOUND + "; `message_not_found`: not a message of this"
            + " chat.")
    ChatThread selectBranch(EffectiveState state, @Parameter(description = "The chat's id.") @PathVariable UUID chatId,
                            @Valid @RequestBody SelectBranchRequest body) {
        return chats.selectBranch(state, chatId, body.messageId());
    }
}
