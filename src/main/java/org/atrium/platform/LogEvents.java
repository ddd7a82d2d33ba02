package org.atrium.platform;

import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The one way Atrium writes a log line: an event name from a dotted vocabulary ({@code http.request},
 * {@code user.signed_up}, {@code api_key.revoked}) as the message and the {@code event} field, plus key-value fields
 * in snake_case ({@code user_id}, {@code duration_ms}). Request id and user id come from the MDC. Never pass a
 * secret, a password, a token or document content as a field.
 */
public final class LogEvents {

    private LogEvents() {
    }

    /**
     * Starts an INFO event; add fields with {@code addKeyValue} and finish with {@code log()}.
     *
     * @param log   the logger of the class that reports the event
     * @param event the event name
     * @return the builder
     */
    public static LoggingEventBuilder info(Logger log, String event) {
        return log.atInfo().setMessage(event).addKeyValue("event", event);
    }

    /**
     * Starts a WARN event.
     *
     * @param log   the logger of the class that reports the event
     * @param event the event name
     * @return the builder
     */
    public static LoggingEventBuilder warn(Logger log, String event) {
        return log.atWarn().setMessage(event).addKeyValue("event", event);
    }

    /**
     * Starts an ERROR event.
     *
     * @param log   the logger of the class that reports the event
     * @param event the event name
     * @return the builder
     */
    public static LoggingEventBuilder error(Logger log, String event) {
        return log.atError().setMessage(event).addKeyValue("event", event);
    }

    /**
     * Starts a DEBUG event.
     *
     * @param log   the logger of the class that reports the event
     * @param event the event name
     * @return the builder
     */
    public static LoggingEventBuilder debug(Logger log, String event) {
        return log.atDebug().setMessage(event).addKeyValue("event", event);
    }

    /**
     * A duration as a field value in milliseconds with two decimals ({@code duration_ms=3.14}): fine enough for the
     * sub-millisecond steps of a request, short enough to read.
     *
     * @param nanos the duration in nanoseconds, from {@link System#nanoTime()} differences
     * @return the milliseconds
     */
    public static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
