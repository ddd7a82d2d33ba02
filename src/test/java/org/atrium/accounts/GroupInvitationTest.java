package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.Documents;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Joining a group takes the user's consent: group admins invite, the invited user accepts or declines, instance
 * admins add directly (but never another instance admin), and every member may leave.
 */
class GroupInvitationTest extends IntegrationTest {

    private static final String GROUPS = "/api/v1/groups";
    private static final String INVITATIONS = "/api/v1/invitations";
    private static final String MY_STATE = "/api/v1/me/effective-state";

    @Test
    void groupAdminCannotMakeTheInstanceAdminOrAnyNonMemberAMember() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account outsider = users.user();
        UUID group = users.group(admin, "no-direct-add");
        users.member(admin, group, lead, "admin");
        setGroupSettings(admin, group, Map.of("systemPrompt", "the lead's prompt"));

        for (TestUsers.Account target : List.of(admin, outsider)) {
            Api.Response put = api.put(member(group, target.id()), Map.of("role", "member"), lead.token());

            assertProblem(put, 403, "invitation_required");
            assertThat(roleOf(admin, group, target)).isNull();
            assertThat(setting(target, "systemPrompt").path("source").asString()).isEqualTo("instance");
            assertThat(state(target).path("groups").size()).isZero();
        }
        // An id of nobody answers the same: the refusal does not tell whether an account exists.
        assertProblem(api.put(member(group, UUID.randomUUID()), Map.of("role", "member"), lead.token()), 403,
                "invitation_required");
    }

    @Test
    void instanceAdminAddsUsersDirectlyAndThemselvesButNotAnotherInstanceAdmin() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account otherAdmin = users.admin();
        TestUsers.Account user = users.user();
        UUID group = users.group(admin, "admin-adds");

        assertThat(api.put(member(group, user.id()), Map.of("role", "member"), admin.token()).status())
                .isEqualTo(200);
        assertProblem(api.put(member(group, otherAdmin.id()), Map.of("role", "member"), admin.token()), 403,
                "invitation_required");
        Api.Response self = api.put(member(group, admin.id()), Map.of("role", "admin"), admin.token());

        assertThat(self.status()).as(self.text()).isEqualTo(200);
        assertThat(roleOf(admin, group, user)).isEqualTo("member");
        assertThat(roleOf(admin, group, admin)).isEqualTo("admin");
        assertThat(roleOf(admin, group, otherAdmin)).isNull();

        // The other admin joins by accepting an invitation.
        UUID invitation = invite(admin, group, otherAdmin, "member");
        assertThat(api.post(INVITATIONS + "/" + invitation + "/accept", null, otherAdmin.token()).status())
                .isEqualTo(200);
        assertThat(roleOf(admin, group, otherAdmin)).isEqualTo("member");
    }

    @Test
    void invitedUserWhoAcceptsBecomesAMemberAndInheritsTheGroupsSettingsOnTheNextRequest() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account invitee = users.user();
        UUID group = users.group(admin, "accepted");
        users.member(admin, group, lead, "admin");
        setGroupSettings(admin, group, Map.of("systemPrompt", "group prompt"));
        assertThat(setting(invitee, "systemPrompt").path("source").asString()).isEqualTo("instance");

        UUID invitation = invite(lead, group, invitee, "member");

        // Waiting changes nothing: not a member, the group invisible, its settings not applied.
        assertThat(setting(invitee, "systemPrompt").path("source").asString()).isEqualTo("instance");
        assertProblem(api.get(GROUPS + "/" + group, invitee.token()), 404, "group_not_found");
        JsonNode mine = api.get(INVITATIONS, invitee.token()).json();
        assertThat(mine.path("total").asLong()).isEqualTo(1);
        assertThat(mine.path("items").get(0).path("groupId").asString()).isEqualTo(group.toString());
        assertThat(mine.path("items").get(0).path("invitedBy").asString()).isEqualTo(lead.id().toString());
        assertThat(ids(api.get(GROUPS + "/" + group + "/invitations", lead.token()))).containsExactly(
                invitation.toString());

        Api.Response accepted = api.post(INVITATIONS + "/" + invitation + "/accept", null, invitee.token());

        assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);
        assertThat(accepted.json().path("role").asString()).isEqualTo("member");
        // Twice: the second read may come from the never-stale cache.
        for (int read = 1; read <= 2; read++) {
            JsonNode prompt = setting(invitee, "systemPrompt");
            assertThat(prompt.path("value").asString()).as("read %d", read).isEqualTo("group prompt");
            assertThat(prompt.path("source").asString()).as("read %d", read).isEqualTo("group:" + group);
        }
        assertThat(roleOf(admin, group, invitee)).isEqualTo("member");
        assertThat(api.get(INVITATIONS, invitee.token()).json().path("total").asLong()).isZero();
        assertThat(api.get(GROUPS + "/" + group + "/invitations", lead.token()).json().path("total").asLong())
                .isZero();
        assertProblem(api.post(INVITATIONS + "/" + invitation + "/accept", null, invitee.token()), 404,
                "invitation_not_found");
    }

    @Test
    void declinedInvitationLeavesTheUserOutsideAndIsGone() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account invitee = users.user();
        UUID group = users.group(admin, "declined");
        UUID invitation = invite(admin, group, invitee, "member");

        Api.Response declined = api.post(INVITATIONS + "/" + invitation + "/decline", null, invitee.token());

        assertThat(declined.status()).as(declined.text()).isEqualTo(204);
        assertThat(roleOf(admin, group, invitee)).isNull();
        assertThat(state(invitee).path("groups").size()).isZero();
        assertProblem(api.post(INVITATIONS + "/" + invitation + "/accept", null, invitee.token()), 404,
                "invitation_not_found");
        // Declining does not bar a new invitation.
        invite(admin, group, invitee, "member");
    }

    @Test
    void revokedInvitationCannotBeAcceptedAndRevokingAgainSucceeds() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account invitee = users.user();
        UUID group = users.group(admin, "revoked");
        users.member(admin, group, lead, "admin");
        UUID invitation = invite(lead, group, invitee, "member");
        String path = GROUPS + "/" + group + "/invitations/" + invitation;

        assertThat(api.delete(path, lead.token()).status()).isEqualTo(204);

        assertProblem(api.post(INVITATIONS + "/" + invitation + "/accept", null, invitee.token()), 404,
                "invitation_not_found");
        assertThat(roleOf(admin, group, invitee)).isNull();
        assertThat(api.get(INVITATIONS, invitee.token()).json().path("total").asLong()).isZero();
        assertThat(api.delete(path, lead.token()).status()).isEqualTo(204);
    }

    @Test
    void onlyTheInvitedUserAnswersAnInvitation() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account invitee = users.user();
        TestUsers.Account stranger = users.user();
        UUID group = users.group(admin, "answer");
        users.member(admin, group, lead, "admin");
        UUID invitation = invite(lead, group, invitee, "member");

        for (TestUsers.Account other : List.of(stranger, lead, admin)) {
            assertProblem(api.post(INVITATIONS + "/" + invitation + "/accept", null, other.token()), 404,
                    "invitation_not_found");
            assertProblem(api.post(INVITATIONS + "/" + invitation + "/decline", null, other.token()), 404,
                    "invitation_not_found");
        }
        assertThat(roleOf(admin, group, invitee)).isNull();
        assertThat(api.get(INVITATIONS, invitee.token()).json().path("total").asLong()).isEqualTo(1);
    }

    @Test
    void groupAdminInvitesAsMemberOnlyAndAnInstanceAdminsInvitationAsAdminIsKeptFromThem() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account invitee = users.user();
        TestUsers.Account already = users.user();
        UUID group = users.group(admin, "as-admin");
        users.member(admin, group, lead, "admin");
        users.member(admin, group, already, "member");

        assertProblem(api.post(GROUPS + "/" + group + "/invitations",
                Map.of("userId", invitee.id(), "role", "admin"), lead.token()), 403, "forbidden");
        assertProblem(api.post(GROUPS + "/" + group + "/invitations", Map.of("userId", already.id()),
                lead.token()), 409, "already_member");
        UUID invitation = invite(admin, group, invitee, "admin");
        assertProblem(api.post(GROUPS + "/" + group + "/invitations", Map.of("userId", invitee.id()),
                lead.token()), 409, "invitation_exists");
        assertProblem(api.delete(GROUPS + "/" + group + "/invitations/" + invitation, lead.token()), 403,
                "forbidden");

        Api.Response accepted = api.post(INVITATIONS + "/" + invitation + "/accept", null, invitee.token());

        assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);
        assertThat(roleOf(admin, group, invitee)).isEqualTo("admin");
    }

    @Test
    void membersLeaveTheLastGroupAdminIncludedAndTheGroupsSettingsStopApplying() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account member = users.user();
        UUID group = users.group(admin, "leaving");
        users.member(admin, group, lead, "admin");
        users.member(admin, group, member, "member");
        setGroupSettings(admin, group, Map.of("systemPrompt", "group prompt"));
        assertThat(setting(member, "systemPrompt").path("source").asString()).isEqualTo("group:" + group);

        assertThat(api.delete(member(group, member.id()), member.token()).status()).isEqualTo(204);
        assertThat(api.delete(member(group, lead.id()), lead.token()).status()).isEqualTo(204);

        assertThat(setting(member, "systemPrompt").path("source").asString()).isEqualTo("instance");
        assertThat(setting(lead, "systemPrompt").path("source").asString()).isEqualTo("instance");
        assertProblem(api.get(GROUPS + "/" + group, lead.token()), 404, "group_not_found");
        Api.Response left = api.get(GROUPS + "/" + group, admin.token());
        assertThat(left.status()).isEqualTo(200);
        assertThat(left.json().path("memberCount").asInt()).isZero();
        // Leaving a group one is not in looks like any group one cannot see.
        assertProblem(api.delete(member(group, member.id()), member.token()), 404, "group_not_found");
    }

    @Test
    void anInvitationNotAcceptedDoesNotTakeOverThePersonalCollectionsEmbedding() {
        Knowledge knowledge = new Knowledge(api);
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account victim = users.user();
        UUID group = users.group(admin, "embedding-takeover");
        users.member(admin, group, lead, "admin");
        knowledge.setGroupEmbedding(lead, group, "fake", "keywords-v1");
        UUID gatewayKey = knowledge.addGroupCredential(lead, group, "fake", "sk-lead-" + UUID.randomUUID());
        UUID collection = knowledge.personalCollection(victim, "Diary");

        assertProblem(api.put(member(group, victim.id()), Map.of("role", "member"), lead.token()), 403,
                "invitation_required");
        UUID invitation = invite(lead, group, victim, "member");

        assertThat(setting(victim, "embedding.model").path("source").asString()).isEqualTo("instance");
        assertThat(state(victim).path("credentials").valueStream()
                .map(c -> c.path("credentialId").asString())).doesNotContain(gatewayKey.toString());
        Api.Response uploaded = api.upload("/api/v1/collections/" + collection + "/files", "diary.txt",
                Documents.text("Granite, privately."), victim.token());
        assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
        assertThat(uploaded.json().path("status").asString())
                .as("the group's model and key do not reach a non-member's personal collection").isEqualTo("failed");
        assertThat(uploaded.json().path("failureCode").asString()).isEqualTo("embedding_not_configured");

        // With the user's consent the group's choice applies, as designed.
        assertThat(api.post(INVITATIONS + "/" + invitation + "/accept", null, victim.token()).status())
                .isEqualTo(200);
        UUID fileId = knowledge.upload(victim, collection, "diary2.txt", Documents.text("Granite, shared."));
        JsonNode settled = knowledge.awaitSettled(victim, collection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        JsonNode index = api.get("/api/v1/files/" + fileId, victim.token()).json().path("indexes").get(0);
        assertThat(index.path("credentialId").asString()).isEqualTo(gatewayKey.toString());
    }

    @Test
    void acceptingWhileTheGroupIsDeletedEitherJoinsFirstOrFindsNothingAndNeverFails() throws Exception {
        TestUsers.Account admin = users.admin();
        TestUsers.Account invitee = users.user();
        for (int round = 0; round < 8; round++) {
            UUID group = users.group(admin, "race");
            UUID invitation = invite(admin, group, invitee, "member");
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                CountDownLatch start = new CountDownLatch(1);
                Future<Api.Response> accepted = threads.submit(() -> {
                    start.await();
                    return api.post(INVITATIONS + "/" + invitation + "/accept", null, invitee.token());
                });
                Future<Api.Response> deleted = threads.submit(() -> {
                    start.await();
                    return api.delete(GROUPS + "/" + group, admin.token());
                });
                start.countDown();

                assertThat(accepted.get(30, TimeUnit.SECONDS).status()).as("round %d", round).isIn(200, 404);
                assertThat(deleted.get(30, TimeUnit.SECONDS).status()).as("round %d", round).isEqualTo(204);
            }
            assertThat(state(invitee).path("groups").size()).as("round %d", round).isZero();
        }
        assertThat(api.get(INVITATIONS, invitee.token()).json().path("total").asLong()).isZero();
    }

    @Test
    void invitationOutlivesItsInviterAndGoesWithTheInvitedAccount() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account invitee = users.user();
        TestUsers.Account leaving = users.user();
        UUID group = users.group(admin, "outlive");
        users.member(admin, group, lead, "admin");
        UUID invitation = invite(lead, group, invitee, "member");
        invite(lead, group, leaving, "member");

        assertThat(api.delete("/api/v1/users/" + lead.id(), admin.token()).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/users/" + leaving.id(), admin.token()).status()).isEqualTo(204);

        JsonNode waiting = api.get(GROUPS + "/" + group + "/invitations", admin.token()).json();
        assertThat(waiting.path("total").asLong()).isEqualTo(1);
        assertThat(waiting.path("items").get(0).path("id").asString()).isEqualTo(invitation.toString());
        assertThat(waiting.path("items").get(0).path("invitedBy").isNull()).isTrue();
        assertThat(api.post(INVITATIONS + "/" + invitation + "/accept", null, invitee.token()).status())
                .isEqualTo(200);
    }

    // ---------------------------------------------------------------- helpers

    @Test
    void aGroupAdminInvitesByEmailAddressWhateverItsCaseAndOnlyManagersLearnWhetherAnAccountHasIt() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account member = users.user();
        TestUsers.Account invitee = users.user();
        UUID group = users.group(admin, "by-email");
        users.member(admin, group, lead, "admin");
        users.member(admin, group, member, "member");
        String path = GROUPS + "/" + group + "/invitations";

        Api.Response created = api.post(path, Map.of("email", invitee.email().toUpperCase()), lead.token());

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().path("userId").asString()).isEqualTo(invitee.id().toString());
        assertThat(created.json().path("userEmail").asString()).isEqualTo(invitee.email());
        assertThat(created.json().path("role").asString()).isEqualTo("member");
        assertThat(api.get(path, lead.token()).json().path("items").get(0).path("userEmail").asString())
                .isEqualTo(invitee.email());
        assertProblem(api.post(path, Map.of("email", TestUsers.uniqueEmail("nobody")), lead.token()), 404,
                "user_not_found");
        assertProblem(api.post(path, Map.of("email", TestUsers.uniqueEmail("nobody")), member.token()), 403,
                "forbidden");
        assertProblem(api.post(path, Map.of("email", invitee.email(), "userId", invitee.id()), lead.token()), 400,
                "validation_failed");
        assertProblem(api.post(path, Map.of("role", "member"), lead.token()), 400, "validation_failed");
        assertProblem(api.post(path, Map.of("email", "x".repeat(321)), lead.token()), 400, "validation_failed");
        assertProblem(api.post(path, Map.of("email", invitee.email()), lead.token()), 409, "invitation_exists");
    }

    private UUID invite(TestUsers.Account inviter, UUID group, TestUsers.Account invitee, String role) {
        Api.Response created = api.post(GROUPS + "/" + group + "/invitations",
                Map.of("userId", invitee.id(), "role", role), inviter.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().path("userId").asString()).isEqualTo(invitee.id().toString());
        assertThat(created.json().path("role").asString()).isEqualTo(role);
        return UUID.fromString(created.json().path("id").asString());
    }

    private void setGroupSettings(TestUsers.Account admin, UUID group, Map<String, Object> settings) {
        Api.Response response = api.put(GROUPS + "/" + group + "/settings", Map.of("settings", settings),
                admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private JsonNode state(TestUsers.Account account) {
        Api.Response response = api.get(MY_STATE, account.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private JsonNode setting(TestUsers.Account account, String key) {
        return state(account).path("settings").path(key);
    }

    private String roleOf(TestUsers.Account admin, UUID group, TestUsers.Account user) {
        Api.Response response = api.get(GROUPS + "/" + group + "/members?limit=200", admin.token());
        assertThat(response.status()).isEqualTo(200);
        for (JsonNode item : response.json().path("items")) {
            if (item.path("userId").asString().equals(user.id().toString())) {
                return item.path("role").asString();
            }
        }
        return null;
    }

    private static String member(UUID group, UUID user) {
        return GROUPS + "/" + group + "/members/" + user;
    }

    private static List<String> ids(Api.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        response.json().path("items").forEach(item -> ids.add(item.path("id").asString()));
        return ids;
    }

    private static void assertProblem(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.json().path("code").asString()).as(response.text()).isEqualTo(code);
    }
}
