package org.atrium.providers;

/**
 * A chat call prepared but not started, for a caller whose own thread has nothing else to do while the provider
 * answers (a request of the compatibility APIs): it runs the call itself, with no hand-over to another thread and back.
 * Until {@link #run} ends, {@link #cancel} (from any thread) stops it as it stops a {@link ChatProviders#stream} call.
 */
public interface ChatCall extends ChatHandle {

    /**
     * Runs the call on the calling thread and returns once the listener has had its last event (onComplete or
     * onFailure). It runs once: a second run throws {@link IllegalStateException}. The call's own timeouts bound it;
     * an interrupt of the calling thread is treated as a cancellation and cleared before the listener's last event.
     */
    void run();
}
