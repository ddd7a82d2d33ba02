package org.atrium.chat;

import org.atrium.settings.EffectiveCredential;
import org.atrium.settings.EffectiveState;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.UUID;

/**
 * One call to a model, as recorded for usage reports and the tokens-per-day quota: who made it, which group pays for
 * it, which model on which connection, how many tokens and how it ended.
 *
 * <p>Usage is charged to <em>one</em> group, so that totals by group add up to the instance's total: the group whose
 * credential paid for the call when the connection's credential came from a group (its API key or virtual key),
 * otherwise the caller's highest-priority group, or no group at all for a caller in none.
 * {@link #chargedGroup(EffectiveState, String)} applies that rule; a group admin's report shows what was charged to
 * their group.
 *
 * @param userId       the caller
 * @param groupId      the group charged, or {@code null} for none
 * @param model        the model's id as the provider knows it, for example {@code gpt-4o}
 * @param connection   the provider connection's name, for example {@code openai}
 * @param inputTokens  prompt tokens (at least 0)
 * @param outputTokens completion tokens (at least 0)
 * @param estimated    whether the counts were estimated with a tokenizer because the provider sent none
 * @param outcome      how the call ended
 * @param at           when it ended; the hour it falls in is where it is counted
 */
public record UsageEvent(UUID userId, @Nullable UUID groupId, String model, String connection, long inputTokens,
                         long outputTokens, boolean estimated, Outcome outcome, Instant at) {

    /** Longest model id and connection name kept; longer ones are cut (they come from configuration and providers). */
    public static final int MAX_NAME = 200;

    /** How a call ended. */
    public enum Outcome {
        /** The answer was complete. */
        COMPLETE,
        /** The user stopped it; what was generated counts. */
        STOPPED,
        /** The provider or Atrium failed; tokens already spent still count. */
        FAILED
    }

    /** Checks the counts and bounds the names. */
    public UsageEvent {
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
        model = bounded(model);
        connection = bounded(connection);
    }

    /** @return input and output tokens together, what the tokens-per-day quota counts */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /**
     * The group a call by this caller on this connection is charged to (see the type's description).
     *
     * @param state      the caller's effective state
     * @param connection the connection the call used
     * @return the group, or {@code null} when the caller belongs to no group
     */
    public static @Nullable UUID chargedGroup(EffectiveState state, String connection) {
        for (EffectiveCredential credential : state.credentials()) {
            if (credential.connection().equals(connection) && credential.source().startsWith("group:")) {
                return UUID.fromString(credential.source().substring("group:".length()));
            }
        }
        return state.groups().isEmpty() ? null : state.groups().getFirst().groupId();
    }

    private static String bounded(String name) {
        if (name.length() <= MAX_NAME) {
            return name;
        }
        // Never inside a surrogate pair.
        int end = Character.isHighSurrogate(name.charAt(MAX_NAME - 1)) ? MAX_NAME - 1 : MAX_NAME;
        return name.substring(0, end);
    }
}
