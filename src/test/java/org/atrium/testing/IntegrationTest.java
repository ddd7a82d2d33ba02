package org.atrium.testing;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of in-process integration tests: one Atrium in cluster mode on a random port, on its own database of the
 * test PostgreSQL and the test Redis, reached over real HTTP. Subclasses share the context (and the database), so
 * each test creates the accounts it needs with {@link TestUsers} and never assumes an empty database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    private static final TestInfrastructure.Database DATABASE = TestInfrastructure.createDatabase("it");

    @LocalServerPort
    private int port;

    @Autowired
    protected JdbcClient jdbc;

    protected Api api;
    protected TestUsers users;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", DATABASE::jdbcUrl);
        registry.add("spring.datasource.username", DATABASE::user);
        registry.add("spring.datasource.password", DATABASE::password);
        registry.add("spring.data.redis.url", TestInfrastructure::redisUrl);
        registry.add("atrium.data-dir", () -> System.getProperty("java.io.tmpdir") + "/atrium-it-"
                + TestInfrastructure.runId());
    }

    @BeforeEach
    void connect() {
        api = new Api("http://127.0.0.1:" + port);
        users = new TestUsers(api, jdbc);
    }
}
