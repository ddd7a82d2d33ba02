package org.atrium.chat;

import org.atrium.cache.Broadcasts;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One client's view of an answer: what is saved, then live text, then the end. It is subscribed (to this replica's
 * generator, if the answer is generated here, and to the answer's broadcast topic) <em>before</em> it reads the saved
 * text, so nothing falls between the two (the feed of the client that asked for the answer skips that first read: it
 * listens to the generator from before it began). Pieces of text carry their offset: what the client already has is
 * skipped, and a piece beyond it (a batch lost while Redis was down, a full queue) makes it read the database instead.
 * When no piece arrives for the poll interval it reads the database anyway, so the end of an answer is never lost with
 * a broadcast. Not thread-safe: one thread streams it.
 */
public final class AnswerFeed implements AutoCloseable {

    /** Where the events go. */
    public interface Sink {
        /**
         * @param event the event's name ({@link AnswerEvents})
         * @param data  its data, written as JSON
         * @throws IOException when the client went away
         */
        void send(String event, Object data) throws IOException;

        /** Sends a comment, so that a client that went away is noticed. @throws IOException when it went away */
        void keepAlive() throws IOException;
    }

    /**
     * A piece of text at its offset, or a signal (text null): the end (with the ended answer when its generator has
     * it, so that the feed need not read it), or another model answering.
     */
    record Piece(int offset, @Nullable String text, @Nullable ChatMessage ended) {
        static final Piece END = new Piece(-1, null, null);
        /** A fallback model took over (before any text): the database names it. */
        static final Piece MODEL = new Piece(-2, null, null);
        /** Wakes a feed that was told to {@link #stop()}. */
        static final Piece STOP = new Piece(-3, null, null);

        Piece(int offset, String text) {
            this(offset, text, null);
        }

        /** @param ended the answer as its end saved it */
        static Piece end(ChatMessage ended) {
            return new Piece(-1, null, ended);
        }
    }

    /** Pieces queued for a slow client; bounded, and allocated only as they come (an idle feed holds none). */
    private static final int QUEUE = 4_096;
    private static final Duration CATCH_UP = Duration.ofMillis(250);

    private final AnswerEvents.Started started;
    /** What the last {@code answer} event named: the first, or the fallback model that took over since. */
    private AnswerEvents.Started announced;
    private final Supplier<ChatMessage> read;
    private final Duration poll;
    private final boolean fresh;
    private final BlockingQueue<Piece> queue = new LinkedBlockingQueue<>(QUEUE);
    private volatile boolean overflowed;
    private volatile boolean stopped;
    private Broadcasts.Subscription broadcast = () -> { };
    private Runnable local = () -> { };
    private int sent;

    /**
     * @param started what the first event says
     * @param read    reads the answer as saved
     * @param poll    how long to wait for a piece before reading the answer anyway
     * @param fresh   whether the feed follows an answer this replica has just started, listening to its generator
     *                since before the generator began: the database has nothing the pieces will not bring, so the
     *                first read is skipped (it would only delay the first token and cost a query per answer)
     */
    AnswerFeed(AnswerEvents.Started started, Supplier<ChatMessage> read, Duration poll, boolean fresh) {
        this.started = started;
        this.announced = started;
        this.read = read;
        this.poll = poll;
        this.fresh = fresh;
    }

    void subscribed(Broadcasts.Subscription subscription, Runnable localUnsubscribe) {
        this.broadcast = subscription;
        this.local = localUnsubscribe;
    }

    /** Called from the generator's or the transport's thread: never blocks. */
    void offer(Piece piece) {
        if (!queue.offer(piece)) {
            overflowed = true;
        }
    }

    /**
     * Ends {@link #stream} at its next step, without an end event: this replica is shutting down, and the client
     * reattaches elsewhere. Never blocks; the answer is not stopped.
     */
    public void stop() {
        stopped = true;
        queue.offer(Piece.STOP);
    }

    /** @return the answer's id */
    public java.util.UUID messageId() {
        return started.messageId();
    }

    /**
     * Streams the answer to the end, or until the client goes away; then unsubscribes.
     *
     * @param sink the client
     * @throws IOException when the client went away
     * @throws InterruptedException when the thread is interrupted (shutdown)
     */
    public void stream(Sink sink) throws IOException, InterruptedException {
        try {
            sink.send(AnswerEvents.ANSWER, started);
            if (!fresh && catchUp(sink, null)) {
                return;
            }
            boolean behind = false;
            while (!stopped) {
                Piece piece = queue.poll(behind || overflowed ? CATCH_UP.toMillis() : poll.toMillis(),
                        TimeUnit.MILLISECONDS);
                if (stopped) {
                    return;
                }
                if (piece == null || piece.text() == null || overflowed) {
                    overflowed = false;
                    behind = false;
                    if (catchUp(sink, piece == null ? null : piece.ended())) {
                        return;
                    }
                    if (piece == null) {
                        sink.keepAlive();
                    }
                    continue;
                }
                int end = piece.offset() + piece.text().length();
                if (piece.offset() > sent) {
                    // Text between what the client has and this piece went missing: the database has it (soon).
                    behind = true;
                } else if (end > sent) {
                    sink.send(AnswerEvents.DELTA, new AnswerEvents.Delta(sent,
                            piece.text().substring(sent - piece.offset())));
                    sent = end;
                }
            }
        } finally {
            close();
        }
    }

    /**
     * Sends what the database has beyond what was sent, and the end if the answer ended; first, while no text was
     * sent, another {@code answer} event if a fallback model has taken over since the last one.
     *
     * @param ended the answer as its end saved it, or {@code null} to read it
     * @return whether it ended
     */
    private boolean catchUp(Sink sink, @Nullable ChatMessage ended) throws IOException {
        ChatMessage current = ended != null ? ended : read.get();
        AnswerDetails answer = current.answer();
        if (sent == 0 && answer != null && (!answer.model().equals(announced.model())
                || !answer.connection().equals(announced.connection()))) {
            announced = new AnswerEvents.Started(started.chatId(), started.questionId(), started.messageId(),
                    answer.model(), answer.connection());
            sink.send(AnswerEvents.ANSWER, announced);
        }
        String content = current.content();
        if (content.length() > sent) {
            sink.send(AnswerEvents.DELTA, new AnswerEvents.Delta(sent, content.substring(sent)));
            sent = content.length();
        }
        if (current.status() != MessageStatus.IN_PROGRESS) {
            sink.send(AnswerEvents.END, AnswerEvents.End.of(current));
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        local.run();
        broadcast.close();
    }
}
