package org.atrium.providers;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A streaming call in progress. Thread-safe. */
public interface ChatHandle {

    /**
     * Stops the call: closes the upstream connection (so the provider stops generating), stops retries, and reports
     * {@link ProviderFailure#CANCELLED} to the listener unless the call had already ended. Idempotent.
     */
    void cancel();

    /** @return completes with the answer, or exceptionally with the {@link ProviderFailure} */
    CompletableFuture<ChatResult> result();

    /**
     * Waits for the end of the call.
     *
     * @param limit the longest wait; the call's own total timeout applies anyway
     * @return the whole answer
     * @throws ProviderFailure when the call failed, was cancelled or did not end within the limit (which cancels it)
     */
    ChatResult await(Duration limit);
}
