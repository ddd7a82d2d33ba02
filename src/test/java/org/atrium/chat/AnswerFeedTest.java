package org.atrium.chat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** How a client's feed merges saved text, live pieces by offset, and the database when pieces go missing. */
class AnswerFeedTest {

    private static final UUID ID = UUID.randomUUID();

    private static ChatMessage answer(String content, MessageStatus status) {
        return answer("c/m", content, status);
    }

    private static ChatMessage answer(String model, String content, MessageStatus status) {
        return new ChatMessage(ID, UUID.randomUUID(), UUID.randomUUID(), MessageRole.ASSISTANT, content, List.of(),
                null, null, List.of(), List.of(), status, new AnswerDetails(model,
                model.substring(0, model.indexOf('/')), Map.of(), List.of(), null, null, null, null, null, null,
                List.of()), Instant.now(), Instant.now());
    }

    @Test
    void aFallbackModelIsAnnouncedOnceBeforeItsTextEvenWhenItsSignalWasLost() throws Exception {
        // The switch is in the database; its broadcast never came: the feed's next read of the answer finds it.
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("b/backup", "",
                MessageStatus.IN_PROGRESS));
        AnswerFeed feed = feed(database, Duration.ofMillis(50));
        feed.offer(AnswerFeed.Piece.MODEL);
        feed.offer(AnswerFeed.Piece.MODEL);
        database.set(answer("b/backup", "From the backup.", MessageStatus.COMPLETE));
        feed.offer(AnswerFeed.Piece.END);
        Recorder client = new Recorder();
        stream(feed, client);

