package org.atrium.chat;

import org.atrium.cache.Broadcasts;
import org.atrium.platform.DrainThread;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One client's view of an answer: what is saved, then live text, then the end. It is subscribed (to this replica's
 * generator, if the answer is generated here, and to the answer's broadcast topic) <em>before</em> it reads the saved
 * text, so nothing falls between the two (the feed of the client that asked for the answer skips that first read: it
 * listens to the generator from before it began). Pieces of text carry their offset: what the client already has is
 * skipped, and a piece beyond it (a batch lost while Redis was down, a full queue) makes it read the database instead.
 * When no piece arrives for the poll interval it reads the database anyway, so the end of an answer is never lost with
 * a broadcast.
 *
 * <p>An idle feed holds no thread ({@link DrainThread}): a virtual thread sends what has arrived and ends when nothing
 * is left, and the next piece (or the poll interval's timer) starts another. A thread parked for each open stream
 * kept its stack, the web server's, the filters' and Spring MVC's frames included: most of an idle stream's heap
 * (docs/benchmarks.md). One thread at a time sends to the client.
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

    /** Runs a short task after a delay (on a timer's thread: it must not block); returns what cancels it. */
    public interface Timer {
        /**
         * @param delay how long from now
         * @param task  what to run
         * @return what cancels the task
         */
        Runnable later(Duration delay, Runnable task);
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
    private final Timer timer;
    private final BlockingQueue<Piece> queue = new LinkedBlockingQueue<>(QUEUE);
    /** Sends what arrived, one thread at a time, a thread only while something is due. */
    private final DrainThread sender = new DrainThread("answer-feed", this::send, this::due);
    private final AtomicBoolean over = new AtomicBoolean();
    /** When the armed poll timer is due (nanoTime), 0 when none is: one at a time, unless the wait became shorter. */
    private final AtomicLong armedFor = new AtomicLong();
    private volatile Runnable disarm = () -> { };
    private volatile boolean overflowed;
    private volatile boolean stopped;
    private Broadcasts.Subscription broadcast = () -> { };
    private Runnable local = () -> { };
    // Set before the first thread starts, then read and written by the thread that holds the sender (one at a time,
    // each after the previous one let go): no lock needed.
    private volatile @Nullable Sink sink;
    private Consumer<@Nullable Exception> done = failure -> { };
    private @Nullable Map<String, String> logContext;
    private int sent;
    private boolean behind;
    /** When the last wait for a piece began: the poll interval counts from here. */
    private long waitingSince;

    /**
     * @param started what the first event says
     * @param read    reads the answer as saved
     * @param poll    how long to wait for a piece before reading the answer anyway
     * @param fresh   whether the feed follows an answer this replica has just started, listening to its generator
     *                since before the generator began: the database has nothing the pieces will not bring, so the
     *                first read is skipped (it would only delay the first token and cost a query per answer)
     * @param timer   wakes the feed when the poll interval has passed without a piece
     */
    AnswerFeed(AnswerEvents.Started started, Supplier<ChatMessage> read, Duration poll, boolean fresh, Timer timer) {
        this.started = started;
        this.announced = started;
        this.read = read;
        this.poll = poll;
        this.fresh = fresh;
        this.timer = timer;
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
        wake();
    }

    /**
     * Ends the stream at its next step, without an end event: this replica is shutting down (the client reattaches
     * elsewhere), or the client went away. Never blocks; the answer is not stopped.
     */
    public void stop() {
        stopped = true;
        queue.offer(Piece.STOP);
        wake();
    }

    /** @return the answer's id */
    public java.util.UUID messageId() {
        return started.messageId();
    }

    /**
     * Streams the answer to the end, or until the client goes away or the feed is {@linkplain #stop() stopped}; then
     * unsubscribes. The first event (and, for a feed that is not fresh, what is saved) is sent on the calling thread
     * before this returns, so that a web response is committed, headers included, by the request's thread; the rest
     * is sent by virtual threads of the feed's own, each started when something arrives.
     *
     * @param sink the client
     * @param done called once when the stream is over, from whichever thread ended it, with the client's failure
     *             ({@link IOException}), another failure, or {@code null} when it ended, or was stopped, without one
     */
    public void stream(Sink sink, Consumer<@Nullable Exception> done) {
        sender.hold(); // nothing wakes the sender before the sink is set
        this.done = done;
        this.logContext = MDC.getCopyOfContextMap();
        this.waitingSince = System.nanoTime();
        this.sink = sink;
        try {
            sink.send(AnswerEvents.ANSWER, started);
            if (!fresh && catchUp(sink, null)) {
                finish(null);
                return;
            }
        } catch (IOException | RuntimeException failure) {
            finish(failure);
            return;
        }
        sender.release();
    }

    /** Starts a thread to send what arrived, unless one is sending (it sees the new piece before it lets go). */
    private void wake() {
        if (sink != null && !over.get()) {
            sender.wake();
        }
    }

    /** Runs on the thread that holds the sender. */
    private void send() {
        if (over.get()) {
            return; // woken as it ended
        }
        if (logContext != null) {
            MDC.setContextMap(logContext);
        }
        try {
            if (sendArrived()) {
                finish(null);
            }
        } catch (IOException | RuntimeException failure) {
            finish(failure);
        }
    }

    /**
     * Asked when the sending thread let go: whether something arrived meanwhile (or the wait is over); if not, arms
     * the timer for the end of the wait.
     *
     * @return whether something is due
     */
    private boolean due() {
        if (over.get()) {
            return false;
        }
        long deadline = waitingSince + waitFor().toNanos();
        long now = System.nanoTime();
        if (stopped || !queue.isEmpty() || now - deadline >= 0) {
            return true;
        }
        // One timer at a time, unless the wait became shorter (a piece beyond what was sent): the earlier one then
        // only wakes the feed for nothing.
        long armed = armedFor.get();
        if ((armed == 0 || deadline - armed < 0) && armedFor.compareAndSet(armed, deadline)) {
            disarm = timer.later(Duration.ofNanos(deadline - now), () -> {
                armedFor.compareAndSet(deadline, 0);
                wake();
            });
        }
        return false;
    }

    private Duration waitFor() {
        return behind || overflowed ? CATCH_UP : poll;
    }

    /**
     * Sends what arrived; when nothing arrived for the wait, what the database has and a comment.
     *
     * @return whether the stream is over
     */
    private boolean sendArrived() throws IOException {
        Sink client = java.util.Objects.requireNonNull(sink);
        while (!stopped) {
            Piece piece = queue.poll();
            if (stopped) {
                return true;
            }
            if (piece == null && System.nanoTime() - waitingSince < waitFor().toNanos()) {
                return false;
            }
            waitingSince = System.nanoTime();
            if (piece == null || piece.text() == null || overflowed) {
                overflowed = false;
                behind = false;
                if (catchUp(client, piece == null ? null : piece.ended())) {
                    return true;
                }
                if (piece == null) {
                    client.keepAlive();
                }
                continue;
            }
            int end = piece.offset() + piece.text().length();
            if (piece.offset() > sent) {
                // Text between what the client has and this piece went missing: the database has it (soon).
                behind = true;
            } else if (end > sent) {
                client.send(AnswerEvents.DELTA, new AnswerEvents.Delta(sent,
                        piece.text().substring(sent - piece.offset())));
                sent = end;
            }
        }
        return true;
    }

    private void finish(@Nullable Exception failure) {
        if (!over.compareAndSet(false, true)) {
            return;
        }
        disarm.run();
        close();
        done.accept(failure);
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
