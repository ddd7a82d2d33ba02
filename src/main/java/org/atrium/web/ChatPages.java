package org.atrium.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.accounts.Permission;
import org.atrium.chat.BranchMessage;
import org.atrium.chat.Chat;
import org.atrium.chat.ChatChanges;
import org.atrium.chat.ChatService;
import org.atrium.chat.ChatThread;
import org.atrium.chat.Citation;
import org.atrium.knowledge.CollectionService;
import org.atrium.knowledge.FileService;
import org.atrium.models.CatalogueModel;
import org.atrium.models.ModelCatalogue;
import org.atrium.platform.AtriumException;
import org.atrium.platform.Page;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The chat page: the caller's chats (pinned, then the most recently active first), the models the caller may use
 * (the same catalogue as {@code GET /api/v1/models}), the collections a question may be grounded on, and the branch
 * of the open chat with each answer's sources. Asking and stopping happen in
 * {@code chat.js} through {@code /api/v1/chats}; pinning, renaming, archiving and deleting a chat are plain forms of
 * the sidebar, posted here (they work without scripts) and done through the same {@link ChatService} as the API.
 */
@Controller
@Hidden // pages, not API: they stay out of the OpenAPI document
class ChatPages {

    /** Chats listed in the sidebar; paging comes with a later slice. */
    static final int SIDEBAR_CHATS = 100;
    private static final String CHAT_NOT_FOUND = "chat_not_found";

    private final ChatService chats;
    private final ModelCatalogue catalogue;
    private final CollectionService collections;
    private final FileService files;

    ChatPages(ChatService chats, ModelCatalogue catalogue, CollectionService collections, FileService files) {
        this.chats = chats;
        this.catalogue = catalogue;
        this.collections = collections;
        this.files = files;
    }

    /**
     * A new chat, with the chat list as asked: {@code q} searches titles and messages ({@code GET /api/v1/chats}'s
     * search), {@code archived} lists the archived chats instead, {@code from} skips that many (the list's pages). A
     * search the service refuses is shown as a 400 page with its reason and the whole list.
     */
    @GetMapping("/chats")
    String newChat(EffectiveState state, @RequestParam(required = false) @Nullable String q,
                   @RequestParam(defaultValue = "false") boolean archived, @RequestParam(defaultValue = "0") int from,
                   CsrfToken csrf, Model model, HttpServletResponse response) {
        return chatView(state, csrf, model, null, new Listing(q == null || q.isBlank() ? null : q.strip(), archived,
                Math.max(0, from)), response);
    }

    @GetMapping("/chats/{chatId}")
    String chat(EffectiveState state, @PathVariable UUID chatId, CsrfToken csrf, Model model,
                HttpServletResponse response) {
        return Forms.unlessGone(() -> chatView(state, csrf, model, chats.get(state, chatId), Listing.ALL, response),
                CHAT_NOT_FOUND, "redirect:/chats");
    }

    @PostMapping("/chats/{chatId}/pinned")
    String pin(EffectiveState state, @PathVariable UUID chatId, @RequestParam boolean pinned) {
        return Forms.unlessGone(() -> {
            chats.update(state, chatId, new ChatChanges(null, pinned, null));
            return "redirect:/chats/" + chatId;
        }, CHAT_NOT_FOUND, "redirect:/chats");
    }

    /**
     * Renames a chat. The list's form asks for a title (an empty one, which the API takes as "untitled", is refused
     * here); a title the service refuses is shown as a 400 page with its reason.
     */
    @PostMapping("/chats/{chatId}/title")
    String rename(EffectiveState state, @PathVariable UUID chatId, @RequestParam(defaultValue = "") String title,
                  CsrfToken csrf, Model model, HttpServletResponse response) {
        try {
            if (title.isBlank()) {
                throw AtriumException.invalidField("title", "must not be empty");
            }
            return Forms.unlessGone(() -> {
                chats.update(state, chatId, new ChatChanges(title, null, null));
                return "redirect:/chats/" + chatId;
            }, CHAT_NOT_FOUND, "redirect:/chats");
        } catch (AtriumException refused) {
            if (refused.status() != HttpStatus.BAD_REQUEST) {
                throw refused;
            }
            response.setStatus(refused.status().value());
            model.addAttribute("error", "The title " + refused.getMessage() + ".");
            return chat(state, chatId, csrf, model, response);
        }
    }