        assertThat(client.sent.stream().map(Sent::event).toList()).containsExactly(AnswerEvents.ANSWER,
                AnswerEvents.ANSWER, AnswerEvents.DELTA, AnswerEvents.END);
        assertThat(((AnswerEvents.Started) client.sent.get(0).data()).model()).isEqualTo("c/m");
        AnswerEvents.Started second = (AnswerEvents.Started) client.sent.get(1).data();
        assertThat(second.model()).isEqualTo("b/backup");
        assertThat(second.connection()).isEqualTo("b");
        assertThat(second.messageId()).isEqualTo(ID);
        assertThat(client.text()).isEqualTo("From the backup.");
    }

    private record Sent(String event, Object data) {
    }

    private static class Recorder implements AnswerFeed.Sink {
        final List<Sent> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile int keepAlives;

        @Override
        public void send(String event, Object data) throws IOException {
            sent.add(new Sent(event, data));
        }

        @Override
        public void keepAlive() {
            keepAlives++;
        }

        String text() {
            StringBuilder text = new StringBuilder();
            new ArrayList<>(sent).stream().filter(s -> s.data() instanceof AnswerEvents.Delta)
                    .map(s -> (AnswerEvents.Delta) s.data()).forEach(d -> {
                        assertThat(d.offset()).as("deltas are contiguous").isEqualTo(text.length());
                        text.append(d.text());
                    });
            return text.toString();
        }
    }

    private static AnswerFeed feed(AtomicReference<ChatMessage> database, Duration poll) {
        return new AnswerFeed(new AnswerEvents.Started(UUID.randomUUID(), UUID.randomUUID(), ID, "c/m", "c"),
                database::get, poll, false, TIMER);
    }

    /** The application's timer is a wheel on a thread of its own; a sleeping thread per task is the same here. */
    private static final AnswerFeed.Timer TIMER = (delay, task) -> {
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(delay);
                task.run();
            } catch (InterruptedException cancelled) {
                // disarmed
            }
        });
        return waiting::interrupt;
    };

    /** Streams the feed to the client; @return what completes when the stream is over, with its failure if any */
    private static CompletableFuture<Optional<Exception>> streamed(AnswerFeed feed, Recorder client) {
        CompletableFuture<Optional<Exception>> over = new CompletableFuture<>();
        feed.stream(client, failure -> over.complete(Optional.ofNullable(failure)));
        return over;
    }

    /** Streams the feed to the client until the stream is over; fails if it failed. */
    private static void stream(AnswerFeed feed, Recorder client) throws Exception {
        assertThat(streamed(feed, client).get(10, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aFeedOfAnAnswerJustStartedHereReadsTheDatabaseOnlyAtTheEnd() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = new AnswerFeed(new AnswerEvents.Started(UUID.randomUUID(), UUID.randomUUID(), ID, "c/m",
                "c"), () -> {
            reads.incrementAndGet();
            return database.get();
        }, Duration.ofSeconds(5), true, TIMER);
        feed.offer(new AnswerFeed.Piece(0, "Hello "));
        feed.offer(new AnswerFeed.Piece(6, "world"));
        database.set(answer("Hello world", MessageStatus.COMPLETE));
        feed.offer(AnswerFeed.Piece.END);
        Recorder client = new Recorder();
        stream(feed, client);

        assertThat(client.text()).isEqualTo("Hello world");
        assertThat(client.sent.getLast().event()).isEqualTo(AnswerEvents.END);
        assertThat(reads).as("one read, for the end; none before the first piece").hasValue(1);
    }

    @Test
    void anEndBringingTheSavedAnswerIsSentWithoutReadingTheDatabase() throws Exception {
        // The generator of this replica hands its feeds the answer its end saved (the last batch included).
        AtomicInteger reads = new AtomicInteger();
        AnswerFeed feed = new AnswerFeed(new AnswerEvents.Started(UUID.randomUUID(), UUID.randomUUID(), ID, "c/m",
                "c"), () -> {
            reads.incrementAndGet();
            return answer("", MessageStatus.IN_PROGRESS);
        }, Duration.ofSeconds(5), true, TIMER);
        feed.offer(new AnswerFeed.Piece(0, "Hello "));
        feed.offer(AnswerFeed.Piece.end(answer("Hello world", MessageStatus.COMPLETE)));
        Recorder client = new Recorder();
        stream(feed, client);

        assertThat(client.text()).isEqualTo("Hello world");
        assertThat(client.sent.getLast().event()).isEqualTo(AnswerEvents.END);
        assertThat(((AnswerEvents.End) client.sent.getLast().data()).status()).isEqualTo(MessageStatus.COMPLETE);
        assertThat(reads).as("the end came with the answer").hasValue(0);
    }

    @Test
    void aFeedAttachingToAnAnswerReadsWhatIsSavedBeforeAnyPiece() throws Exception {
        // The first read finds what was saved before the feed attached; the later ones, the end.
        AtomicInteger reads = new AtomicInteger();
        AnswerFeed feed = new AnswerFeed(new AnswerEvents.Started(UUID.randomUUID(), UUID.randomUUID(), ID, "c/m",
                "c"), () -> reads.incrementAndGet() == 1 ? answer("Hello ", MessageStatus.IN_PROGRESS)
                : answer("Hello world", MessageStatus.COMPLETE), Duration.ofSeconds(5), false, TIMER);
        feed.offer(new AnswerFeed.Piece(6, "world"));
        feed.offer(AnswerFeed.Piece.END);
        Recorder client = new Recorder();
        stream(feed, client);

        assertThat(client.sent.get(1).data()).isEqualTo(new AnswerEvents.Delta(0, "Hello "));
        assertThat(client.text()).isEqualTo("Hello world");
        assertThat(reads).hasValue(2);
    }

    @Test
    void savedTextThenPiecesPastItThenTheEndWithoutRepeatingAnything() throws Exception {
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("Hello ", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = feed(database, Duration.ofSeconds(5));
        feed.offer(new AnswerFeed.Piece(0, "Hel"));       // already saved: skipped
        feed.offer(new AnswerFeed.Piece(3, "lo wo"));     // overlaps what was sent: only "wo"
        feed.offer(new AnswerFeed.Piece(8, "rld"));
        database.set(answer("Hello world", MessageStatus.COMPLETE));
        feed.offer(AnswerFeed.Piece.END);
        Recorder client = new Recorder();
        stream(feed, client);
        assertThat(client.text()).isEqualTo("Hello world");
        assertThat(client.sent.getFirst().event()).isEqualTo(AnswerEvents.ANSWER);
        assertThat(client.sent.getLast().event()).isEqualTo(AnswerEvents.END);
        assertThat(((AnswerEvents.End) client.sent.getLast().data()).length()).isEqualTo(11);
    }

    @Test
    void aMissingPieceIsReadFromTheDatabaseAndAnEndThatNeverArrivesIsFoundByPolling() throws Exception {
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = feed(database, Duration.ofMillis(50));
        // The batch at offset 0 was lost (Redis down); the next one arrives, and the database has both.
        database.set(answer("first second ", MessageStatus.IN_PROGRESS));
        feed.offer(new AnswerFeed.Piece(6, "second "));
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            // The end is saved but its broadcast is lost too.
            database.set(answer("first second third", MessageStatus.STOPPED));
        });
        Recorder client = new Recorder();
        stream(feed, client);
        assertThat(client.text()).isEqualTo("first second third");
        assertThat(((AnswerEvents.End) client.sent.getLast().data()).status()).isEqualTo(MessageStatus.STOPPED);
        assertThat(client.keepAlives).as("a comment while nothing happened").isPositive();
    }

    @Test
    void aStoppedFeedEndsItsStreamAtOnceWithoutAnEndAndUnsubscribes() throws Exception {
        // This replica shuts down: the client's stream ends, the answer goes on, the client reattaches elsewhere.
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("Hel", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = feed(database, Duration.ofMinutes(1));
        AtomicInteger unsubscribed = new AtomicInteger();
        feed.subscribed(unsubscribed::incrementAndGet, unsubscribed::incrementAndGet);
        Recorder client = new Recorder();
        CompletableFuture<Optional<Exception>> streaming = streamed(feed, client);
        Thread.sleep(100);
        assertThat(streaming).as("an idle stream goes on").isNotDone();
        feed.stop();

        assertThat(streaming.get(5, TimeUnit.SECONDS)).as("the stream ended long before its poll interval")
                .isEmpty();
        assertThat(client.sent).extracting(Sent::event).containsExactly(AnswerEvents.ANSWER, AnswerEvents.DELTA);
        assertThat(unsubscribed).as("from the broadcast and from the generator").hasValue(2);
    }

    @Test
    void aFeedStoppedBeforeItStreamsSendsTheAnswerAndWhatIsSavedThenEndsWithoutAnEnd() throws Exception {
        // A stream asked of a replica already shutting down: the client learns the answer's id (and what is saved)
        // and reattaches elsewhere with it, instead of an empty stream it could do nothing with.
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("Hel", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = feed(database, Duration.ofMinutes(1));
        AtomicInteger unsubscribed = new AtomicInteger();
        feed.subscribed(unsubscribed::incrementAndGet, unsubscribed::incrementAndGet);
        feed.stop();
        Recorder client = new Recorder();

        assertThat(streamed(feed, client).get(5, TimeUnit.SECONDS)).as("the stream ended long before its poll"
                + " interval").isEmpty();
        assertThat(client.sent).extracting(Sent::event).containsExactly(AnswerEvents.ANSWER, AnswerEvents.DELTA);
        assertThat(client.sent.getFirst().data()).isInstanceOf(AnswerEvents.Started.class);
        assertThat(((AnswerEvents.Started) client.sent.getFirst().data()).messageId()).isEqualTo(ID);
        assertThat(unsubscribed).hasValue(2);
    }

    @Test
    void anAnswerThatEndedReplaysAtOnce() throws Exception {
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("done", MessageStatus.COMPLETE));
        Recorder client = new Recorder();
        stream(feed(database, Duration.ofMinutes(1)), client);
        assertThat(client.sent).extracting(Sent::event).containsExactly("answer", "delta", "end");
    }

    @Test
    void anIdleFeedHoldsNoThreadAndTheNextPieceStartsOne() throws Exception {
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = feed(database, Duration.ofMinutes(1));
        List<Thread> senders = new java.util.concurrent.CopyOnWriteArrayList<>();
        Recorder client = new Recorder() {
            @Override
            public void send(String event, Object data) throws IOException {
                senders.add(Thread.currentThread());
                super.send(event, data);
            }
        };
        CompletableFuture<Optional<Exception>> streaming = streamed(feed, client);
        feed.offer(new AnswerFeed.Piece(0, "Hello "));
        await(() -> senders.size() == 2);
        Thread first = senders.get(1);
        assertThat(first).as("the piece is sent by a thread of the feed's own").isNotEqualTo(Thread.currentThread());
        first.join(Duration.ofSeconds(5));
        assertThat(first.isAlive()).as("with nothing left to send, its thread ended").isFalse();

        feed.offer(new AnswerFeed.Piece(6, "world"));
        database.set(answer("Hello world", MessageStatus.COMPLETE));
        feed.offer(AnswerFeed.Piece.END);
        assertThat(streaming.get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(client.text()).isEqualTo("Hello world");
        assertThat(senders.get(2)).as("another thread for the next piece").isNotSameAs(first);
    }

    @Test
    void aPieceOfferedWhileTheSendingThreadLetsGoIsSentAtOnceAndOnlyOnce() throws Exception {
        // Each piece is offered the moment the previous one reached the client, while its thread is letting go: the
        // offer finds a thread still sending, which must see the piece before it ends (a lost wake-up would leave it
        // unsent until the poll interval, an hour here). A broadcast repeats some pieces: skipped by their offset.
        int pieces = 3_000;
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = new AnswerFeed(new AnswerEvents.Started(UUID.randomUUID(), UUID.randomUUID(), ID, "c/m",
                "c"), database::get, Duration.ofHours(1), true, TIMER);
        AtomicInteger sendingNow = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger length = new AtomicInteger();
        Recorder client = new Recorder() {
            @Override
            public void send(String event, Object data) throws IOException {
                if (sendingNow.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                super.send(event, data);
                if (data instanceof AnswerEvents.Delta delta) {
                    length.set(delta.offset() + delta.text().length());
                }
                sendingNow.decrementAndGet();
            }
        };
        CompletableFuture<Optional<Exception>> streaming = streamed(feed, client);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            AnswerFeed.Piece piece = new AnswerFeed.Piece(expected.length(), Integer.toString(i % 10));
            expected.append(piece.text());
            feed.offer(piece);
            if (i % 3 == 0) {
                Thread.ofVirtual().start(() -> feed.offer(piece));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (length.get() < expected.length()) {
                assertThat(System.nanoTime() < deadline).as("piece %d was sent", i).isTrue();
                Thread.onSpinWait();
            }
        }
        database.set(answer(expected.toString(), MessageStatus.COMPLETE));
        feed.offer(AnswerFeed.Piece.END);

        assertThat(streaming.get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(client.text()).isEqualTo(expected.toString());
        assertThat(overlaps).as("never two threads sending at once").hasValue(0);
        assertThat(client.sent.getLast().event()).isEqualTo(AnswerEvents.END);
    }

    @Test
    void aClientGoneIsTheStreamsFailureAndUnsubscribesTheFeed() throws Exception {
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = feed(database, Duration.ofMinutes(1));
        AtomicInteger unsubscribed = new AtomicInteger();
        feed.subscribed(unsubscribed::incrementAndGet, unsubscribed::incrementAndGet);
        Recorder client = new Recorder() {
            @Override
            public void send(String event, Object data) throws IOException {
                if (!sent.isEmpty()) {
                    throw new IOException("Broken pipe");
                }
                super.send(event, data);
            }
        };
        CompletableFuture<Optional<Exception>> streaming = streamed(feed, client);
        feed.offer(new AnswerFeed.Piece(0, "Hello"));

        assertThat(streaming.get(5, TimeUnit.SECONDS)).get().isInstanceOf(IOException.class);
        assertThat(unsubscribed).hasValue(2);
        feed.offer(new AnswerFeed.Piece(5, " again"));
        Thread.sleep(50);
        assertThat(client.sent).as("nothing is sent after the end").hasSize(1);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("waited 10 s").isTrue();
            Thread.sleep(5);
        }
    }
}
