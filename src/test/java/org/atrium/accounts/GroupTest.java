package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
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

/** Groups and memberships over HTTP against the shared database. */
class GroupTest extends IntegrationTest {

    private static final String GROUPS = "/api/v1/groups";

    @Test
    void adminCreatesAGroupWithNoMembers() {
        TestUsers.Account admin = users.admin();
        String name = unique("Research");

        Api.Response created = api.post(GROUPS, Map.of("name", "  " + name + "  ", "description", "The lab"),
                admin.token());

        assertThat(created.status()).isEqualTo(201);
        JsonNode group = created.json();
        assertThat(group.path("name").asString()).isEqualTo(name);
        assertThat(group.path("description").asString()).isEqualTo("The lab");
        assertThat(group.path("memberCount").asInt()).isZero();
        String id = group.path("id").asString();
        Api.Response read = api.get(GROUPS + "/" + id, admin.token());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("name").asString()).isEqualTo(name);
    }

    @Test
    void nonAdminCannotCreateAGroup() {
        TestUsers.Account user = users.user();
        String name = unique("Forbidden");

        Api.Response response = api.post(GROUPS, Map.of("name", name), user.token());

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().path("code").asString()).isEqualTo("admin_required");
        long rows = jdbc.sql("select count(*) from groups where name = :name").param("name", name)
                .query(Long.class).single();
        assertThat(rows).isZero();
    }

    @Test
    void groupNameIsTakenRegardlessOfCase() {
        TestUsers.Account admin = users.admin();
        String name = unique("Physics");
        assertThat(api.post(GROUPS, Map.of("name", name), admin.token()).status()).isEqualTo(201);

        Api.Response duplicate = api.post(GROUPS, Map.of("name", name.toUpperCase()), admin.token());

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().path("code").asString()).isEqualTo("group_name_taken");
    }

    @Test
    void concurrentCreationsOfTheSameNameCreateExactlyOneGroup() throws Exception {
        TestUsers.Account admin = users.admin();
        String name = unique("Race");
        int count = 6;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Api.Response>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(count)) {
            for (int i = 0; i < count; i++) {
                String variant = i % 2 == 0 ? name : name.toLowerCase();
                futures.add(pool.submit(() -> {
                    go.await();
                    return api.post(GROUPS, Map.of("name", variant), admin.token());
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Api.Response> future : futures) {
                Api.Response response = future.get(60, TimeUnit.SECONDS);
                statuses.add(response.status());
                if (response.status() != 201) {
                    assertThat(response.json().path("code").asString()).as(response.text())
                            .isEqualTo("group_name_taken");
                }
            }
            assertThat(statuses).containsOnlyOnce(201).containsOnly(201, 409);
        }
        long rows = jdbc.sql("select count(*) from groups where lower(name) = lower(:name)").param("name", name)
                .query(Long.class).single();
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void concurrentRenamesToTheSameNameLeaveOneGroupWithIt() throws Exception {
        TestUsers.Account admin = users.admin();
        String name = unique("Target");
        List<UUID> groupIds = List.of(users.group(admin, "r1"), users.group(admin, "r2"), users.group(admin, "r3"),
                users.group(admin, "r4"));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Api.Response>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(groupIds.size())) {
            for (UUID groupId : groupIds) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return api.patch(GROUPS + "/" + groupId, Map.of("name", name), admin.token());
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Api.Response> future : futures) {
                Api.Response response = future.get(60, TimeUnit.SECONDS);
                statuses.add(response.status());
                if (response.status() != 200) {
                    assertThat(response.json().path("code").asString()).as(response.text())
                            .isEqualTo("group_name_taken");
                }
            }
            assertThat(statuses).containsOnlyOnce(200).containsOnly(200, 409);
        }
        long rows = jdbc.sql("select count(*) from groups where lower(name) = lower(:name)").param("name", name)
                .query(Long.class).single();
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void renamingToAnotherGroupsNameInAnyCaseIsRefused() {
        TestUsers.Account admin = users.admin();
        String takenName = unique("Chemistry");
        assertThat(api.post(GROUPS, Map.of("name", takenName), admin.token()).status()).isEqualTo(201);
        UUID other = users.group(admin, "biology");

        Api.Response rename = api.patch(GROUPS + "/" + other, Map.of("name", takenName.toLowerCase()), admin.token());

        assertThat(rename.status()).isEqualTo(409);
        assertThat(rename.json().path("code").asString()).isEqualTo("group_name_taken");
        assertThat(api.get(GROUPS + "/" + other, admin.token()).json().path("name").asString())
                .startsWith("biology-");
    }

    @Test
    void renameAndDescriptionChangeKeepOmittedFields() {
        TestUsers.Account admin = users.admin();
        UUID groupId = users.group(admin, "ops");
        String newName = unique("Operations");

        Api.Response renamed = api.patch(GROUPS + "/" + groupId, Map.of("name", newName), admin.token());
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().path("name").asString()).isEqualTo(newName);
        assertThat(renamed.json().path("description").asString()).isEmpty();

        Api.Response described = api.patch(GROUPS + "/" + groupId, Map.of("description", "Keeps things running"),
                admin.token());
        assertThat(described.status()).isEqualTo(200);
        assertThat(described.json().path("name").asString()).isEqualTo(newName);
        assertThat(described.json().path("description").asString()).isEqualTo("Keeps things running");

        Api.Response recased = api.patch(GROUPS + "/" + groupId, Map.of("name", newName.toUpperCase()),
                admin.token());
        assertThat(recased.status()).isEqualTo(200);
        assertThat(api.get(GROUPS + "/" + groupId, admin.token()).json().path("name").asString())
                .isEqualTo(newName.toUpperCase());
    }

    @Test
    void blankRenameIsRefusedNamingTheField() {
        TestUsers.Account admin = users.admin();
        UUID groupId = users.group(admin, "blank");

        Api.Response response = api.patch(GROUPS + "/" + groupId, Map.of("name", "   "), admin.token());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(fields(response)).containsOnly("name");
    }

    @Test
    void adminListsEveryGroupWhileAMemberListsOnlyTheirOwn() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        UUID mine = users.group(admin, "mine");
        UUID notMine = users.group(admin, "notmine");
        users.member(admin, mine, member, "member");

        Api.Response asMember = api.get(GROUPS + "?limit=200", member.token());
        assertThat(asMember.status()).isEqualTo(200);
        assertThat(ids(asMember)).containsExactly(mine.toString());
        assertThat(asMember.json().path("total").asLong()).isEqualTo(1);

        List<String> seenByAdmin = allGroupIds(admin);
        assertThat(seenByAdmin).contains(mine.toString(), notMine.toString());
    }

    @Test
    void membersAreListedByEmailWithTheirGroupRole() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account member = users.user();
        UUID groupId = users.group(admin, "listing");
        users.member(admin, groupId, lead, "admin");
        users.member(admin, groupId, member, "member");

        Api.Response listed = api.get(GROUPS + "/" + groupId + "/members", member.token());

        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().path("total").asLong()).isEqualTo(2);
        JsonNode items = listed.json().path("items");
        assertThat(items.size()).isEqualTo(2);
        List<String> emails = new ArrayList<>();
        items.forEach(item -> {
            emails.add(item.path("email").asString());
            String expectedRole = item.path("userId").asString().equals(lead.id().toString()) ? "admin" : "member";
            assertThat(item.path("role").asString()).isEqualTo(expectedRole);
        });
        assertThat(emails).containsExactlyInAnyOrder(lead.email(), member.email());
        assertThat(emails).isSortedAccordingTo(String.CASE_INSENSITIVE_ORDER);
        assertThat(api.get(GROUPS + "/" + groupId, member.token()).json().path("memberCount").asInt()).isEqualTo(2);
    }

    @Test
    void groupAdminRemovesPlainMembersButAddsNobodyDirectly() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account member = users.user();
        TestUsers.Account newcomer = users.user();
        UUID groupId = users.group(admin, "lead");
        users.member(admin, groupId, lead, "admin");
        users.member(admin, groupId, member, "member");

        Api.Response added = api.put(GROUPS + "/" + groupId + "/members/" + newcomer.id(), Map.of("role", "member"),
                lead.token());
        Api.Response kept = api.put(GROUPS + "/" + groupId + "/members/" + member.id(), Map.of("role", "member"),
                lead.token());

        assertThat(added.status()).isEqualTo(403);
        assertThat(added.json().path("code").asString()).isEqualTo("invitation_required");
        assertThat(roleOf(admin, groupId, newcomer)).isNull();
        assertThat(kept.status()).as("an existing plain member stays one").isEqualTo(200);
        assertThat(kept.json().path("role").asString()).isEqualTo("member");

        assertThat(api.delete(GROUPS + "/" + groupId + "/members/" + member.id(), lead.token()).status())
                .isEqualTo(204);
        assertThat(api.get(GROUPS + "/" + groupId, member.token()).status()).isEqualTo(404);
    }

    @Test
    void groupAdminCannotMakeSomeoneGroupAdmin() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account member = users.user();
        TestUsers.Account outsider = users.user();
        UUID groupId = users.group(admin, "promote");
        users.member(admin, groupId, lead, "admin");
        users.member(admin, groupId, member, "member");

        Api.Response promote = api.put(GROUPS + "/" + groupId + "/members/" + member.id(), Map.of("role", "admin"),
                lead.token());
        Api.Response addAsAdmin = api.put(GROUPS + "/" + groupId + "/members/" + outsider.id(),
                Map.of("role", "admin"), lead.token());

        assertThat(promote.status()).isEqualTo(403);
        assertThat(promote.json().path("code").asString()).isEqualTo("forbidden");
        assertThat(addAsAdmin.status()).isEqualTo(403);
        assertThat(addAsAdmin.json().path("code").asString()).isEqualTo("forbidden");
        assertThat(roleOf(admin, groupId, member)).isEqualTo("member");
        assertThat(roleOf(admin, groupId, outsider)).isNull();
    }

    @Test
    void groupAdminCannotRemoveOrDemoteAnotherGroupAdmin() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        TestUsers.Account coLead = users.user();
        UUID groupId = users.group(admin, "colead");
        users.member(admin, groupId, lead, "admin");
        users.member(admin, groupId, coLead, "admin");

        Api.Response remove = api.delete(GROUPS + "/" + groupId + "/members/" + coLead.id(), lead.token());
        Api.Response demote = api.put(GROUPS + "/" + groupId + "/members/" + coLead.id(), Map.of("role", "member"),
                lead.token());

        assertThat(remove.status()).isEqualTo(403);
        assertThat(remove.json().path("code").asString()).isEqualTo("forbidden");
        assertThat(demote.status()).isEqualTo(403);
        assertThat(demote.json().path("code").asString()).isEqualTo("forbidden");
        assertThat(roleOf(admin, groupId, coLead)).isEqualTo("admin");
    }

    @Test
    void instanceAdminMakesAndRemovesGroupAdmins() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        UUID groupId = users.group(admin, "instadmin");

        Api.Response made = api.put(GROUPS + "/" + groupId + "/members/" + lead.id(), Map.of("role", "admin"),
                admin.token());
        assertThat(made.status()).isEqualTo(200);
        assertThat(roleOf(admin, groupId, lead)).isEqualTo("admin");

        assertThat(api.delete(GROUPS + "/" + groupId + "/members/" + lead.id(), admin.token()).status())
                .isEqualTo(204);
        assertThat(roleOf(admin, groupId, lead)).isNull();
    }

    @Test
    void plainMemberCannotAddOrRemoveMembers() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        TestUsers.Account other = users.user();
        TestUsers.Account outsider = users.user();
        UUID groupId = users.group(admin, "plain");
        users.member(admin, groupId, member, "member");
        users.member(admin, groupId, other, "member");

        Api.Response add = api.put(GROUPS + "/" + groupId + "/members/" + outsider.id(), Map.of("role", "member"),
                member.token());
        Api.Response remove = api.delete(GROUPS + "/" + groupId + "/members/" + other.id(), member.token());

        assertThat(add.status()).isEqualTo(403);
        assertThat(add.json().path("code").asString()).isEqualTo("forbidden");
        assertThat(remove.status()).isEqualTo(403);
        assertThat(remove.json().path("code").asString()).isEqualTo("forbidden");
        assertThat(roleOf(admin, groupId, outsider)).isNull();
        assertThat(roleOf(admin, groupId, other)).isEqualTo("member");
    }

    @Test
    void groupDoesNotExistForNonMembers() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account outsider = users.user();
        TestUsers.Account someone = users.user();
        UUID groupId = users.group(admin, "hidden");

        Api.Response read = api.get(GROUPS + "/" + groupId, outsider.token());
        Api.Response members = api.get(GROUPS + "/" + groupId + "/members", outsider.token());
        Api.Response put = api.put(GROUPS + "/" + groupId + "/members/" + someone.id(), Map.of("role", "member"),
                outsider.token());

        for (Api.Response response : List.of(read, members, put)) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.json().path("code").asString()).isEqualTo("group_not_found");
        }
        Api.Response missing = api.get(GROUPS + "/" + UUID.randomUUID(), outsider.token());
        assertThat(missing.json().path("detail").asString()).isEqualTo(read.json().path("detail").asString());
    }

    @Test
    void addingAUserThatDoesNotExistIsNotFoundForInstanceAdmins() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        UUID groupId = users.group(admin, "ghost");
        users.member(admin, groupId, lead, "admin");

        Api.Response asAdmin = api.put(GROUPS + "/" + groupId + "/members/" + UUID.randomUUID(),
                Map.of("role", "member"), admin.token());
        Api.Response asLead = api.put(GROUPS + "/" + groupId + "/members/" + UUID.randomUUID(),
                Map.of("role", "member"), lead.token());

        assertThat(asAdmin.status()).isEqualTo(404);
        assertThat(asAdmin.json().path("code").asString()).isEqualTo("user_not_found");
        assertThat(asLead.status()).as("group admins invite; the answer does not tell whether the user exists")
                .isEqualTo(403);
        assertThat(asLead.json().path("code").asString()).isEqualTo("invitation_required");
    }

    @Test
    void addingToAGroupThatDoesNotExistIsNotFound() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();

        Api.Response response = api.put(GROUPS + "/" + UUID.randomUUID() + "/members/" + user.id(),
                Map.of("role", "member"), admin.token());

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().path("code").asString()).isEqualTo("group_not_found");
    }

    @Test
    void deletingAGroupRemovesItsMembershipsAndDeletingAgainSucceeds() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        UUID groupId = users.group(admin, "doomed");
        users.member(admin, groupId, member, "member");
        assertThat(ids(api.get(GROUPS, member.token()))).contains(groupId.toString());

        assertThat(api.delete(GROUPS + "/" + groupId, admin.token()).status()).isEqualTo(204);

        Api.Response gone = api.get(GROUPS + "/" + groupId, admin.token());
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("code").asString()).isEqualTo("group_not_found");
        assertThat(ids(api.get(GROUPS, member.token()))).doesNotContain(groupId.toString());
        long memberships = jdbc.sql("select count(*) from group_members where group_id = :id")
                .param("id", groupId).query(Long.class).single();
        assertThat(memberships).isZero();

        assertThat(api.delete(GROUPS + "/" + groupId, admin.token()).status()).isEqualTo(204);
    }

    @Test
    void onlyAdminsDeleteGroups() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account lead = users.user();
        UUID groupId = users.group(admin, "keep");
        users.member(admin, groupId, lead, "admin");

        Api.Response response = api.delete(GROUPS + "/" + groupId, lead.token());

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().path("code").asString()).isEqualTo("admin_required");
        assertThat(api.get(GROUPS + "/" + groupId, admin.token()).status()).isEqualTo(200);
    }

    @Test
    void groupListPagesWithOffsetAndLimit() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        String prefix = unique("page");
        List<String> created = new ArrayList<>();
        for (String suffix : List.of("c", "a", "b")) {
            String id = api.post(GROUPS, Map.of("name", prefix + "-" + suffix), admin.token())
                    .json().path("id").asString();
            users.member(admin, UUID.fromString(id), member, "member");
            created.add(id);
        }
        String a = created.get(1);
        String b = created.get(2);
        String c = created.get(0);

        Api.Response first = api.get(GROUPS + "?offset=0&limit=2", member.token());
        Api.Response second = api.get(GROUPS + "?offset=2&limit=2", member.token());

        assertThat(first.status()).isEqualTo(200);
        assertThat(ids(first)).containsExactly(a, b);
        assertThat(first.json().path("total").asLong()).isEqualTo(3);
        assertThat(first.json().path("offset").asInt()).isZero();
        assertThat(first.json().path("limit").asInt()).isEqualTo(2);
        assertThat(ids(second)).containsExactly(c);
        assertThat(second.json().path("total").asLong()).isEqualTo(3);
        assertThat(second.json().path("offset").asInt()).isEqualTo(2);
    }

    @Test
    void memberListPagesWithOffsetAndLimit() {
        TestUsers.Account admin = users.admin();
        UUID groupId = users.group(admin, "pagedmembers");
        List<TestUsers.Account> members = List.of(users.user(), users.user(), users.user());
        members.forEach(m -> users.member(admin, groupId, m, "member"));

        Api.Response first = api.get(GROUPS + "/" + groupId + "/members?offset=0&limit=2", admin.token());
        Api.Response rest = api.get(GROUPS + "/" + groupId + "/members?offset=2&limit=2", admin.token());

        assertThat(first.json().path("items").size()).isEqualTo(2);
        assertThat(rest.json().path("items").size()).isEqualTo(1);
        assertThat(first.json().path("total").asLong()).isEqualTo(3);
        List<String> all = new ArrayList<>();
        first.json().path("items").forEach(i -> all.add(i.path("userId").asString()));
        rest.json().path("items").forEach(i -> all.add(i.path("userId").asString()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(members.stream().map(m -> m.id().toString()).toList());
    }

    @Test
    void limitOutsideOneToTwoHundredIsRefusedNamingLimit() {
        TestUsers.Account admin = users.admin();
        UUID groupId = users.group(admin, "limits");

        for (String path : List.of(GROUPS + "?limit=0", GROUPS + "?limit=201",
                GROUPS + "/" + groupId + "/members?limit=0", GROUPS + "/" + groupId + "/members?limit=201")) {
            Api.Response response = api.get(path, admin.token());
            assertThat(response.status()).as(path).isEqualTo(400);
            assertThat(response.json().path("code").asString()).as(path).isEqualTo("validation_failed");
            assertThat(fields(response)).as(path).containsOnly("limit");
        }
        assertThat(api.get(GROUPS + "?limit=200", admin.token()).status()).isEqualTo(200);
        assertThat(api.get(GROUPS + "?limit=1", admin.token()).status()).isEqualTo(200);
    }

    @Test
    void negativeOffsetIsRefusedNamingOffset() {
        TestUsers.Account admin = users.admin();

        Api.Response response = api.get(GROUPS + "?offset=-1", admin.token());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(fields(response)).containsOnly("offset");
    }

    private List<String> allGroupIds(TestUsers.Account admin) {
        List<String> ids = new ArrayList<>();
        int offset = 0;
        while (true) {
            Api.Response page = api.get(GROUPS + "?limit=200&offset=" + offset, admin.token());
            assertThat(page.status()).isEqualTo(200);
            List<String> items = ids(page);
            ids.addAll(items);
            offset += items.size();
            if (items.isEmpty() || offset >= page.json().path("total").asLong()) {
                return ids;
            }
        }
    }

    private String roleOf(TestUsers.Account admin, UUID groupId, TestUsers.Account user) {
        Api.Response response = api.get(GROUPS + "/" + groupId + "/members?limit=200", admin.token());
        assertThat(response.status()).isEqualTo(200);
        for (JsonNode item : response.json().path("items")) {
            if (item.path("userId").asString().equals(user.id().toString())) {
                return item.path("role").asString();
            }
        }
        return null;
    }

    private static List<String> ids(Api.Response response) {
        List<String> ids = new ArrayList<>();
        response.json().path("items").forEach(item -> ids.add(item.path("id").asString()));
        return ids;
    }

    private static List<String> fields(Api.Response response) {
        List<String> fields = new ArrayList<>();
        response.json().path("errors").forEach(error -> fields.add(error.path("field").asString()));
        return fields;
    }

    private static String unique(String hint) {
        return hint + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
