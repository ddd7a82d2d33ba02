package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may see, rename, delete and share a knowledge collection, over HTTP, current from the very next request.
 *
 * <p>Tests share one database: each creates its own accounts, groups and collections, and the one test that
 * changes instance settings restores them in a {@code finally} block.
 */
class CollectionAccessTest extends IntegrationTest {

    private static final String COLLECTIONS = "/api/v1/collections";
    private static final String INSTANCE = "/api/v1/settings/instance";

    // ---------------------------------------------------------------- ownership

    @Test
    void personalCollectionIsVisibleOnlyToItsOwnerAndInstanceAdmins() {
        TestUsers.Account owner = users.user();
        TestUsers.Account other = users.user();
        TestUsers.Account admin = users.admin();

        Api.Response created = api.post(COLLECTIONS, Map.of("name", "  My notes  ", "description", "mine"),
                owner.token());

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode body = created.json();
        String id = body.path("id").asString();
        assertThat(body.path("name").asString()).isEqualTo("My notes");
        assertThat(body.path("description").asString()).isEqualTo("mine");
        assertThat(body.path("ownerUserId").asString()).isEqualTo(owner.id().toString());
        assertThat(body.path("ownerGroupId").isNull() || body.path("ownerGroupId").isMissingNode()).isTrue();
        assertThat(body.path("access").asString()).isEqualTo("manage");

        assertAccess(owner, id, "manage");
        assertAccess(admin, id, "manage");
        assertNotFound(api.get(path(id), other.token()));
        assertNotFound(api.patch(path(id), Map.of("name", "stolen"), other.token()));
        assertNotFound(api.delete(path(id), other.token()));
        assertNotFound(api.get(grants(id), other.token()));
        assertNotFound(api.put(userGrant(id, other.id()), Map.of("access", "read"), other.token()));
        assertThat(listIds(other)).doesNotContain(id);
        assertThat(listIds(owner)).contains(id);
        assertThat(collection(owner, id).path("name").asString()).isEqualTo("My notes");

        Api.Response renamedByAdmin = api.patch(path(id), Map.of("name", "Admin renamed"), admin.token());
        assertThat(renamedByAdmin.status()).as(renamedByAdmin.text()).isEqualTo(200);
        assertThat(renamedByAdmin.json().path("access").asString()).isEqualTo("manage");
        assertThat(collection(owner, id).path("name").asString()).isEqualTo("Admin renamed");
    }

    @Test
    void groupCollectionIsReadByMembersAndManagedByTheGroupsAdmins() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account groupAdmin = users.user();
        TestUsers.Account member = users.user();
        TestUsers.Account outsider = users.user();
        UUID group = users.group(admin, "lab");
        users.member(admin, group, groupAdmin, "admin");
        users.member(admin, group, member, "member");

        Api.Response created = api.post(COLLECTIONS, Map.of("name", "Lab handbook", "groupId", group.toString()),
                groupAdmin.token());

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String id = created.json().path("id").asString();
        assertThat(created.json().path("ownerGroupId").asString()).isEqualTo(group.toString());
        assertThat(created.json().path("ownerUserId").isNull() || created.json().path("ownerUserId")
                .isMissingNode()).isTrue();
        assertThat(created.json().path("access").asString()).isEqualTo("manage");

        assertAccess(groupAdmin, id, "manage");
        assertAccess(member, id, "read");
        assertAccess(admin, id, "manage");
        assertNotFound(api.get(path(id), outsider.token()));

        assertForbidden(api.patch(path(id), Map.of("name", "Renamed by member"), member.token()));
        assertForbidden(api.delete(path(id), member.token()));
        assertForbidden(api.get(grants(id), member.token()));
        assertForbidden(api.put(userGrant(id, outsider.id()), Map.of("access", "read"), member.token()));
        assertThat(collection(member, id).path("name").asString()).isEqualTo("Lab handbook");
        assertThat(rowExists(id)).isTrue();

