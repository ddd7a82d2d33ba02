package org.atrium.web;

import io.swagger.v3.oas.annotations.Hidden;
import org.atrium.chat.BranchMessage;
import org.atrium.chat.Chat;
import org.atrium.chat.ChatService;
import org.atrium.chat.ChatThread;
import org.atrium.models.CatalogueModel;
import org.atrium.models.ModelCatalogue;
import org.atrium.platform.AtriumException;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import java.util.List;
import java.util.UUID;

/**
 * The chat page: the caller's chats (pinned, then the most recently active first), the models the caller may use
 * (the same catalogue as {@code GET /api/v1/models}), and the branch of the open chat. Asking and stopping happen in
 * {@code chat.js} through {@code /api/v1/chats}.
 */
@Controller
@Hidden // pages, not API: they stay out of the OpenAPI document
class ChatPages {

    /** Chats listed in the sidebar; search and paging come with a later slice. */
    static final int SIDEBAR_CHATS = 100;

    private final ChatService chats;
    private final ModelCatalogue catalogue;

    ChatPages(ChatService chats, ModelCatalogue catalogue) {
        this.chats = chats;
        this.catalogue = catalogue;
    }

    @GetMapping("/chats")
    String newChat(EffectiveState state, CsrfToken csrf, Model model) {
        return chatView(state, csrf, model, null);
    }

    @GetMapping("/chats/{chatId}")
    String chat(EffectiveState state, @PathVariable UUID chatId, CsrfToken csrf, Model model) {
        ChatThread thread;
        try {
            thread = chats.get(state, chatId);
        } catch (AtriumException missing) {
            if (missing.status() == HttpStatus.NOT_FOUND) {
                return "redirect:/chats";
            }
            throw missing;
        }
        return chatView(state, csrf, model, thread);
    }

    private String chatView(EffectiveState state, CsrfToken csrf, Model model, @Nullable ChatThread thread) {
        List<CatalogueModel> models = catalogue.modelsAndAdditions(state).items();
        List<Chat> listed = chats.list(state, false, null, null, 0, SIDEBAR_CHATS).items();
        model.addAttribute("page", PageContext.of(csrf, state.caller().name()));
        model.addAttribute("chats", listed);
        model.addAttribute("models", models);
        model.addAttribute("selectedModel", lastModel(thread, models));
        model.addAttribute("thread", thread);
        return "chat";
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