    @PostMapping("/chats/{chatId}/archive")
    String archive(EffectiveState state, @PathVariable UUID chatId,
                   @RequestParam(defaultValue = "true") boolean archived) {
        return Forms.unlessGone(() -> {
            chats.update(state, chatId, new ChatChanges(null, null, archived));
            return archived ? "redirect:/chats" : "redirect:/chats/" + chatId;
        }, CHAT_NOT_FOUND, "redirect:/chats");
    }

    @PostMapping("/chats/{chatId}/delete")
    String delete(EffectiveState state, @PathVariable UUID chatId) {
        return Forms.unlessGone(() -> {
            chats.delete(state, chatId);
            return "redirect:/chats";
        }, CHAT_NOT_FOUND, "redirect:/chats");
    }

    /**
     * Which chats the sidebar lists: those matching a search, or the archived ones, or (the default) all others; from
     * the {@code from}th on, {@link #SIDEBAR_CHATS} at a time.
     */
    private record Listing(@Nullable String query, boolean archived, int from) {
        static final Listing ALL = new Listing(null, false, 0);
    }

    private String chatView(EffectiveState state, CsrfToken csrf, Model model, @Nullable ChatThread thread,
                            Listing listing, HttpServletResponse response) {
        List<CatalogueModel> models = catalogue.modelsAndAdditions(state).items();
        Page<Chat> listed;
        try {
            listed = chats.list(state, listing.archived(), null, listing.query(), listing.from(), SIDEBAR_CHATS);
        } catch (AtriumException refused) {
            if (listing.query() == null || refused.status() != HttpStatus.BAD_REQUEST) {
                throw refused;
            }
            response.setStatus(refused.status().value());
            model.addAttribute("error", "The search " + refused.getMessage() + ".");
            listing = new Listing(null, listing.archived(), 0);
            listed = chats.list(state, listing.archived(), null, null, 0, SIDEBAR_CHATS);
        }
        model.addAttribute("query", listing.query());
        model.addAttribute("archived", listing.archived());
        model.addAttribute("page", PageContext.of(csrf, state.caller()));
        model.addAttribute("chats", listed.items());
        model.addAttribute("from", listing.from());
        model.addAttribute("chatsTotal", listed.total());
        model.addAttribute("listPage", SIDEBAR_CHATS);
        model.addAttribute("models", models);
        model.addAttribute("selectedModel", lastModel(thread, models));
        model.addAttribute("thread", thread);
        model.addAttribute("collections", collections.list(state, 0, KnowledgePages.LISTED).items());
        model.addAttribute("fileNames", fileNames(state, thread));
        model.addAttribute("mayUpload", state.caller().holds(Permission.UPLOAD_FILES));
        if (!model.containsAttribute("error")) {
            model.addAttribute("error", null); // the template's parameter: nothing went wrong
        }
        return "chat";
    }

    /**
     * The names of the files the branch's questions attach and its answers cite, as the caller may read them now
     * (deleted ones left out).
     */
    private Map<UUID, String> fileNames(EffectiveState state, @Nullable ChatThread thread) {
        if (thread == null) {
            return Map.of();
        }
        Stream<UUID> cited = thread.messages().stream().map(shown -> shown.message().answer())
                .filter(Objects::nonNull).flatMap(answer -> answer.citations().stream()).map(Citation::fileId);
        Stream<UUID> attached = thread.messages().stream().flatMap(shown -> shown.message().fileIds().stream());
        return files.names(state, Stream.concat(attached, cited).toList());
    }

    /** The model of the branch's last answer while the caller may still use it, else the first of the catalogue. */
    private static @Nullable String lastModel(@Nullable ChatThread thread, List<CatalogueModel> models) {
        if (thread != null) {
            for (BranchMessage shown : thread.messages().reversed()) {
                var answer = shown.message().answer();
                if (answer != null && models.stream().anyMatch(m -> m.id().equals(answer.model()))) {
                    return answer.model();
                }
            }
        }
        return models.isEmpty() ? null : models.getFirst().id();
    }
}
