package org.atrium.settings;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * A kind of live event that other modules add to the caller's event stream ({@code /api/v1/events}), for example
 * ingestion progress. The stream opens every source when it starts and closes them when it ends.
 */
public interface LiveEventSource {

    /**
     * Starts sending the caller's events.
     *
     * @param current the caller's state as of now, re-resolved on each call (a cache hit in the common case); empty
     *                once the stream's credential or authorisation is no longer what it was opened with, in which
     *                case nothing may be sent
     * @param sink    where to send events; thread-safe
     * @return a handle that stops the events
     */
    Subscription open(Supplier<Optional<EffectiveState>> current, Sink sink);

    /** Receives a source's events. */
    interface Sink {
        /**
         * @param name the event name, for example {@code file.status}
         * @param data its JSON-serialisable payload
         */
        void send(String name, Object data);
    }

    /** Stops a source's events. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
