package org.atrium.compat.openai;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A proxied call is listed in the models in use while the provider answers, and only then: it is listed once the
 * provider call is under way, so a call that ends before that (a fast provider) must still leave nothing behind.
 */
class CallsInUseTest extends IntegrationTest {

    private FakeChatServer provider;
    private TestUsers.Account admin;
    private String connectionId;
    private String model;
    private String apiKey;

    @BeforeEach
    void start() {
        admin = users.admin();
        provider = FakeChatServer.start().models("m");
        String name = "in-use-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", name, "kind", "openai", "baseUrl",
                provider.openAiBaseUrl()), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        connectionId = created.json().path("id").asString();
        model = name + "/m";
        TestUsers.Account user = users.user();
        assertThat(api.post("/api/v1/me/credentials", Map.of("connection", name, "kind", "api_key", "name", "mine",
                "secret", "sk-upstream-0123456789abcdef"), user.token()).status()).isEqualTo(201);
        Api.Response key = api.post("/api/v1/api-keys", Map.of("name", "script"), user.token());
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        apiKey = key.json().path("key").asString();
    }

    @AfterEach
    void stop() {
        api.delete("/api/v1/connections/" + connectionId, admin.token());
        provider.close();
    }

    private Api.Response complete(boolean stream) {
        return api.post("/v1/chat/completions", Map.of("model", model, "stream", stream,
                "messages", List.of(Map.of("role", "user", "content", "Hi"))), apiKey);
    }

    private int streams() {
        return api.get("/api/v1/models-in-use", admin.token()).json().path("models").valueStream()
                .filter(m -> m.path("model").asString().equals("m") && m.path("connection").asString()
                        .equals(model.substring(0, model.indexOf('/'))))
                .mapToInt(m -> m.path("streams").asInt()).sum();
    }

    @Test
    void aSlowCallIsListedWhileItRunsAndFastOnesLeaveNothing() throws Exception {
        provider.enqueue(FakeChatServer.Script.text("slow answer").slowStart(Duration.ofSeconds(2)));
        CompletableFuture<Api.Response> slow = CompletableFuture.supplyAsync(() -> complete(true));
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        int seen = 0;
        while (seen == 0 && System.nanoTime() < deadline) {
            seen = streams();
        }
        assertThat(seen).as("the slow call, listed while the provider has not answered").isEqualTo(1);
        assertThat(slow.get().status()).isEqualTo(200);

        try (ExecutorService callers = Executors.newFixedThreadPool(8)) {
            List<CompletableFuture<Api.Response>> fast = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                boolean stream = i % 2 == 0;
                fast.add(CompletableFuture.supplyAsync(() -> complete(stream), callers));
            }
            for (CompletableFuture<Api.Response> call : fast) {
                assertThat(call.get().status()).isEqualTo(200);
            }
        }
        assertThat(streams()).as("every call ended, none left listed").isZero();
    }
}
