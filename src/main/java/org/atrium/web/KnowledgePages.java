package org.atrium.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.accounts.GroupRole;
import org.atrium.knowledge.Access;
import org.atrium.knowledge.Collection;
import org.atrium.knowledge.CollectionGrant;
import org.atrium.knowledge.CollectionService;
import org.atrium.knowledge.FileService;
import org.atrium.knowledge.Retrieval;
import org.atrium.knowledge.RetrievalQuery;
import org.atrium.knowledge.RetrievalService;
import org.atrium.platform.AtriumException;
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
import java.util.UUID;

/**
 * The knowledge pages: the collections the caller may read (personal, their groups', shared with them) with a form
 * to create one, and one collection's page: its files with their ingestion status, upload, a search box that shows
 * what retrieval finds, sharing with the caller's groups, removal and deletion. Uploads and live progress happen in
 * {@code knowledge.js} through {@code /api/v1/collections/{id}/files} and the caller's event stream; everything else
 * is a plain form posted here and done through the same services as the API, so every rule (who may write, manage,
 * share; every bound on names and queries) is the API's.
 */
@Controller
@Hidden // pages, not API: they stay out of the OpenAPI document
class KnowledgePages {

    /** Collections listed on the knowledge page and files on a collection's page; paging comes later. */
    static final int LISTED = 200;
    private static final String COLLECTION_NOT_FOUND = "collection_not_found";
    /** Files shown per search result, with their best passages. */
    private static final int SEARCH_RESULTS = 10;
    private static final int PASSAGES_PER_FILE = 2;

    private final CollectionService collections;
    private final FileService files;
    private final RetrievalService retrieval;

    KnowledgePages(CollectionService collections, FileService files, RetrievalService retrieval) {
        this.collections = collections;
        this.files = files;
        this.retrieval = retrieval;
    }

    @GetMapping("/knowledge")
    String list(EffectiveState state, CsrfToken csrf, Model model) {
        return listView(state, csrf, model, "", "", null);
    }

    /** Creates a collection, personal or for a group the caller administers; a refusal is shown with its reason. */
    @PostMapping("/knowledge")
    String create(EffectiveState state, @RequestParam(defaultValue = "") String name,
                  @RequestParam(defaultValue = "") String description, @RequestParam(defaultValue = "") String owner,
                  CsrfToken csrf, Model model, HttpServletResponse response) {
        try {
            UUID groupId = owner.isEmpty() ? null : Forms.id(owner, "owner");
            Collection created = collections.create(state, name, description, groupId, null);
            return "redirect:/knowledge/" + created.id();
        } catch (AtriumException refused) {
            response.setStatus(refused.status().value());
            return listView(state, csrf, model, name, description, "The collection was not created: "
                    + Forms.refusal(refused));
        }
    }

    /**
     * A collection's page; {@code q} searches it as retrieval does (hybrid, grouped by file). A search that is refused
     * or fails is told on the page, with the status of the refusal.
     */
    @GetMapping("/knowledge/{collectionId}")
    String collection(EffectiveState state, @PathVariable UUID collectionId,
                      @RequestParam(required = false) @Nullable String q, @RequestParam(defaultValue = "0") int from,
                      CsrfToken csrf, Model model, HttpServletResponse response) {
        return Forms.unlessGone(() -> collectionView(state, collections.get(state, collectionId), q, from, csrf, model,
                response), COLLECTION_NOT_FOUND, "redirect:/knowledge");
    }

    private String collectionView(EffectiveState state, Collection collection, @Nullable String q, int from,
                                  CsrfToken csrf, Model model, HttpServletResponse response) {
        UUID collectionId = collection.id();
        String query = q == null ? "" : q.strip();
        Retrieval found = null;
        if (!query.isEmpty()) {
            try {
                found = retrieval.retrieve(state, new RetrievalQuery(query, List.of(collectionId), SEARCH_RESULTS, 0,
                        RetrievalQuery.Mode.HYBRID, RetrievalQuery.GroupBy.FILE, PASSAGES_PER_FILE, Map.of()));
            } catch (AtriumException refused) {
                // A refused query, or an embedding provider that failed: the page says so and still shows the files.
                response.setStatus(refused.status().value());
                model.addAttribute("error", refused.status() == HttpStatus.BAD_REQUEST
                        ? "The search " + refused.getMessage() + "." : "The search failed: " + refused.getMessage());
            }
        }
        boolean manages = collection.access().includes(Access.MANAGE);
        model.addAttribute("page", PageContext.of(csrf, state.caller()));
        model.addAttribute("collection", collection);
        var listed = files.list(state, collectionId, null, Math.max(0, from), LISTED);
        model.addAttribute("files", listed.items());
        model.addAttribute("filesTotal", listed.total());
        model.addAttribute("from", Math.max(0, from));
        model.addAttribute("listPage", LISTED);
        model.addAttribute("query", query);
        model.addAttribute("found", found);
        model.addAttribute("grants", manages ? collections.grants(state, collectionId) : List.<CollectionGrant>of());
        model.addAttribute("groups", state.groups());
        model.addAttribute("owner", ownerName(state, collection));
        if (!model.containsAttribute("error")) {
            model.addAttribute("error", null); // the template's parameter: nothing went wrong
        }
        return "collection";
    }

