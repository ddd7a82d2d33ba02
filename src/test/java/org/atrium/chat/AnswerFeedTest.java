package org.atrium.chat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
        feed.stream(client);

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

    private static final class Recorder implements AnswerFeed.Sink {
        final List<Sent> sent = new ArrayList<>();
        int keepAlives;

        @Override
        public void send(String event, Object data) {
            sent.add(new Sent(event, data));
        }

        @Override
        public void keepAlive() {
            keepAlives++;
        }

        String text() {
            StringBuilder text = new StringBuilder();
            sent.stream().filter(s -> s.data() instanceof AnswerEvents.Delta).map(s -> (AnswerEvents.Delta) s.data())
                    .forEach(d -> {
                        assertThat(d.offset()).as("deltas are contiguous").isEqualTo(text.length());
                        text.append(d.text());
                    });
            return text.toString();
        }
    }

    private static AnswerFeed feed(AtomicReference<ChatMessage> database, Duration poll) {
        return new AnswerFeed(new AnswerEvents.Started(UUID.randomUUID(), UUID.randomUUID(), ID, "c/m", "c"),
                database::get, poll, false);
    }

    @Test
    void aFeedOfAnAnswerJustStartedHereReadsTheDatabaseOnlyAtTheEnd() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = new AnswerFeed(new AnswerEvents.Started(UUID.randomUUID(), UUID.randomUUID(), ID, "c/m",
                "c"), () -> {
            reads.incrementAndGet();
            return database.get();
        }, Duration.ofSeconds(5), true);
        feed.offer(new AnswerFeed.Piece(0, "Hello "));
        feed.offer(new AnswerFeed.Piece(6, "world"));
        database.set(answer("Hello world", MessageStatus.COMPLETE));
        feed.offer(AnswerFeed.Piece.END);
        Recorder client = new Recorder();
        feed.stream(client);

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
        }, Duration.ofSeconds(5), true);
        feed.offer(new AnswerFeed.Piece(0, "Hello "));
        feed.offer(AnswerFeed.Piece.end(answer("Hello world", MessageStatus.COMPLETE)));
        Recorder client = new Recorder();
        feed.stream(client);

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
                : answer("Hello world", MessageStatus.COMPLETE), Duration.ofSeconds(5), false);
        feed.offer(new AnswerFeed.Piece(6, "world"));
        feed.offer(AnswerFeed.Piece.END);
        Recorder client = new Recorder();
        feed.stream(client);

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
        feed.stream(client);
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
        feed.stream(client);
        assertThat(client.text()).isEqualTo("first second third");
        assertThat(((AnswerEvents.End) client.sent.getLast().data()).status()).isEqualTo(MessageStatus.STOPPED);
        assertThat(client.keepAlives).as("a comment while nothing happened").isPositive();
    }

    /** Streams the feed to the client on a thread of its own, as a request's thread does. */
    private static Thread streamInBackground(AnswerFeed feed, Recorder client) {
        return Thread.ofVirtual().start(() -> {
            try {
                feed.stream(client);
            } catch (IOException | InterruptedException unexpected) {
                throw new IllegalStateException(unexpected);
            }
        });
    }

    @Test
    void aStoppedFeedEndsItsStreamAtOnceWithoutAnEndAndUnsubscribes() throws Exception {
        // This replica shuts down: the client's stream ends, the answer goes on, the client reattaches elsewhere.
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("Hel", MessageStatus.IN_PROGRESS));
        AnswerFeed feed = feed(database, Duration.ofMinutes(1));
        AtomicInteger unsubscribed = new AtomicInteger();
        feed.subscribed(unsubscribed::incrementAndGet, unsubscribed::incrementAndGet);
        Recorder client = new Recorder();
        Thread streaming = streamInBackground(feed, client);
        Thread.sleep(100);
        feed.stop();

        assertThat(streaming.join(Duration.ofSeconds(5))).as("the stream ended long before its poll interval")
                .isTrue();
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
        Thread streaming = streamInBackground(feed, client);

        assertThat(streaming.join(Duration.ofSeconds(5))).as("the stream ended long before its poll interval")
                .isTrue();
        assertThat(client.sent).extracting(Sent::event).containsExactly(AnswerEvents.ANSWER, AnswerEvents.DELTA);
        assertThat(client.sent.getFirst().data()).isInstanceOf(AnswerEvents.Started.class);
        assertThat(((AnswerEvents.Started) client.sent.getFirst().data()).messageId()).isEqualTo(ID);
        assertThat(unsubscribed).hasValue(2);
    }

    @Test
    void anAnswerThatEndedReplaysAtOnce() throws Exception {
        AtomicReference<ChatMessage> database = new AtomicReference<>(answer("done", MessageStatus.COMPLETE));
        Recorder client = new Recorder();
        feed(database, Duration.ofMinutes(1)).stream(client);
        assertThat(client.sent).extracting(Sent::event).containsExactly("answer", "delta", "end");
    }
}
