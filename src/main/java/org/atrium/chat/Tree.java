package org.atrium.chat;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A chat's messages as a tree, built in memory from their ids and parents (a chat holds at most
 * {@link ChatService#MAX_MESSAGES}): branches, siblings and newest leaves.
 */
final class Tree {

    /** The key of the first messages (those without a parent) among {@link #children}. */
    private static final UUID ROOTS = new UUID(0, 0);

    private final Map<UUID, ChatStore.Node> byId = new HashMap<>();
    private final Map<UUID, List<UUID>> children = new HashMap<>();

    /** @param nodes every message of the chat, oldest first (siblings keep this order) */
    Tree(List<ChatStore.Node> nodes) {
        for (ChatStore.Node node : nodes) {
            byId.put(node.id(), node);
            children.computeIfAbsent(parentKey(node), ignored -> new ArrayList<>()).add(node.id());
        }
    }

    boolean contains(UUID id) {
        return byId.containsKey(id);
    }

    /** @return the messages from the first one to {@code tip}, first message first; empty without a tip */
    List<UUID> branchTo(@Nullable UUID tip) {
        List<UUID> branch = new ArrayList<>();
        for (UUID at = tip; at != null && byId.containsKey(at); at = byId.get(at).parentId()) {
            branch.add(at);
        }
        return branch.reversed();
    }

    /** @return the message's siblings (itself included), oldest first, and its place among them */
    Siblings siblings(UUID id) {
        List<UUID> ids = children.getOrDefault(parentKey(byId.get(id)), List.of(id));
        return new Siblings(ids.indexOf(id), ids.size(), List.copyOf(ids));
    }

    /** @return the end of the branch through {@code id} that takes the newest reply at each level */
    UUID newestLeafUnder(UUID id) {
        UUID at = id;
        for (List<UUID> replies = children.get(at); replies != null; replies = children.get(at)) {
            at = replies.getLast();
        }
        return at;
    }

    private static UUID parentKey(ChatStore.Node node) {
        return node.parentId() == null ? ROOTS : node.parentId();
    }
}
