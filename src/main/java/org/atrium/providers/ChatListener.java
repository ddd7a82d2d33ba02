package org.atrium.providers;

/**
 * Receives one streamed answer. Methods are called one at a time from the thread running the call, in stream order: any
 * number of {@link #onText}, {@link #onToolCallDelta} and {@link #onToolCall}, then {@link #onUsage} once, then exactly
 * one of {@link #onComplete} and {@link #onFailure}, also after a cancel. A listener should return quickly (append,
 * hand over); a slow one slows the read of the stream and counts towards the idle timeout. An exception thrown by a
 * listener cancels the call.
 */
public interface ChatListener {

    /** @param delta more text of the answer */
    default void onText(String delta) {
    }

    /** @param delta a piece of a tool call as it streams */
    default void onToolCallDelta(ToolCallDelta delta) {
    }

    /** @param call a tool call, complete */
    default void onToolCall(ToolCall call) {
    }

    /** @param usage the tokens consumed, once, just before {@link #onComplete} (also when estimated) */
    default void onUsage(TokenUsage usage) {
    }

    /** @param result the whole answer; the call is over */
    default void onComplete(ChatResult result) {
    }

    /**
     * The call failed or was cancelled ({@link ProviderFailure#CANCELLED}); it is over. Output already delivered stays
     * valid as a partial answer.
     *
     * @param failure why, with a stable code
     */
    default void onFailure(ProviderFailure failure) {
    }
}