        Api.Response renamed = api.patch(path(id), Map.of("name", "Lab handbook 2"), groupAdmin.token());
        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        assertThat(renamed.json().path("name").asString()).isEqualTo("Lab handbook 2");
        assertThat(collection(member, id).path("name").asString()).isEqualTo("Lab handbook 2");
        Api.Response grantList = api.get(grants(id), groupAdmin.token());
        assertThat(grantList.status()).as(grantList.text()).isEqualTo(200);
        assertThat(grantList.json().path("items").size()).isZero();

        assertThat(api.delete(path(id), groupAdmin.token()).status()).isEqualTo(204);
        assertThat(rowExists(id)).isFalse();
        assertNotFound(api.get(path(id), member.token()));
    }

    // ---------------------------------------------------------------- grants

    @Test
    void userGrantGivesReadThenWriteButNeverManageAndRevokingHidesItOnTheNextRequest() {
        TestUsers.Account owner = users.user();
        TestUsers.Account grantee = users.user();
        TestUsers.Account third = users.user();
        String id = create(owner, "Shared notes", null);
        assertNotFound(api.get(path(id), grantee.token()));

        Api.Response granted = api.put(userGrant(id, grantee.id()), Map.of("access", "read"), owner.token());
        assertThat(granted.status()).as(granted.text()).isEqualTo(200);
        assertThat(granted.json().path("items").size()).isEqualTo(1);
        assertThat(granted.json().path("items").get(0).path("userId").asString())
                .isEqualTo(grantee.id().toString());
        assertThat(granted.json().path("items").get(0).path("access").asString()).isEqualTo("read");

        assertAccess(grantee, id, "read");
        assertThat(listIds(grantee)).contains(id);
        assertForbidden(api.patch(path(id), Map.of("name", "Renamed by reader"), grantee.token()));
        assertNotFound(api.get(path(id), third.token()));

        Api.Response upgraded = api.put(userGrant(id, grantee.id()), Map.of("access", "write"), owner.token());
        assertThat(upgraded.status()).as(upgraded.text()).isEqualTo(200);
        assertThat(upgraded.json().path("items").size()).as("a grant replaces the earlier one").isEqualTo(1);
        assertThat(upgraded.json().path("items").get(0).path("access").asString()).isEqualTo("write");
        assertAccess(grantee, id, "write");

        Api.Response renamed = api.patch(path(id), Map.of("name", "Renamed by writer"), grantee.token());
        assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
        assertThat(renamed.json().path("name").asString()).isEqualTo("Renamed by writer");
        assertThat(renamed.json().path("access").asString()).isEqualTo("write");
        assertThat(collection(owner, id).path("name").asString()).isEqualTo("Renamed by writer");

        assertForbidden(api.delete(path(id), grantee.token()));
        assertForbidden(api.get(grants(id), grantee.token()));
        assertForbidden(api.put(userGrant(id, third.id()), Map.of("access", "read"), grantee.token()));
        assertForbidden(api.delete(userGrant(id, grantee.id()), grantee.token()));
        assertThat(rowExists(id)).isTrue();
        assertNotFound(api.get(path(id), third.token()));
        assertThat(grantCount(id)).isEqualTo(1);

        assertThat(api.delete(userGrant(id, grantee.id()), owner.token()).status()).isEqualTo(204);

        assertNotFound(api.get(path(id), grantee.token()));
        assertNotFound(api.patch(path(id), Map.of("name", "too late"), grantee.token()));
        assertThat(listIds(grantee)).doesNotContain(id);
        assertThat(grantCount(id)).isZero();
        assertThat(api.delete(userGrant(id, grantee.id()), owner.token()).status())
                .as("revoking a grant that does not exist succeeds").isEqualTo(204);
    }

    @Test
    void groupGrantReachesEveryMemberAndLeavingTheGroupHidesItOnTheNextRequest() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account owner = users.user();
        TestUsers.Account leaver = users.user();
        TestUsers.Account stayer = users.user();
        TestUsers.Account outsider = users.user();
        UUID group = users.group(admin, "readers");
        users.member(admin, group, leaver, "member");
        users.member(admin, group, stayer, "member");
        String id = create(owner, "Group-shared", null);

        Api.Response granted = api.put(groupGrant(id, group), Map.of("access", "read"), owner.token());
        assertThat(granted.status()).as(granted.text()).isEqualTo(200);
        assertThat(granted.json().path("items").get(0).path("groupId").asString()).isEqualTo(group.toString());

        for (int read = 0; read < 2; read++) {
            assertAccess(leaver, id, "read");
            assertAccess(stayer, id, "read");
        }
        assertThat(listIds(leaver)).contains(id);
        assertNotFound(api.get(path(id), outsider.token()));
        assertForbidden(api.patch(path(id), Map.of("name", "x"), stayer.token()));

        Api.Response removed = api.delete("/api/v1/groups/" + group + "/members/" + leaver.id(), admin.token());
        assertThat(removed.status()).as(removed.text()).isEqualTo(204);

        assertNotFound(api.get(path(id), leaver.token()));
        assertThat(listIds(leaver)).doesNotContain(id);
        assertAccess(stayer, id, "read");

        Api.Response write = api.put(groupGrant(id, group), Map.of("access", "write"), owner.token());
        assertThat(write.status()).as(write.text()).isEqualTo(200);
        assertAccess(stayer, id, "write");
        users.member(admin, group, leaver, "member");
        assertAccess(leaver, id, "write");

        assertThat(api.delete(groupGrant(id, group), owner.token()).status()).isEqualTo(204);
        assertNotFound(api.get(path(id), stayer.token()));
        assertNotFound(api.get(path(id), leaver.token()));
    }

    // ---------------------------------------------------------------- listing

    @Test
    void listingReturnsExactlyTheReadableOnesWithTheirAccessAndPaginates() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account me = users.user();
        TestUsers.Account someone = users.user();
        TestUsers.Account groupAdmin = users.user();
        UUID group = users.group(admin, "listing");
        users.member(admin, group, me, "member");
        users.member(admin, group, groupAdmin, "admin");

        String mineA = create(me, "a mine", null);
        String mineB = create(me, "B mine", null);
        String groupOwned = create(groupAdmin, "c group", group);
        String writeGranted = create(someone, "d granted", null);
        String readGranted = create(someone, "E granted", null);
        String hidden = create(someone, "f hidden", null);
        String hiddenGroupGrant = create(someone, "g other group", null);
        UUID otherGroup = users.group(admin, "not-mine");
        assertThat(api.put(userGrant(writeGranted, me.id()), Map.of("access", "write"), someone.token()).status())
                .isEqualTo(200);
        assertThat(api.put(userGrant(readGranted, me.id()), Map.of("access", "read"), someone.token()).status())
                .isEqualTo(200);
        assertThat(api.put(groupGrant(hiddenGroupGrant, otherGroup), Map.of("access", "write"), someone.token())
                .status()).isEqualTo(200);

        Api.Response all = api.get(COLLECTIONS, me.token());
        assertThat(all.status()).as(all.text()).isEqualTo(200);
        assertThat(all.json().path("total").asLong()).isEqualTo(5);
        Map<String, String> access = new LinkedHashMap<>();
        all.json().path("items").valueStream().forEach(c -> access.put(c.path("id").asString(),
                c.path("access").asString()));
        assertThat(access).containsExactly(
                Map.entry(mineA, "manage"), Map.entry(mineB, "manage"), Map.entry(groupOwned, "read"),
                Map.entry(writeGranted, "write"), Map.entry(readGranted, "read"));
        assertThat(access).doesNotContainKeys(hidden, hiddenGroupGrant);

        List<String> paged = new ArrayList<>();
        for (int offset = 0; offset < 6; offset += 2) {
            Api.Response page = api.get(COLLECTIONS + "?offset=" + offset + "&limit=2", me.token());
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            assertThat(page.json().path("total").asLong()).isEqualTo(5);
            assertThat(page.json().path("offset").asInt()).isEqualTo(offset);
            assertThat(page.json().path("limit").asInt()).isEqualTo(2);
            assertThat(page.json().path("items").size()).isEqualTo(Math.min(2, 5 - offset));
            page.json().path("items").valueStream().forEach(c -> paged.add(c.path("id").asString()));
        }
        assertThat(paged).containsExactly(mineA, mineB, groupOwned, writeGranted, readGranted);
        Api.Response beyond = api.get(COLLECTIONS + "?offset=10&limit=2", me.token());
        assertThat(beyond.json().path("items").size()).isZero();
        assertThat(beyond.json().path("total").asLong()).isEqualTo(5);

        Api.Response tooLarge = api.get(COLLECTIONS + "?limit=201", me.token());
        assertThat(tooLarge.status()).as(tooLarge.text()).isEqualTo(400);

        Api.Response asAdmin = api.get(COLLECTIONS + "?limit=200", admin.token());
        assertThat(asAdmin.status()).isEqualTo(200);
        assertThat(asAdmin.json().path("total").asLong()).isGreaterThanOrEqualTo(7);
        Api.Response fresh = api.get(COLLECTIONS, users.user().token());
        assertThat(fresh.json().path("total").asLong()).isZero();
        assertThat(fresh.json().path("items").size()).isZero();
    }

    // ---------------------------------------------------------------- creation rules

    @Test
    void creatingWithoutCreateCollectionsIsRefused() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account user = users.user();
        ObjectNode original = instanceLayer(admin);
        try {
            ObjectNode layer = original.deepCopy();
            layer.put("permissions.createCollections", false);
            Api.Response put = api.put(INSTANCE, Map.of("settings", layer), admin.token());
            assertThat(put.status()).as(put.text()).isEqualTo(200);

            Api.Response refused = api.post(COLLECTIONS, Map.of("name", "not allowed"), user.token());

            assertThat(refused.status()).as(refused.text()).isEqualTo(403);
            assertThat(refused.json().path("code").asString()).isEqualTo("permission_denied");
            assertThat(api.get(COLLECTIONS, user.token()).json().path("total").asLong()).isZero();

            layer.put("permissions.createCollections", true);
            assertThat(api.put(INSTANCE, Map.of("settings", layer), admin.token()).status()).isEqualTo(200);
            Api.Response allowed = api.post(COLLECTIONS, Map.of("name", "allowed now"), user.token());
            assertThat(allowed.status()).as(allowed.text()).isEqualTo(201);
        } finally {
            Api.Response restored = api.put(INSTANCE, Map.of("settings", original), admin.token());
            assertThat(restored.status()).as(restored.text()).isEqualTo(200);
        }
    }

    @Test
    void groupCollectionsAreCreatedOnlyByThatGroupsAdmins() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        TestUsers.Account outsider = users.user();
        UUID group = users.group(admin, "creators");
        users.member(admin, group, member, "member");

        Api.Response byMember = api.post(COLLECTIONS, Map.of("name", "x", "groupId", group.toString()),
                member.token());
        assertThat(byMember.status()).as(byMember.text()).isEqualTo(403);
        assertThat(byMember.json().path("code").asString()).isEqualTo("forbidden");

        Api.Response byOutsider = api.post(COLLECTIONS, Map.of("name", "x", "groupId", group.toString()),
                outsider.token());
        assertThat(byOutsider.status()).as(byOutsider.text()).isEqualTo(404);
        assertThat(byOutsider.json().path("code").asString()).isEqualTo("group_not_found");

        Api.Response noSuchGroup = api.post(COLLECTIONS, Map.of("name", "x", "groupId", UUID.randomUUID().toString()),
                admin.token());
        assertThat(noSuchGroup.status()).as(noSuchGroup.text()).isEqualTo(404);
        assertThat(noSuchGroup.json().path("code").asString()).isEqualTo("group_not_found");

        assertThat(jdbc.sql("select count(*) from collections where owner_group_id = :g").param("g", group)
                .query(Long.class).single()).isZero();

        users.member(admin, group, member, "admin");
        Api.Response promoted = api.post(COLLECTIONS, Map.of("name", "x", "groupId", group.toString()),
                member.token());
        assertThat(promoted.status()).as(promoted.text()).isEqualTo(201);
        Api.Response byInstanceAdmin = api.post(COLLECTIONS, Map.of("name", "y", "groupId", group.toString()),
                admin.token());
        assertThat(byInstanceAdmin.status()).as(byInstanceAdmin.text()).isEqualTo(201);
    }

    // ---------------------------------------------------------------- deletion

    @Test
    void deletingTwiceSucceedsAndRemovesTheGrants() {
        TestUsers.Account owner = users.user();
        TestUsers.Account reader = users.user();
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "grantees");
        String id = create(owner, "To delete", null);
        assertThat(api.put(userGrant(id, reader.id()), Map.of("access", "read"), owner.token()).status())
                .isEqualTo(200);
        assertThat(api.put(groupGrant(id, group), Map.of("access", "write"), owner.token()).status())
                .isEqualTo(200);
        assertThat(grantCount(id)).isEqualTo(2);

        assertThat(api.delete(path(id), owner.token()).status()).isEqualTo(204);
        assertThat(api.delete(path(id), owner.token()).status()).isEqualTo(204);

        assertThat(rowExists(id)).isFalse();
        assertThat(grantCount(id)).isZero();
        assertNotFound(api.get(path(id), owner.token()));
        assertNotFound(api.get(path(id), reader.token()));
        assertThat(api.delete(path(UUID.randomUUID().toString()), reader.token()).status()).isEqualTo(204);
    }

    @Test
    void deletingTheOwningGroupOrUserDeletesTheirCollections() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account owner = users.user();
        TestUsers.Account groupAdmin = users.user();
        UUID group = users.group(admin, "doomed");
        users.member(admin, group, groupAdmin, "admin");
        String groupOwned = create(groupAdmin, "Group's", group);
        String groupOwned2 = create(admin, "Group's too", group);
        String personal = create(owner, "Owner's", null);
        String personal2 = create(owner, "Owner's too", null);
        String survivor = create(groupAdmin, "Survivor", null);
        assertThat(api.put(userGrant(survivor, owner.id()), Map.of("access", "read"), groupAdmin.token()).status())
                .isEqualTo(200);
        assertThat(api.put(groupGrant(survivor, group), Map.of("access", "read"), groupAdmin.token()).status())
                .isEqualTo(200);

        assertThat(api.delete("/api/v1/groups/" + group, admin.token()).status()).isEqualTo(204);

        assertThat(rowExists(groupOwned)).isFalse();
        assertThat(rowExists(groupOwned2)).isFalse();
        assertNotFound(api.get(path(groupOwned), admin.token()));
        assertThat(rowExists(survivor)).isTrue();
        assertThat(grantCount(survivor)).isEqualTo(1);

        assertThat(api.delete("/api/v1/users/" + owner.id(), admin.token()).status()).isEqualTo(204);

        assertThat(rowExists(personal)).isFalse();
        assertThat(rowExists(personal2)).isFalse();
        assertNotFound(api.get(path(personal), admin.token()));
        assertThat(rowExists(survivor)).isTrue();
        assertThat(grantCount(survivor)).isZero();
        assertAccess(groupAdmin, survivor, "manage");
    }

    // ---------------------------------------------------------------- validation

    @Test
    void invalidRequestsNameTheField() {
        TestUsers.Account owner = users.user();
        String id = create(owner, "Valid", null);

        assertValidationFailed(api.post(COLLECTIONS, Map.of("name", "   "), owner.token()), "name");
        assertValidationFailed(api.post(COLLECTIONS, Map.of("description", "no name"), owner.token()), "name");
        assertValidationFailed(api.patch(path(id), Map.of("name", "  "), owner.token()), "name");
        assertThat(collection(owner, id).path("name").asString()).isEqualTo("Valid");

        assertValidationFailed(api.put(userGrant(id, owner.id()), Map.of("access", "manage"), owner.token()),
                "access");
        assertThat(grantCount(id)).isZero();

        Api.Response noUser = api.put(userGrant(id, UUID.randomUUID()), Map.of("access", "read"), owner.token());
        assertThat(noUser.status()).as(noUser.text()).isEqualTo(404);
        assertThat(noUser.json().path("code").asString()).isEqualTo("user_not_found");
        Api.Response noGroup = api.put(groupGrant(id, UUID.randomUUID()), Map.of("access", "read"), owner.token());
        assertThat(noGroup.status()).as(noGroup.text()).isEqualTo(404);
        assertThat(noGroup.json().path("code").asString()).isEqualTo("group_not_found");
        assertThat(grantCount(id)).isZero();

        Map<String, Object> nullAccess = new HashMap<>();
        nullAccess.put("access", null);
        assertValidationFailed(api.put(userGrant(id, owner.id()), nullAccess, owner.token()), "access");
    }

    // ---------------------------------------------------------------- helpers

    private String create(TestUsers.Account caller, String name, UUID group) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        if (group != null) {
            body.put("groupId", group.toString());
        }
        Api.Response response = api.post(COLLECTIONS, body, caller.token());
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json().path("id").asString();
    }

    private JsonNode collection(TestUsers.Account caller, String id) {
        Api.Response response = api.get(path(id), caller.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private void assertAccess(TestUsers.Account caller, String id, String access) {
        JsonNode body = collection(caller, id);
        assertThat(body.path("id").asString()).isEqualTo(id);
        assertThat(body.path("access").asString()).isEqualTo(access);
    }

    private List<String> listIds(TestUsers.Account caller) {
        Api.Response response = api.get(COLLECTIONS + "?limit=200", caller.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        response.json().path("items").valueStream().forEach(c -> ids.add(c.path("id").asString()));
        return ids;
    }

    private boolean rowExists(String id) {
        return jdbc.sql("select count(*) from collections where id = :id").param("id", UUID.fromString(id))
                .query(Long.class).single() > 0;
    }

    private long grantCount(String id) {
        return jdbc.sql("select count(*) from collection_grants where collection_id = :id")
                .param("id", UUID.fromString(id)).query(Long.class).single();
    }

    private ObjectNode instanceLayer(TestUsers.Account admin) {
        Api.Response response = api.get(INSTANCE, admin.token());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return (ObjectNode) response.json().path("settings");
    }

    private static void assertNotFound(Api.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(404);
        assertThat(response.json().path("code").asString()).isEqualTo("collection_not_found");
    }

    private static void assertForbidden(Api.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(403);
        assertThat(response.json().path("code").asString()).isEqualTo("forbidden");
    }

    private static void assertValidationFailed(Api.Response response, String field) {
        assertThat(response.status()).as(response.text()).isEqualTo(400);
        assertThat(response.json().path("code").asString()).isEqualTo("validation_failed");
        assertThat(response.json().path("errors").valueStream().map(e -> e.path("field").asString()))
                .as(response.text()).contains(field);
    }

    private static String path(String id) {
        return COLLECTIONS + "/" + id;
    }

    private static String grants(String id) {
        return path(id) + "/grants";
    }

    private static String userGrant(String id, UUID user) {
        return grants(id) + "/users/" + user;
    }

    private static String groupGrant(String id, UUID group) {
        return grants(id) + "/groups/" + group;
    }
}
