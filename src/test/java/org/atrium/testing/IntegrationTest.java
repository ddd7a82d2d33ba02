package org.atrium.testing;

import org.atrium.cache.Invalidation;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Base of in-process integration tests: one Atrium in cluster mode on a random port, on its own database of the
 * test PostgreSQL and the test Redis, reached over real HTTP. Subclasses share the context (and the database), so
 * each test creates the accounts it needs with {@link TestUsers} and never assumes an empty database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    /**
     * The embeddings provider every in-process test talks to (connections {@code fake}, OpenAI wire format, and
     * {@code fake-ollama}): one dimension per keyword, so a query naming a keyword finds the chunks that mention it.
     */
    protected static final FakeEmbeddingServer EMBEDDINGS = FakeEmbeddingServer.withKeywords("kiwi", "mango",
            "papaya", "lichen", "granite", "violin", "tundra", "saffron");

    static {
        // System properties rather than @DynamicPropertySource: Atrium derives its mode (cluster when Redis is
        // configured) and log format before the test framework adds dynamic properties.
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("it");
        System.setProperty("spring.datasource.url", database.jdbcUrl());
        System.setProperty("spring.datasource.username", database.user());
        System.setProperty("spring.datasource.password", database.password());
        System.setProperty("spring.data.redis.url", TestInfrastructure.redisUrl());
        System.setProperty("atrium.cache.key-prefix", database.redisKeyPrefix());
        System.setProperty("atrium.secrets.keys.test", TestInfrastructure.SECRETS_KEY);
        System.setProperty("atrium.metrics.token", TestInfrastructure.METRICS_TOKEN);
        // Every in-process test signs in from 127.0.0.1 into one shared context: the per-address throttle would make
        // tests depend on each other's failed sign-ins. It is tested in its own process (AbuseLimitsProcessTest).
        System.setProperty("atrium.signin.throttle.address-free-attempts", "1000000");
        System.setProperty("atrium.providers.connections.fake.type", "openai");
        System.setProperty("atrium.providers.connections.fake.base-url", EMBEDDINGS.openAiBaseUrl());
        System.setProperty("atrium.providers.connections.fake-ollama.type", "ollama");
        System.setProperty("atrium.providers.connections.fake-ollama.base-url", EMBEDDINGS.ollamaBaseUrl());
        System.setProperty("atrium.connections.allow-private-addresses", "true"); // fake providers on loopback
        // bcrypt's lowest cost: thousands of sign-ups would otherwise spend minutes hashing (PasswordHashingTest).
        System.setProperty("atrium.passwords.hash-cost", "4");
        System.setProperty("atrium.providers.embedding.initial-backoff", "50ms");
        System.setProperty("atrium.providers.embedding.max-backoff", "200ms");
        System.setProperty("atrium.knowledge.ingest-retry-backoff", "1s");
        System.setProperty("atrium.jobs.polling-interval", "200ms");
        // A server notices a stream its client closed only when a write fails: at a heartbeat, 15 s by default.
        System.setProperty("atrium.events.heartbeat", "2s");
        // A title given up past its limit is waited for by TaskModelsTest: 6 s rather than the shipped 10 s.
        System.setProperty("atrium.chat.tasks.title-timeout", "6s");
        System.setProperty("atrium.data-dir",
                System.getProperty("java.io.tmpdir") + "/atrium-it-" + TestInfrastructure.runId());
    }

    @LocalServerPort
    private int port;

    @Autowired
    protected JdbcClient jdbc;

    @Autowired
    private PlatformTransactionManager transactions;

    @Autowired
    private Invalidation invalidation;

    protected DirectWrites direct;

    protected Api api;
    protected TestUsers users;

    @BeforeEach
    void connect() {
        api = new Api("http://127.0.0.1:" + port);
        direct = new DirectWrites(jdbc, transactions, invalidation);
        users = new TestUsers(api, direct);
    }

    /**
     * @param name a meter's Prometheus name, such as {@code atrium_events_streams}
     * @return its value in this instance's scrape (the first series of that name)
     * @throws AssertionError when the scrape has no such series
     */
    protected double metric(String name) {
        Api.Response scrape = api.get("/actuator/prometheus", TestInfrastructure.METRICS_TOKEN);
        java.util.regex.Matcher series = java.util.regex.Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$")
                .matcher(scrape.text());
        if (!series.find()) {
            throw new AssertionError("no " + name + " in the scrape (status " + scrape.status() + ")");
        }
        return Double.parseDouble(series.group(2));
    }
}
