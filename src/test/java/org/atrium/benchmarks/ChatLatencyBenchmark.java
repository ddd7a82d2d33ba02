package org.atrium.benchmarks;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Atrium's native chat endpoint adds to a model call, against a fast fake OpenAI-compatible upstream on loopback.
 * Not part of the default suite; it prints figures for {@code docs/benchmarks.md}:
 *
 * <pre>./mvnw test -Dtest=ChatLatencyBenchmark -Dexcluded.test.groups= -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * The same client in the same run asks the fake directly ({@code POST /v1/chat/completions}, streaming) and through
 * Atrium ({@code POST /api/v1/chats/{id}/answers}: a persisted answer, saved in batches, usage recorded); added latency
 * is the difference of the percentiles, at 1 and 64 concurrent callers, for the time to the first token and the time
 * to the whole answer. Atrium is a replica of its own for these (a JVM of its own, as deployed, with the gateway
 * benchmark's heap; its own database, this machine's Redis), asked from this JVM, which holds the fake too;
 * {@code -Dbench.atrium=in-process} asks the Atrium of this JVM instead, as the figures before session 23 (2026-12-06)
 * did (client, fake and Atrium then share one JVM's threads, collector and JIT); {@code -Dbench.atrium-jvm=} sets the
 * replica's JVM options. Then streaming throughput, from the same Atrium (chunks relayed per second by this replica,
 * with the chat messages table's row updates per answer, which shows there is no write per token), and heap per idle
 * open stream, from the Atrium of this JVM, whose heap it reads (streams stalled upstream after their first chunk,
 * held open by raw sockets; through Atrium minus the same number held directly to the fake, so the fake's and the
 * client's share cancel out). {@code -Dbench.owner-chats=10000 -Dbench.in-progress=2000} measures instead the start
 * of an answer for an owner with many chats while many answers are in progress elsewhere ({@link #startAtScale}).
 */
@Tag("benchmark")
class ChatLatencyBenchmark extends IntegrationTest {

    static {
        // One user holds the idle streams: the per-user bound would refuse them (and, past 200, the replica's).
        System.setProperty("atrium.chat.generation.max-per-user", "1000");
        System.setProperty("atrium.chat.generation.max-per-replica", "1000");
    }

    private static final FakeChatServer UPSTREAM = FakeChatServer.start();
    /**
     * Untimed answers per path and caller count before the timed ones ({@code -Dbench.warmups=}, 3,000 by default):
     * after 300 the JIT was still compiling the answer path (added time to the first token 6.7 ms p50, 4.6 after
     * 3,000).
     */
    private static final int WARMUP = Integer.getInteger("bench.warmups", 3_000);
    private static final int MEASURED = 2_000;
    private static final int ANSWERS_PER_CHAT = 10;
    /**
     * {@code -Dbench.owner-chats=10000 -Dbench.in-progress=2000}: instead of the other measures, the start of an answer
     * for an owner with that many chats while that many answers of other users are in progress ({@link
     * #startAtScale}); 0 (the default): not measured.
     */
    private static final int OWNER_CHATS = Integer.getInteger("bench.owner-chats", 0);
    private static final int IN_PROGRESS_ELSEWHERE = Integer.getInteger("bench.in-progress", 0);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pattern ATRIUM_TIME = Pattern.compile("atrium;dur=([\\d.]+)");
    private static final Pattern START_TIME = Pattern.compile("db;dur=([\\d.]+)");

    @Autowired
    private JdbcClient jdbc;


    /**
     * Times of one call, in nanoseconds; {@code atrium} and {@code start}: the {@code Server-Timing} it reported
     * (Atrium's own time to the first event, the answer's start in the database), or -1.
     */
    private record Call(long headers, long firstToken, long whole, int chunks, long atrium, long start) {
    }

    private interface Caller {
        Call call() throws Exception;
    }

    @Test
    void nativeChatEndpointOverhead() throws Exception {
        UPSTREAM.models("bench-model");
        String model = connection(api, users.admin().token());
        Place here = new Place(api, () -> users.user().token(), sql -> jdbc.sql(sql).query(Long.class).single());

        if (Boolean.getBoolean("bench.heap-only")) { // -Dbench.heap-only=true: the memory figures alone
            heapPerIdleStream(here, model);
            return;
        }
        boolean latencyOnly = Boolean.getBoolean("bench.latency-only"); // the latency table alone
        if ("in-process".equals(System.getProperty("bench.atrium", "process"))) {
            latency(here, model);
            if (!latencyOnly) {
                throughput(here, model);
            }
        } else {
            TestInfrastructure.Database database = TestInfrastructure.createDatabase("chatbench");
            try (AtriumProcess replica = AtriumProcess.builder().database(database)
                    .redis(TestInfrastructure.redisUrl())
                    .env("ATRIUM_CONNECTIONS_ALLOW_PRIVATE_ADDRESSES", "true")
                    .env("ATRIUM_SIGNUP_DEFAULT_ROLE", "user")
                    .env("ATRIUM_CHAT_GENERATION_MAX_PER_USER", "1000")
                    .env("ATRIUM_CHAT_GENERATION_MAX_PER_REPLICA", Integer.toString(IN_PROGRESS_ELSEWHERE + 1_000))
                    .jvm(System.getProperty("bench.atrium-jvm", "-Xms1g -Xmx1g").split(" ")).start()) {
                replica.awaitReady(Duration.ofMinutes(3));
                Api there = replica.api();
                Place replicaPlace = new Place(there, () -> signUp(there), sql -> count(database, sql));
                String replicaModel = connection(there, signUp(there));
                if (OWNER_CHATS > 0) {
                    startAtScale(replicaPlace, replicaModel);
                    return;
                }
                latency(replicaPlace, replicaModel);
                if (!latencyOnly) {
                    throughput(replicaPlace, replicaModel);
                }
            }
        }
        if (!latencyOnly) {
            heapPerIdleStream(here, model);
        }
    }

    /**
     * Where answers are asked: an Atrium, how to get a new approved user's token there, and a query's single number
     * from its database.
     */
    private record Place(Api api, Supplier<String> newUser, Function<String, Long> count) {

        /** @return the row updates PostgreSQL has counted on {@code chat_messages} */
        long messageUpdates() {
            return count.apply("select coalesce(sum(n_tup_upd), 0) from pg_stat_user_tables"
                    + " where relname = 'chat_messages'");
        }

        /** @return the row updates PostgreSQL has counted on {@code chat_messages} that were HOT (no index touched) */
        long messageHotUpdates() {
            return count.apply("select coalesce(sum(n_tup_hot_upd), 0) from pg_stat_user_tables"
                    + " where relname = 'chat_messages'");
        }

        /** @return the size of {@code chat_messages}' indexes, in bytes */
        long messageIndexBytes() {
            return count.apply("select pg_indexes_size('chat_messages')");
        }

        /**
         * @return the transactions committed in its database: a reading's own is counted by the next one, not by
         *         itself (PostgreSQL reports a session's counters after its transactions end)
         */
        long transactions() {
            return count.apply("select xact_commit from pg_stat_database where datname = current_database()");
        }

        /** @return the answers in progress */
        long answersInProgress() {
            return count.apply("select count(*) from chat_messages where status = 'in_progress'");
        }
    }

    /** Registers the fake as a connection (as an admin) and returns its model's id. */
    private static String connection(Api api, String adminToken) {
        String connection = "bench-" + Long.toString(System.nanoTime(), 36);
        Map<String, Object> request = new HashMap<>(Map.of("name", connection, "kind", "openai", "baseUrl",
                UPSTREAM.openAiBaseUrl()));
        if (OWNER_CHATS > 0) { // the answers in progress elsewhere stay silent for minutes
            request.put("timeouts", Map.of("connectMs", 5_000, "firstTokenMs", 60_000, "idleMs", 600_000,
                    "totalMs", 3_600_000));
        }
        assertThat(api.post("/api/v1/connections", request, adminToken).status()).isEqualTo(201);
        return connection + "/bench-model";
    }

    /** Signs up on a replica (the first account is its admin; later ones are users by its default role). */
    private static String signUp(Api api) {
        Api.Response signUp = api.post("/api/v1/auth/signup", Map.of("email", TestUsers.uniqueEmail("bench"),
                "name", "Bench", "password", TestUsers.PASSWORD), null);
        assertThat(signUp.status()).as(signUp.text()).isEqualTo(201);
        return signUp.json().path("token").asString();
    }

    private void latency(Place atrium, String model) throws Exception {
        System.out.println("| callers | path | first token p50 ms | p99 ms | whole answer p50 ms | p99 ms"
                + " | response headers p50 ms | Server-Timing atrium p50 ms | of which db p50 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        StringBuilder transactions = new StringBuilder();
        for (int callers : new int[]{1, 64}) {
            int measured = callers == 1 ? MEASURED / 2 : MEASURED;
            ThreadLocal<Conversation> conversations = ThreadLocal.withInitial(() -> new Conversation(atrium,
                    model));
            Caller direct = () -> direct(UPSTREAM.openAiBaseUrl());
            Caller through = () -> conversations.get().answer();
            run(direct, callers, WARMUP);
            run(through, callers, WARMUP);
            long[][] directTimes = run(direct, callers, measured);
            long transactionsBefore = atrium.transactions();
            long[][] throughTimes = run(through, callers, measured);
            Thread.sleep(1_500); // what ends after the answers (their titles), and the counters' way to pg_stat
            transactions.append(String.format(Locale.ROOT, "database transactions per answer at %d callers: %.2f%n",
                    callers, (atrium.transactions() - transactionsBefore - 1) / (double) measured));
            print(callers, "direct to the fake", directTimes);
            print(callers, "through Atrium", throughTimes);
            System.out.printf(Locale.ROOT, "| %d | **added** | %.2f | %.2f | %.2f | %.2f | | | |%n", callers,
                    ms(pct(throughTimes[0], 50) - pct(directTimes[0], 50)),
                    ms(pct(throughTimes[0], 99) - pct(directTimes[0], 99)),
                    ms(pct(throughTimes[1], 50) - pct(directTimes[1], 50)),
                    ms(pct(throughTimes[1], 99) - pct(directTimes[1], 99)));
        }
        System.out.print(transactions);
    }

    /**
     * One caller: a user of their own with their own key (answers of one user start one at a time, to count them
     * against the per-user bound), and a chat answered again and again (a new one before it fills up).
     */
    private static final class Conversation {
        private final Api api;
        private final String model;
        private final String token;
        private Question question;
        private int answered;
        private int chats;

        /** A chat's question: where its answers are asked, and the body that asks for one. */
        private record Question(String answersPath, String body) {
        }

        Conversation(Place atrium, String model) {
            this.api = atrium.api();
            this.model = model;
            this.token = atrium.newUser().get();
            assertThat(api.post("/api/v1/me/credentials", Map.of("connection", model.substring(0,
                    model.indexOf('/')), "kind", "api_key", "name", "bench", "secret", "sk-bench-0123456789abcdef"),
                    token).status()).isEqualTo(201);
        }

        /** @return a new chat of this user, with a question (safe to call from several threads) */
        Question ask() {
            Api.Response chat = api.post("/api/v1/chats", Map.of("message", Map.of("content", "Hello?")), token);
            assertThat(chat.status()).as(chat.text()).isEqualTo(201);
            return new Question("/api/v1/chats/" + chat.json().path("chat").path("id").asString() + "/answers",
                    "{\"questionId\":\"" + chat.json().path("messages").get(0).path("message").path("id").asString()
                            + "\",\"model\":\"" + model + "\"}");
        }

        /** Starts a new chat, which the next answers answer. */
        void newChat() {
            question = ask();
            chats++;
        }

        /** @return the chats {@link #newChat} and {@link #answer} started */
        int chats() {
            return chats;
        }

        Call answer() throws Exception {
            if (question == null || answered++ % ANSWERS_PER_CHAT == 0) {
                newChat();
            }
            return stream(HttpRequest.newBuilder(URI.create(api.baseUrl() + question.answersPath()))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofString(question.body()))
                    .build(), "event:delta", "event:end");
        }

        /** Opens an answer's stream of the current chat on a raw socket and reads up to its first delta. */
        Socket openStream() throws IOException {
            return open(URI.create(api.baseUrl()), "POST", question.answersPath(), question.body(), "Bearer " + token,
                    "event:delta");
        }
    }

    private static Call direct(String baseUrl) throws Exception {
        String body = "{\"model\":\"bench-model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello?\"}]}";
        return stream(HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                .header("Authorization", "Bearer sk-bench-0123456789abcdef")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), "\"content\"", "[DONE]");
    }

    /** Reads a stream line by line: first token when a line holds {@code first}, whole answer at {@code last}. */
    private static Call stream(HttpRequest request, String first, String last) throws Exception {
        long begun = System.nanoTime();
        HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long headers = System.nanoTime() - begun;
        assertThat(response.statusCode()).isEqualTo(200);
        long firstToken = -1;
        long whole = -1;
        int chunks = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                String compact = line.replace(" ", "");
                if (whole < 0 && compact.contains(first.replace(" ", ""))) {
                    chunks++;
                    if (firstToken < 0) {
                        firstToken = System.nanoTime() - begun;
                    }
                }
                if (whole < 0 && compact.contains(last)) {
                    whole = System.nanoTime() - begun;
                }
            }
            // Read to the body's end (the server ends it after the last event), so that the connection is released
            // whole: with the stream closed at the last event, a run failed a later request with "header parser
            // received no bytes" caused by "connection closed locally" (the JDK client's own close), once answers
            // ended sooner.
        }
        assertThat(whole).as("the last event arrived").isPositive();
        assertThat(firstToken).as("a first token arrived").isPositive();
        String timing = response.headers().firstValue("Server-Timing").orElse("");
        return new Call(headers, firstToken, whole, chunks, nanos(ATRIUM_TIME, timing), nanos(START_TIME, timing));
    }

    /** @return the duration the pattern finds in a {@code Server-Timing} value, in nanoseconds, or -1 */
    private static long nanos(Pattern duration, String timing) {
        Matcher found = duration.matcher(timing);
        return found.find() ? (long) (Double.parseDouble(found.group(1)) * 1e6) : -1;
    }

    private static long[][] run(Caller caller, int callers, int total) throws Exception {
        long[] headers = new long[total];
        long[] first = new long[total];
        long[] whole = new long[total];
        long[] atrium = new long[total];
        long[] start = new long[total];
        Callers.run(callers, total, index -> {
            Call call = caller.call();
            headers[index] = call.headers();
            atrium[index] = call.atrium();
            start[index] = call.start();
            first[index] = call.firstToken();
            whole[index] = call.whole();
        });
        Arrays.sort(headers);
        Arrays.sort(first);
        Arrays.sort(whole);
        Arrays.sort(atrium);
        Arrays.sort(start);
        return new long[][]{first, whole, headers, atrium, start};
    }

    /**
     * What migration V24 is for, through the API alone: an owner with {@code bench.owner-chats} chats (a question
     * each, asked through {@code POST /api/v1/chats}) asks for answers one at a time while {@code bench.in-progress}
     * answers of other users are in progress (streams held open by raw sockets, their upstream calls stalled after a
     * first chunk, their generators marking them alive as usual). Prints the owner's first token through Atrium and
     * directly, and the start's round trip ({@code Server-Timing} {@code db}), next to a new owner's in the same run.
     */
    private void startAtScale(Place atrium, String model) throws Exception {
        Conversation owner = new Conversation(atrium, model);
        Callers.run(8, OWNER_CHATS, index -> owner.ask());
        Duration stall = Duration.ofMinutes(5);
        int perUser = 500;
        List<Socket> elsewhere = new ArrayList<>();
        Thread.sleep(1_500); // table statistics reach pg_stat a little after the commits
        long updatesBefore = atrium.messageUpdates();
        long hotBefore = atrium.messageHotUpdates();
        long indexBytesBefore = atrium.messageIndexBytes();
        long heldSince = System.nanoTime();
        try {
            Conversation other = null;
            for (int i = 0; i < IN_PROGRESS_ELSEWHERE; i++) {
                if (i % perUser == 0) {
                    other = new Conversation(atrium, model);
                }
                other.newChat();
                UPSTREAM.enqueue(FakeChatServer.Script.text("first then silence").inChunks(2).stallAfter(1, stall));
                elsewhere.add(other.openStream());
            }
            System.out.printf(Locale.ROOT, "%nstart at scale (%s, load average %s): an owner with %d chats asks,"
                            + " %d answers of %d other users in progress%n", java.time.Instant.now(),
                    Machine.loadAverage(), OWNER_CHATS, elsewhere.size(), (elsewhere.size() + perUser - 1) / perUser);
            System.out.println("| callers | path | first token p50 ms | p99 ms | whole answer p50 ms | p99 ms"
                    + " | response headers p50 ms | Server-Timing atrium p50 ms | of which db p50 ms |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            Conversation newcomer = new Conversation(atrium, model);
            Caller direct = () -> direct(UPSTREAM.openAiBaseUrl());
            int warmups = Math.min(WARMUP, 1_000);
            run(direct, 1, warmups);
            run(owner::answer, 1, warmups);
            run(newcomer::answer, 1, warmups);
            long[][] directTimes = run(direct, 1, MEASURED / 2);
            long[][] ownerTimes = run(owner::answer, 1, MEASURED / 2);
            long[][] newcomerTimes = run(newcomer::answer, 1, MEASURED / 2);
            print(1, "direct to the fake", directTimes);
            print(1, "through Atrium, an owner of " + (OWNER_CHATS + owner.chats()) + " chats", ownerTimes);
            print(1, "through Atrium, an owner of " + newcomer.chats() + " chats", newcomerTimes);
            System.out.printf(Locale.ROOT, "answers in progress after the timed ones: %d%n",
                    atrium.answersInProgress());
            Thread.sleep(1_500);
            long updates = atrium.messageUpdates() - updatesBefore;
            long hot = atrium.messageHotUpdates() - hotBefore;
            // The answers' saves and heartbeats, and the timed answers' own rows (a start, saves, an end each).
            System.out.printf(Locale.ROOT, "chat_messages while they were in progress (%.0f s): %d row updates, %d"
                            + " of them HOT (%.1f %%); its indexes grew by %.1f MiB%n",
                    (System.nanoTime() - heldSince) / 1e9, updates, hot, updates == 0 ? 0 : 100.0 * hot / updates,
                    (atrium.messageIndexBytes() - indexBytesBefore) / 1048576.0);
        } finally {
            for (Socket socket : elsewhere) {
                socket.close();
            }
        }
    }

    private void throughput(Place atrium, String model) throws Exception {
        int callers = 16;
        int answers = 64;
        int chunks = 2_000;
        // Words of random letters, as long as "word ": text that compresses about as little as a real answer does,
        // so that the saved answer moves to TOAST as it grows, as a real one does.
        java.util.Random random = new java.util.Random(7);
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < chunks; i++) {
            random.ints(4, 'a', 'z' + 1).forEach(letter -> words.append((char) letter));
            words.append(' ');
        }
        String text = words.toString();
        long updatesBefore = atrium.messageUpdates();
        long hotBefore = atrium.messageHotUpdates();
        for (int i = 0; i < answers; i++) {
            UPSTREAM.enqueue(FakeChatServer.Script.text(text).inChunks(chunks));
        }
        ThreadLocal<Conversation> conversations = ThreadLocal.withInitial(() -> new Conversation(atrium, model));
        AtomicInteger relayed = new AtomicInteger();
        long begun = System.nanoTime();
        run(() -> {
            Call call = conversations.get().answer();
            relayed.addAndGet(chunks);
            return call;
        }, callers, answers);
        double seconds = (System.nanoTime() - begun) / 1e9;
        Thread.sleep(1_500); // table statistics reach pg_stat a little after the commits
        long updates = atrium.messageUpdates() - updatesBefore;
        long hot = atrium.messageHotUpdates() - hotBefore;
        System.out.printf(Locale.ROOT, "%nstreaming throughput: %d answers of %d chunks by %d callers in %.2f s:"
                        + " %.0f chunks/s relayed; chat_messages row updates per answer: %.1f (chunks per answer:"
                        + " %d), of them HOT: %.1f (the end, which changes the status, cannot be)%n", answers, chunks,
                callers, seconds, relayed.get() / seconds, (double) updates / answers, chunks,
                (double) hot / answers);
    }

    private static long count(TestInfrastructure.Database database, String sql) {
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(database.jdbcUrl(), database.user(),
                database.password()); java.sql.Statement statement = connection.createStatement();
             java.sql.ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        } catch (java.sql.SQLException failed) {
            throw new IllegalStateException(failed);
        }
    }

    private void heapPerIdleStream(Place atrium, String model) throws Exception {
        int streams = Integer.getInteger("bench.streams", 150); // more: less of the heap's own noise per stream
        Duration stall = Duration.ofSeconds(20);
        Conversation conversation = new Conversation(atrium, model);
        conversation.answer(); // a chat to hold the streams
        for (int i = 0; i < streams; i++) {
            UPSTREAM.enqueue(FakeChatServer.Script.text("first then silence").inChunks(2).stallAfter(1, stall));
        }
        long before = settledHeap();
        Map<String, Long> histogramBefore = histogram();
        List<Socket> through = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            through.add(conversation.openStream());
        }
        long throughHeap = settledHeap() - before;
        printGrowth(histogramBefore, histogram(), streams);
        for (Socket socket : through) {
            socket.close();
        }
        Thread.sleep(stall.plusSeconds(3).toMillis()); // the stalled upstream calls end, the answers with them

        for (int i = 0; i < streams; i++) {
            UPSTREAM.enqueue(FakeChatServer.Script.text("first then silence").inChunks(2).stallAfter(1, stall));
        }
        long beforeDirect = settledHeap();
        List<Socket> direct = new ArrayList<>();
        URI upstream = URI.create(UPSTREAM.openAiBaseUrl());
        for (int i = 0; i < streams; i++) {
            direct.add(open(upstream, "POST", upstream.getPath() + "/chat/completions",
                    "{\"model\":\"bench-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                            + "\"Hello?\"}]}", "Bearer sk-bench-0123456789abcdef", "data:"));
        }
        long directHeap = settledHeap() - beforeDirect;
        for (Socket socket : direct) {
            socket.close();
        }
        System.out.printf(Locale.ROOT, "%nheap per idle open stream (%d streams, stalled upstream after the first"
                        + " chunk): through Atrium %.1f KB, direct to the fake %.1f KB, Atrium's share %.1f KB%n",
                streams, throughHeap / 1024.0 / streams, directHeap / 1024.0 / streams,
                (throughHeap - directHeap) / 1024.0 / streams);
    }

    /** Opens a stream on a raw socket (nothing buffered client-side beyond the kernel's) and reads up to a marker. */
    private static Socket open(URI base, String method, String path, String body, String authorization,
                               String marker) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), base.getPort());
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort() + "\r\nAuthorization: "
                + authorization + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
                + "Content-Length: " + payload.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(payload);
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[512];
        socket.setSoTimeout(10_000);
        while (!seen.toString().replace(" ", "").contains(marker)) {
            int read = in.read(buffer);
            if (read < 0) {
                throw new IOException("closed before '" + marker + "': " + seen);
            }
            seen.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
        }
        return socket;
    }

    /** Bytes by class of the live heap (after a full collection), from the JVM's class histogram. */
    private static Map<String, Long> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{null}, new String[]{String[].class.getName()});
        Map<String, Long> bytes = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":")) {
                bytes.merge(fields[3], Long.parseLong(fields[2]), Long::sum);
            }
        }
        return bytes;
    }

    private static void printGrowth(Map<String, Long> before, Map<String, Long> after, int streams) {
        System.out.printf(Locale.ROOT, "%nlargest heap growth by class, per idle stream through Atrium:%n");
        after.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(15)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %8.1f KB  %s%n", e.getValue() / 1024.0 / streams,
                        e.getKey()));
    }

    private static long settledHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void print(int callers, String path, long[][] times) {
        long atrium = pct(times[3], 50);
        long start = pct(times[4], 50);
        System.out.printf(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s |%n", callers, path,
                ms(pct(times[0], 50)), ms(pct(times[0], 99)), ms(pct(times[1], 50)), ms(pct(times[1], 99)),
                ms(pct(times[2], 50)), atrium < 0 ? "" : String.format(Locale.ROOT, "%.2f", ms(atrium)),
                start < 0 ? "" : String.format(Locale.ROOT, "%.2f", ms(start)));
    }

    private static long pct(long[] sorted, int percentile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
