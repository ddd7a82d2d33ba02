package org.atrium.providers.internal;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a stream into events: server-sent events ({@code event:} and {@code data:} lines up to a blank line, several
 * data lines joined, comments skipped, LF, CRLF or CR line ends) or NDJSON (one event per non-blank line). Bounded:
 * a line and an event at most {@link #MAX_LINE} bytes, the stream {@link #MAX_STREAM} bytes and {@link #MAX_EVENTS}
 * events. Not thread-safe.
 */
final class EventReader {

    /** Longest line, and longest event, of a stream. */
    static final int MAX_LINE = 1024 * 1024;
    /** Most bytes of one stream. */
    static final long MAX_STREAM = 32L * 1024 * 1024;
    /** Most events of one stream. */
    static final int MAX_EVENTS = 200_000;

    /** Receives each event. */
    interface Handler {
        /**
         * @param event the SSE event name, null for unnamed events and NDJSON
         * @param data  the event's data
         * @return true to stop reading (the stream's end marker was seen)
         */
        boolean accept(@Nullable String event, String data);
    }

    private final LineReader lines;
    private final boolean ndjson;
    private final Runnable activity;

    /**
     * @param in       the stream
     * @param ndjson   NDJSON rather than SSE
     * @param activity called for every line read, for the idle timeout
     */
    EventReader(InputStream in, boolean ndjson, Runnable activity) {
        this.lines = new LineReader(in, MAX_LINE, MAX_STREAM);
        this.ndjson = ndjson;
        this.activity = activity;
    }

    /**
     * Reads events until the handler stops or the stream ends.
     *
     * @param handler receives each event
     * @return true when the handler stopped, false at the end of the stream
     * @throws LineReader.LimitExceeded when a limit is exceeded
     * @throws IOException              when reading fails
     */
    boolean read(Handler handler) throws IOException {
        StringBuilder data = new StringBuilder();
        String event = null;
        int events = 0;
        String line;
        while ((line = lines.next()) != null) {
            activity.run();
            String dispatch;
            if (ndjson) {
                dispatch = line.isBlank() ? null : line;
            } else if (line.isEmpty()) {
                dispatch = data.isEmpty() ? null : data.toString();
                data.setLength(0);
            } else if (line.startsWith("data:")) {
                data.append(data.isEmpty() ? "" : "\n").append(value(line, 5));
                if (data.length() > MAX_LINE) {
                    throw new LineReader.LimitExceeded("an event of the answer is longer than " + MAX_LINE + " bytes");
                }
                continue;
            } else if (line.startsWith("event:")) {
                event = value(line, 6);
                continue;
            } else {
                // Comments (": keep-alive"), id: and retry: lines mean nothing here.
                continue;
            }
            if (dispatch != null) {
                if (++events > MAX_EVENTS) {
                    throw new LineReader.LimitExceeded("the answer has more than " + MAX_EVENTS + " events");
                }
                if (handler.accept(event, dispatch)) {
                    return true;
                }
            }
            event = null;
        }
        // The last event of a stream that ends without a blank line still counts.
        return !ndjson && !data.isEmpty() && handler.accept(event, data.toString());
    }

    private static String value(String line, int from) {
        return line.startsWith(" ", from) ? line.substring(from + 1) : line.substring(from);
    }
}
