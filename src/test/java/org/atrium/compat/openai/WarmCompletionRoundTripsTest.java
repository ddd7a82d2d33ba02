package org.atrium.compat.openai;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.StatementLog;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hot path of a proxied call (key check, effective state, model, credential, quota, usage) makes no round trip to
 * PostgreSQL once its caches are warm: every statement the application sends is logged at the JDBC driver, and those
 * made while warm calls run are checked, leaving out the background threads that flush usage and poll for jobs.
 * Also what the hot path keeps elsewhere: a changed header or credential is used at once, and the models in use list
 * each call that runs long enough to be seen while it runs, and none after; the fast ones cost Redis nothing for it.
 */
class WarmCompletionRoundTripsTest extends IntegrationTest {

    /** Threads that work on a schedule (usage flushes, jobs, the version relay), not on a request's behalf. */
    private static final List<String> BACKGROUND = List.of("usage-flush", "db-scheduler", "scheduling-");

    @DynamicPropertySource
    static void loggedDatabase(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> StatementLog.url(System.getProperty("spring.datasource.url")));
        registry.add("spring.datasource.driver-class-name", () -> StatementLog.DRIVER);
    }

    @Autowired
    private StringRedisTemplate redis;
    private FakeChatServer provider;
    private TestUsers.Account admin;
    private String connectionId;
    private String model;
    private String apiKey;
    private TestUsers.Account user;
    private String connectionName;
    private String credentialId;

    @BeforeEach
    void start() {
        admin = users.admin();
        provider = FakeChatServer.start().models("m");
        String name = "warm-" + UUID.randomUUID().toString().substring(0, 8);
        connectionName = name;
        Api.Response created = api.post("/api/v1/connections", Map.of("name", name, "kind", "openai", "baseUrl",
                provider.openAiBaseUrl(), "headers", Map.of("X-Tenant", "first")), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        connectionId = created.json().path("id").asString();
        model = name + "/m";
        user = users.user();
        credentialId = credential("sk-upstream-0123456789abcdef");
        Api.Response key = api.post("/api/v1/api-keys", Map.of("name", "script"), user.token());
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        apiKey = key.json().path("key").asString();
    }

    @AfterEach
    void stop() {
        api.delete("/api/v1/connections/" + connectionId, admin.token());
        provider.close();
    }

    private String credential(String secret) {
        Api.Response stored = api.post("/api/v1/me/credentials", Map.of("connection", connectionName, "kind",
                "api_key", "name", "mine", "secret", secret), user.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
        return stored.json().path("id").asString();
    }

    private void complete(boolean stream) {
        Api.Response response = api.post("/v1/chat/completions", Map.of("model", model, "stream", stream,
                "messages", List.of(Map.of("role", "user", "content", "Hi"))), apiKey);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    @Test
    void warmCompletionsMakeNoDatabaseRoundTrip() {
        complete(false);
        complete(true);
        StatementLog.drain();

        for (int i = 0; i < 10; i++) {
            complete(i % 2 == 0);
        }

        List<StatementLog.Entry> onRequests = StatementLog.drain().stream()
                .filter(entry -> BACKGROUND.stream().noneMatch(entry.thread()::startsWith)).toList();
        assertThat(onRequests).as("round trips to PostgreSQL during 10 warm calls").isEmpty();
    }

    @Test
    void aChangedCredentialOrHeaderIsUsedByTheNextCall() {
        complete(false);
        assertThat(provider.lastChat().headers()).containsEntry("x-tenant", "first")
                .containsEntry("authorization", "Bearer sk-upstream-0123456789abcdef");

        assertThat(api.patch("/api/v1/connections/" + connectionId, Map.of("headers", Map.of("X-Tenant", "second")),
                admin.token()).status()).isEqualTo(200);
        complete(false);
        assertThat(provider.lastChat().headers()).containsEntry("x-tenant", "second");

        assertThat(api.delete("/api/v1/me/credentials/" + credentialId, user.token()).status()).isEqualTo(204);
        credential("sk-upstream-rotated-0123456789");
        complete(true);
        assertThat(provider.lastChat().headers())
                .containsEntry("authorization", "Bearer sk-upstream-rotated-0123456789");
    }

    private int listedStreams() {
        return api.get("/api/v1/models-in-use", admin.token()).json().path("models").valueStream()
                .filter(m -> m.path("model").asString().equals("m") && m.path("connection").asString()
                        .equals(connectionName))
                .mapToInt(m -> m.path("streams").asInt()).sum();
    }

    /**
     * A call is listed in the models in use once it has run for a tenth of a second, so a fast call ends before it is
     * listed (and one may end while it is being listed): it must still leave nothing listed.
     */
    @Test
    void aSlowCallIsListedInTheModelsInUseWhileItRunsAndFastOnesLeaveNothing() throws Exception {
        provider.enqueue(FakeChatServer.Script.text("slow answer").slowStart(Duration.ofSeconds(2)));
        CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> complete(true));
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        int listed = 0;
        while (listed == 0 && System.nanoTime() < deadline) {
            listed = listedStreams();
        }
        assertThat(listed).as("the slow call, listed while the provider has not answered").isEqualTo(1);
        slow.get();

        try (ExecutorService callers = Executors.newFixedThreadPool(8)) {
            List<CompletableFuture<Void>> fast = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                boolean stream = i % 2 == 0;
                fast.add(CompletableFuture.runAsync(() -> complete(stream), callers));
            }
            for (CompletableFuture<Void> call : fast) {
                call.get();
            }
        }
        assertThat(listedStreams()).as("every call ended, none left listed").isZero();
    }

    /**
     * Counted over Redis as a whole: a window of 10 calls is taken again (up to three times) if a write comes from
     * elsewhere (the periodic refresh of an answer another test left streaming); listing each call would write 20
     * times in every window.
     */
    @Test
    void fastCallsCostNoRoundTripToRedisForTheModelsInUse() {
        complete(false);
        complete(true);
        List<Long> writesPerWindow = new ArrayList<>();
        do {
            long before = modelsInUseWrites();
            for (int i = 0; i < 10; i++) {
                complete(i % 2 == 0);
            }
            writesPerWindow.add(modelsInUseWrites() - before);
        } while (writesPerWindow.getLast() != 0 && writesPerWindow.size() < 3);

        assertThat(writesPerWindow).as("writes of the models in use (sorted-set members added or removed) during"
                + " windows of 10 warm calls that each took milliseconds").contains(0L);
    }

    /**
     * A call looks its model up in its connection's list, which this replica reads from Redis at most once a second
     * (provider data; a change to the connection is seen at once, as
     * {@link #aChangedCredentialOrHeaderIsUsedByTheNextCall} shows). Counted over Redis as a whole, as above: reading
     * the list for each call would take 10 {@code GET}s in every window of 10 calls.
     */
    @Test
    void warmCallsReadTheirModelListFromRedisAtMostOnceASecond() {
        complete(false);
        List<Long> readsPerWindow = new ArrayList<>();
        do {
            long before = commandCalls("cmdstat_get");
            long started = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                complete(i % 2 == 0);
            }
            long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
            readsPerWindow.add(commandCalls("cmdstat_get") - before - seconds);
        } while (readsPerWindow.getLast() > 1 && readsPerWindow.size() < 3);

        assertThat(readsPerWindow).as("GETs during windows of 10 warm calls, less one for each whole second the"
                + " window took").anyMatch(reads -> reads <= 1);
    }

    /** Commands Redis has run that add or remove members of a sorted set (only the models in use keep one). */
    private long modelsInUseWrites() {
        return commandCalls("cmdstat_zadd", "cmdstat_zrem");
    }

    /** How many times Redis has run these commands (its {@code INFO commandstats}), summed. */
    private long commandCalls(String... commands) {
        Properties stats = redis.execute((RedisCallback<Properties>) connection -> connection.serverCommands()
                .info("commandstats"));
        assertThat(stats).isNotNull();
        return Stream.of(commands).mapToLong(name -> {
            String line = stats.getProperty(name, "calls=0,");
            return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
        }).sum();
    }

    @Test
    void theLogSeesTheRoundTripsOfAColdCall() {
        StatementLog.drain();

        complete(false);

        assertThat(StatementLog.drain().stream().filter(entry -> BACKGROUND.stream()
                .noneMatch(entry.thread()::startsWith))).as("a new key is read from PostgreSQL").isNotEmpty();
    }
}
