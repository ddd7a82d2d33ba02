package org.atrium.benchmarks;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one replica needs and serves, for the sizing table of {@code docs/SCALING.md}: startup time (first start on an
 * empty database, later starts, and later starts with the JDK's AOT cache the {@code Containerfile} trains), resident
 * memory at idle and under load, PostgreSQL connections held at idle and under load, requests per second for reads
 * and for chat through the provider path, sign-ins per second (bcrypt at the default cost), persisted chat answers per
 * second, and what Redis holds afterwards. One Atrium JVM started as an operator runs it (production JVM options, a
 * {@code -Xmx1g} heap unless {@code -Dsizing.heap} says otherwise, cluster mode on the test PostgreSQL and Redis,
 * default logging), a fast fake OpenAI upstream in Node ({@code src/test/node/gateway-bench/fake-openai.mjs}), load
 * from {@code wrk} (one thread) and, for persisted answers, which stream, from Java callers. Everything shares the
 * machine's cores, so the rates are a floor for a replica with cores of its own. Not part of the default suite:
 *
 * <pre>./mvnw test -Dtest=ReplicaSizingBenchmark -Dexcluded.test.groups= -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("benchmark")
class ReplicaSizingBenchmark {

    private static final Path NODE = Path.of("src/test/node/gateway-bench");
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("sizing.run-seconds", 15));
    private static final Duration WARMUP = Duration.ofSeconds(Long.getLong("sizing.warmup-seconds", 10));
    private static final Duration IDLE = Duration.ofSeconds(30);
    private static final String HEAP = System.getProperty("sizing.heap", "-Xmx1g");
    private static final int STARTS = Integer.getInteger("sizing.starts", 3);
    private static final int[] LEVELS = {16, 64};
    private static final String UPSTREAM_KEY = "sk-bench-0123456789abcdef";
    private static final String PASSWORD = "correct horse battery staple";
    private static final Pattern STARTED_IN = Pattern.compile("Started AtriumApplication in ([\\d.]+) seconds");
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The account the load runs as. */
    private record Caller(String email, String token, String apiKey) {
    }

    /** One kind of request under load. */
    private record Load(String name, String method, String path, String body, Map<String, String> headers) {
    }

    /** What a replica held while a load ran: the largest values sampled. */
    private record Footprint(double rssMb, int connections, int activeConnections) {
    }

    @Test
    void oneReplicasNeedsAndRates() throws Exception {
        assertThat(Wrk.installed()).as("wrk is installed (apt-get install wrk)").isTrue();
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("sizing");
        Path fakeLog = Files.createTempFile("sizing-fake-", ".log");
        Process fake = new ProcessBuilder("node", "fake-openai.mjs").directory(NODE.toFile()).redirectErrorStream(true)
                .redirectOutput(fakeLog.toFile()).start();
        try {
            String upstream = "http://127.0.0.1:" + awaitPort(fakeLog) + "/v1";
            System.out.printf(Locale.ROOT, "%nstart %s, load average %s, %d cores, JVM %s, heap option %s%n",
                    Instant.now(), Machine.loadAverage(), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), HEAP);
            startup(database);
            try (AtriumProcess replica = replica(database, List.of()).start()) {
                replica.awaitReady(Duration.ofMinutes(3));
                Caller caller = setUp(replica.api(), upstream);
                Thread.sleep(IDLE.toMillis());
                Footprint idle = sample(replica.pid(), database, Duration.ofSeconds(2));
                System.out.printf(Locale.ROOT, "%nidle after start (%d s): RSS %.0f MB, PostgreSQL connections %d"
                        + " (%d active)%n", IDLE.toSeconds(), idle.rssMb(), idle.connections(),
                        idle.activeConnections());
                load(replica, database, caller);
                answers(replica, database, caller);
                Thread.sleep(IDLE.toMillis());
                Footprint after = sample(replica.pid(), database, Duration.ofSeconds(2));
                System.out.printf(Locale.ROOT, "%nidle after the load (%d s): RSS %.0f MB, PostgreSQL connections %d"
                        + " (%d active)%n", IDLE.toSeconds(), after.rssMb(), after.connections(),
                        after.activeConnections());
                redis(database);
            }
            System.out.printf(Locale.ROOT, "%nend %s, load average %s%n", Instant.now(), Machine.loadAverage());
        } finally {
            fake.destroy();
        }
    }

    /** Starts and stops replicas one after the other, each timed from launch to ready and from SIGTERM to exit. */
    private static void startup(TestInfrastructure.Database database) throws Exception {
        System.out.printf(Locale.ROOT, "%nstartup (launch to readiness 200; Spring's own \"Started ... in\"; SIGTERM"
                + " to exit)%n| start | launch to ready s | Spring s | SIGTERM to exit s |%n|---|---|---|---|%n");
        timedStart("first, empty database (migrations)", database, List.of());
        List<double[]> plain = new ArrayList<>();
        for (int i = 0; i < STARTS; i++) {
            plain.add(timedStart("later, no AOT cache", database, List.of()));
        }
        Path cache = Files.createTempFile("sizing-", ".aot");
        Files.delete(cache);
        long training = System.nanoTime();
        try (AtriumProcess trainer = replica(database, List.of("-XX:AOTCacheOutput=" + cache,
                "-Dspring.context.exit=onRefresh")).start()) {
            assertThat(trainer.awaitExit(Duration.ofMinutes(5))).as(trainer.output()).isZero();
        }
        assertThat(cache).as("the AOT cache was written").exists();
        System.out.printf(Locale.ROOT, "| AOT training run (as the Containerfile: context refresh, then exit;"
                + " cache %.0f MB) | %.1f | | |%n", Files.size(cache) / 1048576.0, (System.nanoTime() - training)
                / 1e9);
        List<double[]> aot = new ArrayList<>();
        for (int i = 0; i < STARTS; i++) {
            aot.add(timedStart("later, with the AOT cache", database, List.of("-XX:AOTCache=" + cache)));
        }
        System.out.printf(Locale.ROOT, "| median of %d later starts, no AOT cache | %.1f | %.1f | %.1f |%n", STARTS,
                median(plain, 0), median(plain, 1), median(plain, 2));
        System.out.printf(Locale.ROOT, "| median of %d later starts, with the AOT cache | %.1f | %.1f | %.1f |%n",
                STARTS, median(aot, 0), median(aot, 1), median(aot, 2));
        Files.deleteIfExists(cache);
    }

    /** @return seconds from launch to ready, Spring's own figure, seconds from SIGTERM to exit */
    private static double[] timedStart(String name, TestInfrastructure.Database database, List<String> jvm) {
        long launched = System.nanoTime();
        try (AtriumProcess replica = replica(database, jvm).start()) {
            replica.awaitReady(Duration.ofMinutes(3));
            double ready = (System.nanoTime() - launched) / 1e9;
            Matcher started = STARTED_IN.matcher(replica.output());
            double spring = started.find() ? Double.parseDouble(started.group(1)) : -1;
            long stopping = System.nanoTime();
            int exit = replica.stop(Duration.ofMinutes(1));
            double stopped = (System.nanoTime() - stopping) / 1e9;
            assertThat(exit).as("graceful exit").isIn(0, 143);
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", name, ready, spring, stopped);
            return new double[]{ready, spring, stopped};
        }
    }

    /**
     * A replica as an operator starts one: the product's JARs, production JVM options (no test-only class data
     * archive, the default JIT), the default bcrypt cost, one account allowed many answers and sign-ins at once (the
     * load runs as one account), loopback connections allowed (the fake upstream).
     */
    private static AtriumProcess.Builder replica(TestInfrastructure.Database database, List<String> jvm) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                HEAP, "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
        command.addAll(jvm);
        command.addAll(List.of("-cp", AtriumProcess.productionJars(), "org.atrium.AtriumApplication"));
        return AtriumProcess.builder().database(database).redis(TestInfrastructure.redisUrl())
                .launcher(command, Path.of(System.getProperty("java.io.tmpdir")))
                .env("ATRIUM_PASSWORDS_HASH_COST", "10")
                .env("ATRIUM_CONNECTIONS_ALLOW_PRIVATE_ADDRESSES", "true")
                .env("ATRIUM_CHAT_GENERATION_MAX_PER_USER", "1000")
                // Up to 64 sign-ins of one account from one address at once: each counts as an attempt, for the
                // account and for the address, until it succeeds (see docs/SCALING.md, sign-ins behind one address).
                .env("ATRIUM_SIGNIN_THROTTLE_ACCOUNT_FREE_ATTEMPTS", "1000")
                .env("ATRIUM_SIGNIN_THROTTLE_ACCOUNT_WIDE_FREE_ATTEMPTS", "1000")
                .env("ATRIUM_SIGNIN_THROTTLE_ADDRESS_FREE_ATTEMPTS", "1000");
    }

    /** The first account (an instance admin) registers the fake, stores its key, creates an API key and 20 chats. */
    private static Caller setUp(Api api, String upstream) {
        String email = "sizing@atrium.test";
        Api.Response signup = api.post("/api/v1/auth/signup", Map.of("email", email, "name", "Sizing",
                "password", PASSWORD), null);
        assertThat(signup.status()).as(signup.text()).isEqualTo(201);
        String token = signup.json().path("token").asString();
        assertThat(api.post("/api/v1/connections", Map.of("name", "fake", "kind", "openai", "baseUrl", upstream),
                token).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/me/credentials", Map.of("connection", "fake", "kind", "api_key", "name",
                "sizing", "secret", UPSTREAM_KEY), token).status()).isEqualTo(201);
        Api.Response key = api.post("/api/v1/api-keys", Map.of("name", "sizing"), token);
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        for (int i = 0; i < 20; i++) {
            assertThat(api.post("/api/v1/chats", Map.of("title", "Chat " + i, "message", Map.of("content",
                    "Question " + i)), token).status()).isEqualTo(201);
        }
        return new Caller(email, token, key.json().path("key").asString());
    }

    /** Reads, chat through the provider path and sign-ins under wrk, at each concurrency. */
    private static void load(AtriumProcess replica, TestInfrastructure.Database database, Caller caller)
            throws Exception {
        Map<String, String> session = Map.of("Authorization", "Bearer " + caller.token());
        Map<String, String> apiKey = Map.of("Authorization", "Bearer " + caller.apiKey(),
                "Content-Type", "application/json");
        String completion = "{\"model\":\"fake/bench-model\",\"stream\":%s,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hello?\"}]}";
        List<Load> loads = List.of(
                new Load("read: GET /api/v1/auth/me", "GET", "/api/v1/auth/me", null, session),
                new Load("read: GET /api/v1/me/effective-state", "GET", "/api/v1/me/effective-state", null, session),
                new Load("read: GET /api/v1/chats (20 chats)", "GET", "/api/v1/chats", null, session),
                new Load("read: GET /v1/models (API key)", "GET", "/v1/models", null, apiKey),
                new Load("chat: POST /v1/chat/completions", "POST", "/v1/chat/completions",
                        completion.formatted("false"), apiKey),
                new Load("chat: POST /v1/chat/completions, streamed", "POST", "/v1/chat/completions",
                        completion.formatted("true"), apiKey),
                new Load("sign-in: POST /api/v1/auth/signin (bcrypt cost 10)", "POST", "/api/v1/auth/signin",
                        "{\"email\":\"" + caller.email() + "\",\"password\":\"" + PASSWORD + "\"}",
                        Map.of("Content-Type", "application/json")));
        String base = "http://127.0.0.1:" + replica.port();
        for (Load load : loads) { // the JIT, pools, caches
            wrk(base, load, 16, WARMUP);
        }
        System.out.printf(Locale.ROOT, "%nunder load (wrk, one thread, %d s per point)%n| request | connections"
                + " | req/s | p50 ms | p99 ms | errors | Atrium CPU (cores) | CPU ms per request | RSS MB (max)"
                + " | PostgreSQL connections (max, max active) |%n|---|---|---|---|---|---|---|---|---|---|%n",
                RUN.toSeconds());
        for (Load load : loads) {
            for (int connections : LEVELS) {
                Sampler sampler = Sampler.start(replica.pid(), database);
                long ticks = Machine.cpuTicks(replica.pid());
                long started = System.nanoTime();
                Wrk.Result result = wrk(base, load, connections, RUN);
                double seconds = (System.nanoTime() - started) / 1e9;
                double cores = (Machine.cpuTicks(replica.pid()) - ticks) / 100.0 / seconds;
                Footprint held = sampler.stop();
                System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %d | %.2f | %.2f | %.0f | %d, %d |%n",
                        load.name(), connections, result.rate(), result.p50Ms(), result.p99Ms(), result.errors(),
                        cores, cores * 1000 / result.rate(), held.rssMb(), held.connections(),
                        held.activeConnections());
                assertThat(result.errors()).as(load.name() + " at " + connections).isZero();
            }
        }
    }

    private static Wrk.Result wrk(String base, Load load, int connections, Duration duration) throws Exception {
        return load.body() == null ? Wrk.get(base + load.path(), load.headers(), connections, duration)
                : Wrk.run(base + load.path(), load.body(), load.headers(), connections, duration);
    }

    /**
     * Persisted chat answers ({@code POST /api/v1/chats/{id}/answers}: streamed, saved in batches, usage recorded),
     * each caller in a chat of its own, a new chat every 10 answers.
     */
    private static void answers(AtriumProcess replica, TestInfrastructure.Database database, Caller caller)
            throws Exception {
        Api api = replica.api();
        System.out.printf(Locale.ROOT, "%npersisted chat answers (Java callers, %d s per point)%n| callers | answers/s"
                + " | p50 ms | p99 ms | Atrium CPU (cores) | CPU ms per answer | RSS MB (max)"
                + " | PostgreSQL connections (max, max active) |%n|---|---|---|---|---|---|---|---|%n",
                RUN.toSeconds());
        answering(api, caller, 16, WARMUP, new ArrayList<>());
        for (int callers : LEVELS) {
            Sampler sampler = Sampler.start(replica.pid(), database);
            long ticks = Machine.cpuTicks(replica.pid());
            long started = System.nanoTime();
            List<Long> times = java.util.Collections.synchronizedList(new ArrayList<>());
            answering(api, caller, callers, RUN, times);
            double seconds = (System.nanoTime() - started) / 1e9;
            double cores = (Machine.cpuTicks(replica.pid()) - ticks) / 100.0 / seconds;
            Footprint held = sampler.stop();
            long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.0f | %d, %d |%n", callers,
                    sorted.length / seconds, percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6, cores,
                    cores * 1000 / (sorted.length / seconds), held.rssMb(), held.connections(),
                    held.activeConnections());
        }
    }

    private static void answering(Api api, Caller caller, int callers, Duration duration, List<Long> times)
            throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        AtomicInteger failures = new AtomicInteger();
        Callers.run(callers, callers, index -> {
            String path = null;
            String body = null;
            for (int answered = 0; System.nanoTime() < end; answered++) {
                if (answered % 10 == 0) {
                    Api.Response chat = api.post("/api/v1/chats", Map.of("message", Map.of("content", "Hello?")),
                            caller.token());
                    assertThat(chat.status()).as(chat.text()).isEqualTo(201);
                    path = "/api/v1/chats/" + chat.json().path("chat").path("id").asString() + "/answers";
                    body = "{\"questionId\":\"" + chat.json().path("messages").get(0).path("message").path("id")
                            .asString() + "\",\"model\":\"fake/bench-model\"}";
                }
                long begun = System.nanoTime();
                HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
                        .header("Authorization", "Bearer " + caller.token())
                        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200 || !answer.body().contains("event:end")) {
                    failures.incrementAndGet();
                    continue;
                }
                times.add(System.nanoTime() - begun);
            }
        });
        assertThat(failures).as("failed answers").hasValue(0);
    }

    /** What Redis holds for this replica's cluster after the load: keys and their memory. */
    private static void redis(TestInfrastructure.Database database) {
        RedisClient client = RedisClient.create(TestInfrastructure.redisUrl());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            long keys = 0;
            long bytes = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = connection.sync().scan(cursor,
                        ScanArgs.Builder.matches(database.redisKeyPrefix() + "*").limit(1000));
                for (String key : page.getKeys()) {
                    keys++;
                    Long usage = connection.sync().memoryUsage(key);
                    bytes += usage == null ? 0 : usage;
                }
                cursor = page;
            } while (!cursor.isFinished());
            System.out.printf(Locale.ROOT, "%nRedis after the load: %d keys under the cluster's prefix, %.1f KB"
                    + " (MEMORY USAGE summed)%n", keys, bytes / 1024.0);
        } finally {
            client.shutdown();
        }
    }

    /** Samples the replica's resident memory and its PostgreSQL connections every 200 ms until stopped. */
    private static final class Sampler {
        private final Thread thread;
        private final AtomicLong rssKb = new AtomicLong();
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger active = new AtomicInteger();
        private volatile boolean running = true;

        private Sampler(long pid, TestInfrastructure.Database database) {
            thread = Thread.ofPlatform().start(() -> {
                try (Connection jdbc = DriverManager.getConnection(database.jdbcUrl(), database.user(),
                        database.password());
                     PreparedStatement count = jdbc.prepareStatement("select count(*), count(*) filter (where"
                             + " state = 'active') from pg_stat_activity where datname = current_database()"
                             + " and pid <> pg_backend_pid()")) {
                    while (running) {
                        rssKb.accumulateAndGet(Machine.rssKb(pid), Math::max);
                        try (ResultSet row = count.executeQuery()) {
                            row.next();
                            connections.accumulateAndGet(row.getInt(1), Math::max);
                            active.accumulateAndGet(row.getInt(2), Math::max);
                        }
                        Thread.sleep(200);
                    }
                } catch (SQLException | IOException | InterruptedException failure) {
                    throw new IllegalStateException(failure);
                }
            });
        }

        static Sampler start(long pid, TestInfrastructure.Database database) {
            return new Sampler(pid, database);
        }

        Footprint stop() throws InterruptedException {
            running = false;
            thread.join();
            return new Footprint(rssKb.get() / 1024.0, connections.get(), active.get());
        }
    }

    private static Footprint sample(long pid, TestInfrastructure.Database database, Duration duration)
            throws InterruptedException {
        Sampler sampler = Sampler.start(pid, database);
        Thread.sleep(duration.toMillis());
        return sampler.stop();
    }

    private static int awaitPort(Path log) throws Exception {
        Pattern listening = Pattern.compile("listening (\\d+)");
        for (int i = 0; i < 200; i++) {
            Matcher found = listening.matcher(Files.readString(log));
            if (found.find()) {
                return Integer.parseInt(found.group(1));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the fake upstream did not start: " + Files.readString(log));
    }

    private static double median(List<double[]> runs, int column) {
        double[] values = runs.stream().mapToDouble(run -> run[column]).sorted().toArray();
        return values[values.length / 2];
    }

    private static long percentile(long[] sorted, int percentile) {
        return sorted.length == 0 ? 0
                : sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
    }
}
