package org.atrium.cache;

import org.atrium.testing.Api;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Race (h) of docs/consistency.md: objects built from the state (here the effective-state view, which
 * {@code GET /api/v1/me/effective-state} keeps in {@link DerivedObjects} per credential) are rebuilt as soon as they
 * are asked for with another stamp.
 */
class DerivedObjectsRaceTest extends ProtocolRaceTestBase {

    @Autowired
    private DerivedObjects derived;

    @Test
    void effectiveStateViewIsRebuiltAfterAGroupSettingChange() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "derived");
        users.member(admin, group, user, "member");
        putGroupPrompt(admin, group, "first");
        assertThat(setting(user.token(), "systemPrompt")).isEqualTo("\"first\"");
        assertThat(setting(user.token(), "systemPrompt")).as("the view built for this stamp").isEqualTo("\"first\"");

        putGroupPrompt(admin, group, "second");
        assertThat(setting(user.token(), "systemPrompt")).isEqualTo("\"second\"");
        assertThat(state(user.token()).json().path("settings").path("systemPrompt").path("source").asString())
                .isEqualTo("group:" + group);

        changeRole(admin, user, "admin");
        assertThat(role(user.token())).isEqualTo("admin");
    }

    @Test
    void anObjectIsKeptForOneStampOnly() {
        String key = UUID.randomUUID().toString();
        Stamp before = Stamp.of(Map.of("i", 1L, "u:" + key, 7L));
        Stamp after = Stamp.of(Map.of("i", 1L, "u:" + key, 9L));
        AtomicInteger builds = new AtomicInteger();

        Object first = derived.get("race-test", key, before, () -> "built " + builds.incrementAndGet());
        Object same = derived.get("race-test", key, before, () -> "built " + builds.incrementAndGet());
        Object rebuilt = derived.get("race-test", key, after, () -> "built " + builds.incrementAndGet());
        Object olderAgain = derived.get("race-test", key, before, () -> "built " + builds.incrementAndGet());

        assertThat(first).isEqualTo("built 1").isSameAs(same);
        assertThat(rebuilt).isEqualTo("built 2");
        assertThat(olderAgain).as("never handed out for a stamp it was not built from").isEqualTo("built 3");
    }

    private void putGroupPrompt(TestUsers.Account admin, UUID group, String prompt) {
        Api.Response response = api.put("/api/v1/groups/" + group + "/settings",
                Map.of("settings", Map.of("systemPrompt", prompt)), admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }
}
