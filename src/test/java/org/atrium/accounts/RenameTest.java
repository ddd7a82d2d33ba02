package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code PATCH /api/v1/auth/me}: a member changes their own name, which the next request sees (their account, their
 * effective state, their group's member list), and a name that is blank, too long or carries characters that could
 * disguise it changes nothing.
 */
class RenameTest extends IntegrationTest {

    private static final String ME = "/api/v1/auth/me";

    private static void assertRefused(Api.Response response, String reason) {
        assertThat(response.status()).as(response.text()).isEqualTo(400);
        assertThat(response.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(response.text()).as(reason).contains("name");
    }

    @Test
    void aMemberRenamesThemselvesAndTheNextRequestsSeeIt() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        UUID group = users.group(admin, "renamers");
        users.member(admin, group, member, "member");
        assertThat(api.get("/api/v1/me/effective-state", member.token()).status()).isEqualTo(200); // cached now

        Api.Response renamed = api.patch(ME, Map.of("name", "  Ada King  "), member.token());

        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        assertThat(renamed.json().path("name").asString()).as("stripped").isEqualTo("Ada King");
        assertThat(renamed.json().path("email").asString()).isEqualTo(member.email());
        assertThat(api.get(ME, member.token()).json().path("name").asString()).isEqualTo("Ada King");
        assertThat(api.get("/api/v1/groups/" + group + "/members", admin.token()).text()).contains("Ada King");
        assertThat(api.get("/api/v1/users/" + member.id(), admin.token()).json().path("role").asString())
                .as("nothing else changed").isEqualTo("user");
    }

    @Test
    void aBlankLongOrDisguisedNameChangesNothing() {
        TestUsers.Account member = users.user();
        String before = api.get(ME, member.token()).json().path("name").asString();

        assertRefused(api.patch(ME, Map.of("name", "   "), member.token()), "blank");
        assertRefused(api.patch(ME, Map.of("name", "n".repeat(201)), member.token()), "too long");
        assertRefused(api.patch(ME, Map.of("name", "Admin\u202Etxt.exe"), member.token()), "a bidirectional override");
        assertRefused(api.patch(ME, Map.of("name", "line\nbreak"), member.token()), "a control character");
        assertThat(api.patch(ME, Map.of(), member.token()).status()).isEqualTo(400);

        assertThat(api.get(ME, member.token()).json().path("name").asString()).isEqualTo(before);
        assertThat(api.patch(ME, Map.of("name", "n".repeat(200)), member.token()).status()).as("the limit itself")
                .isEqualTo(200);
    }
}
