package org.atrium.testing;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link FakeChatServer} registered as an OpenAI-compatible connection by a new instance admin, for tests that
 * chat through Atrium; {@link #close()} removes the connection and stops the server.
 *
 * @param provider the fake provider
 * @param name     the connection's name (models are {@code <name>/<model>})
 * @param id       the connection's id
 * @param admin    the admin who added it
 * @param api      the client it was registered with
 */
public record FakeConnection(FakeChatServer provider, String name, String id, TestUsers.Account admin, Api api)
        implements AutoCloseable {

    /** Starts a fake provider offering {@code models}, registered under a unique name starting with {@code hint}. */
    public static FakeConnection open(Api api, TestUsers users, String hint, String... models) {
        FakeChatServer provider = FakeChatServer.start();
        provider.models(models);
        TestUsers.Account admin = users.admin();
        String name = hint + "-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", name, "kind", "openai",
                "baseUrl", provider.openAiBaseUrl()), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return new FakeConnection(provider, name, created.json().path("id").asString(), admin, api);
    }

    /** @return a new approved user with a personal key for this connection */
    public TestUsers.Account userWithKey(TestUsers users) {
        TestUsers.Account user = users.user();
        Api.Response stored = api.post("/api/v1/me/credentials", Map.of("connection", name, "kind", "api_key",
                "name", "mine", "secret", "sk-mine-0123456789abcdef"), user.token());
        assertThat(stored.status()).as(stored.text()).isEqualTo(201);
        return user;
    }

    @Override
    public void close() {
        api.delete("/api/v1/connections/" + id, admin.token());
        provider.close();
    }
}
