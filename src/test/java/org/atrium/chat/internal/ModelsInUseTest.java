package org.atrium.chat.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.chat.ModelsInUse;
import org.atrium.chat.ModelsInUseView;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Models in use across two "replicas" on the test Redis, expiry without refresh, and the HTTP view. */
class ModelsInUseTest extends IntegrationTest {

    @Autowired
    private StringRedisTemplate redis;
    @Autowired
    private ModelsInUse modelsInUse;

    private final String prefix = "atrium-test:models-in-use:" + UUID.randomUUID() + ":";

    private RedisModelsInUse replica(String name, Duration ttl) {
        return new RedisModelsInUse(redis, CircuitBreaker.ofDefaults(name), prefix, ttl,
                new LocalModelsInUse(name, Clock.systemUTC()), Clock.systemUTC());
    }

    @Test
    void streamsOfEveryReplicaAreCountedByModelAndVanishWhenClosed() {
        RedisModelsInUse a = replica("replica-a", Duration.ofSeconds(30));
        RedisModelsInUse b = replica("replica-b", Duration.ofSeconds(30));
        ModelsInUse.Handle one = a.begin("gpt-4o", "openai", UUID.randomUUID());
        ModelsInUse.Handle two = a.begin("gpt-4o", "openai", UUID.randomUUID());
        ModelsInUse.Handle three = b.begin("gpt-4o", "openai", UUID.randomUUID());
        ModelsInUse.Handle four = b.begin("claude", "anthropic", UUID.randomUUID());

        ModelsInUseView view = b.view();
        assertThat(view.partial()).isFalse();
        assertThat(view.streams()).isEqualTo(4);
        assertThat(view.models()).containsExactly(
                new ModelsInUseView.Model("gpt-4o", "openai", 3, List.of("replica-a", "replica-b")),
                new ModelsInUseView.Model("claude", "anthropic", 1, List.of("replica-b")));

        one.close();
        one.close();
        four.close();
        assertThat(a.view().models()).containsExactly(
                new ModelsInUseView.Model("gpt-4o", "openai", 2, List.of("replica-a", "replica-b")));
        two.close();
        three.close();
        assertThat(a.view().streams()).isZero();
    }

    @Test
    void aKilledReplicasEntriesExpireWithoutCleanup() throws InterruptedException {
        Duration ttl = Duration.ofMillis(600);
        RedisModelsInUse killed = replica("killed", ttl);
        RedisModelsInUse alive = replica("alive", ttl);
        killed.begin("gpt-4o", "openai", UUID.randomUUID());
        ModelsInUse.Handle living = alive.begin("gpt-4o", "openai", UUID.randomUUID());
        assertThat(alive.view().streams()).isEqualTo(2);

        // "alive" keeps refreshing (as its scheduler would, every third of the TTL); "killed" no longer does.
        long deadline = System.nanoTime() + ttl.multipliedBy(2).toNanos();
        while (System.nanoTime() < deadline) {
            alive.refresh();
            Thread.sleep(ttl.dividedBy(3).toMillis());
        }
        ModelsInUseView view = alive.view();
        assertThat(view.streams()).isEqualTo(1);
        assertThat(view.models().getFirst().replicas()).containsExactly("alive");

        // Now "alive" is killed too (never closes its handle): the set itself expires.
        Thread.sleep(ttl.toMillis() + 100);
        assertThat(redis.hasKey(prefix + "models-in-use")).as("the set itself expires").isFalse();
        assertThat(living).isNotNull();
    }

    @Test
    void aReplicaThatCannotReachRedisShowsItsOwnStreamsAsPartial() {
        LettuceConnectionFactory unreachable = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", 1),
                LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(200)).build());
        unreachable.afterPropertiesSet();
        try {
            RedisModelsInUse cut = new RedisModelsInUse(new StringRedisTemplate(unreachable),
                    CircuitBreaker.ofDefaults("cut"), prefix, Duration.ofSeconds(30),
                    new LocalModelsInUse("cut", Clock.systemUTC()), Clock.systemUTC());
            try (ModelsInUse.Handle handle = cut.begin("llama3", "ollama", UUID.randomUUID())) {
                ModelsInUseView view = cut.view();
                assertThat(view.partial()).isTrue();
                assertThat(view.streams()).isEqualTo(1);
            }
            assertThat(cut.view().streams()).isZero();
        } finally {
            unreachable.destroy();
        }
    }

    @Test
    void onASingleNodeTheViewIsThisProcesss() {
        LocalModelsInUse local = new LocalModelsInUse("only", Clock.systemUTC());
        ModelsInUse.Handle handle = local.begin("gpt-4o", "openai", UUID.randomUUID());
        assertThat(local.view().models()).containsExactly(
                new ModelsInUseView.Model("gpt-4o", "openai", 1, List.of("only")));
        handle.close();
        assertThat(local.view().streams()).isZero();
    }

    @Test
    void instanceAdminsSeeTheViewOverHttp() {
        TestUsers.Account admin = users.admin();
        String model = "http-" + UUID.randomUUID();
        try (ModelsInUse.Handle handle = modelsInUse.begin(model, "fake", UUID.randomUUID())) {
            JsonNode view = api.get("/api/v1/models-in-use", admin.token()).json();
            assertThat(view.path("partial").asBoolean()).isFalse();
            assertThat(view.path("models").valueStream().filter(m -> m.path("model").asString().equals(model))
                    .findFirst().orElseThrow().path("streams").asInt()).isEqualTo(1);
        }
        JsonNode after = api.get("/api/v1/models-in-use", admin.token()).json();
        assertThat(after.path("models").valueStream().noneMatch(m -> m.path("model").asString().equals(model)))
                .isTrue();
    }
}
