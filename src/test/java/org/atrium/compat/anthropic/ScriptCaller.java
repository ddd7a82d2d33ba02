package org.atrium.compat.anthropic;

import org.atrium.testing.Api;
import org.atrium.testing.FakeChatServer;
import org.atrium.testing.TestUsers;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A caller as a script sees Atrium: a fresh OpenAI-compatible connection to a fake provider offering model {@code m},
 * a user with a credential for it, and that user's API key.
 *
 * @param provider     the fake provider
 * @param admin        the admin who made the connection
 * @param model        the model's catalogue id
 * @param key          the user's API key
 * @param connectionId the connection, deleted by {@link #close}
 */
record ScriptCaller(FakeChatServer provider, TestUsers.Account admin, String model, String key, String connectionId) {

    static ScriptCaller create(Api api, TestUsers users) {
        TestUsers.Account admin = users.admin();
        FakeChatServer provider = FakeChatServer.start().models("m");
        String name = "oa-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/api/v1/connections", Map.of("name", name, "kind", "openai", "baseUrl",
                provider.openAiBaseUrl()), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        TestUsers.Account user = users.user();
        assertThat(api.post("/api/v1/me/credentials", Map.of("connection", name, "kind", "api_key", "name", "mine",
                "secret", "sk-upstream-0123456789abcdef"), user.token()).status()).isEqualTo(201);
        Api.Response issued = api.post("/api/v1/api-keys", Map.of("name", "script"), user.token());
        assertThat(issued.status()).as(issued.text()).isEqualTo(201);
        return new ScriptCaller(provider, admin, name + "/m", issued.json().path("key").asString(),
                created.json().path("id").asString());
    }

    void close(Api api) {
        api.delete("/api/v1/connections/" + connectionId, admin.token());
        provider.close();
    }
}