    /**
     * One cited passage of a file, with the collections it is found through (those the caller may read) and a link to
     * the file itself: where a citation under an answer leads. A passage that is gone (the file deleted, or no longer
     * readable to the caller) is a 404 page that says so.
     */
    @GetMapping("/knowledge/files/{fileId}/passages/{chunkIndex}")
    String passage(EffectiveState state, @PathVariable UUID fileId, @PathVariable int chunkIndex,
                   @RequestParam(defaultValue = "-1") int start, @RequestParam(defaultValue = "-1") int end,
                   CsrfToken csrf, Model model, HttpServletResponse response) {
        model.addAttribute("page", PageContext.of(csrf, state.caller()));
        try {
            model.addAttribute("passage", files.passage(state, fileId, chunkIndex, start, end));
            model.addAttribute("holders", files.readableCollections(state, fileId, LISTED).stream()
                    .map(id -> collections.get(state, id)).toList());
        } catch (AtriumException missing) {
            if (missing.status() != HttpStatus.NOT_FOUND) {
                throw missing;
            }
            response.setStatus(HttpStatus.NOT_FOUND.value());
            model.addAttribute("passage", null);
            model.addAttribute("holders", List.<Collection>of());
        }
        return "passage";
    }

    /** Takes a file out of the collection; the file itself goes once no collection holds it. */
    @PostMapping("/knowledge/{collectionId}/files/{fileId}/remove")
    String remove(EffectiveState state, @PathVariable UUID collectionId, @PathVariable UUID fileId) {
        return Forms.unlessGone(() -> {
            files.remove(state, collectionId, fileId);
            return "redirect:/knowledge/" + collectionId;
        }, COLLECTION_NOT_FOUND, "redirect:/knowledge");
    }

    @PostMapping("/knowledge/{collectionId}/delete")
    String delete(EffectiveState state, @PathVariable UUID collectionId) {
        return Forms.unlessGone(() -> {
            collections.delete(state, collectionId);
            return "redirect:/knowledge";
        }, COLLECTION_NOT_FOUND, "redirect:/knowledge");
    }

    /** Gives one of the caller's groups read or write access. */
    @PostMapping("/knowledge/{collectionId}/share")
    String share(EffectiveState state, @PathVariable UUID collectionId, @RequestParam(defaultValue = "") String group,
                 @RequestParam(defaultValue = "read") String access) {
        UUID groupId = Forms.id(group, "group");
        Access level = switch (access) {
            case "read" -> Access.READ;
            case "write" -> Access.WRITE;
            default -> throw AtriumException.invalidField("access", "must be read or write");
        };
        return Forms.unlessGone(() -> {
            collections.grant(state, collectionId, new CollectionGrant(null, groupId, level));
            return "redirect:/knowledge/" + collectionId;
        }, COLLECTION_NOT_FOUND, "redirect:/knowledge");
    }

    /** Takes a grant back, from a group or from a user. */
    @PostMapping("/knowledge/{collectionId}/unshare")
    String unshare(EffectiveState state, @PathVariable UUID collectionId,
                   @RequestParam(defaultValue = "") String group, @RequestParam(defaultValue = "") String user) {
        UUID groupId = group.isEmpty() ? null : Forms.id(group, "group");
        UUID userId = user.isEmpty() ? null : Forms.id(user, "user");
        return Forms.unlessGone(() -> {
            collections.revoke(state, collectionId, userId, groupId);
            return "redirect:/knowledge/" + collectionId;
        }, COLLECTION_NOT_FOUND, "redirect:/knowledge");
    }

    private String listView(EffectiveState state, CsrfToken csrf, Model model, String name, String description,
                            @Nullable String error) {
        model.addAttribute("page", PageContext.of(csrf, state.caller()));
        model.addAttribute("collections", collections.list(state, 0, LISTED).items());
        model.addAttribute("adminOf", state.caller().isAdmin() ? state.groups()
                : state.groups().stream().filter(m -> m.role() == GroupRole.ADMIN).toList());
        model.addAttribute("name", name);
        model.addAttribute("description", description);
        model.addAttribute("error", error);
        return "knowledge";
    }

    /** Who owns a collection, in words: "you", "group Research", or "someone else" (a user who shared it). */
    private static String ownerName(EffectiveState state, Collection collection) {
        if (collection.ownerGroupId() != null) {
            return state.groups().stream().filter(m -> m.groupId().equals(collection.ownerGroupId()))
                    .map(m -> "group " + m.groupName()).findFirst().orElse("a group");
        }
        return state.caller().userId().equals(collection.ownerUserId()) ? "you" : "someone else";
    }
}
