package org.atrium.providers;

/** Why the model stopped, in one vocabulary for every provider. */
public enum FinishReason {
    /** It finished its answer or hit a stop sequence. */
    STOP,
    /** It reached the output token limit. */
    LENGTH,
    /** It stopped to let tools run. */
    TOOL_CALLS,
    /** The provider's safety filter stopped or refused it. */
    CONTENT_FILTER,
    /** The provider reports an error as the reason (Gemini's malformed function call, "other"). */
    ERROR
}
