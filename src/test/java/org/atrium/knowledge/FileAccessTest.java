package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may reach a file, over HTTP: adding a file id needs read access to it (the "add another user's file to my
 * collection" hole of comparable products), readers cannot change a collection, outsiders learn nothing, retrieval
 * stays inside the collections asked for and readable, a removed member loses access on the next request, and two
 * files with the same bytes stay two files.
 *
 * <p>Tests share one database: each creates its own accounts, groups and collections, and sets embedding on its own
 * groups only.
 */
class FileAccessTest extends IntegrationTest {

    private Knowledge knowledge;

    @BeforeEach
    void setUp() {
        knowledge = new Knowledge(api);
    }

    /** A group whose admins chose the fake keyword model and gave it a credential, with one collection. */
    private record Team(TestUsers.Account admin, UUID group, UUID collection) {
    }

    private Team team(String hint) {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, hint);
        knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-" + hint + "-secret-1234");
        return new Team(admin, group, knowledge.groupCollection(admin, group, hint + " shelf"));
    }

    private UUID readyFile(TestUsers.Account uploader, UUID collection, String name, String text) {
        UUID fileId = knowledge.upload(uploader, collection, name, text.getBytes(StandardCharsets.UTF_8));
        JsonNode settled = knowledge.awaitSettled(uploader, collection, fileId);
        assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
        return fileId;
    }

    // ------------------------------------------------------------------ adding files by id

    @Test
    void addingAFileOfACollectionYouCannotReadToYourOwnCollectionFailsAndLinksNothing() {
        Team victim = team("victim");
        UUID secret = readyFile(victim.admin(), victim.collection(), "salaries.txt",
                "Confidential: the saffron budget is twelve million.");
        TestUsers.Account attacker = users.user();
        UUID own = knowledge.personalCollection(attacker, "Mine");

        Api.Response added = api.put("/api/v1/collections/" + own + "/files/" + secret, null, attacker.token());
        Api.Response unknown = api.put("/api/v1/collections/" + own + "/files/" + UUID.randomUUID(), null,
                attacker.token());

        assertProblem(added, 404, "file_not_found");
        assertThat(unknown.status()).as("an unreadable file looks exactly like a missing one").isEqualTo(404);
        assertThat(unknown.json().path("code").asString()).isEqualTo("file_not_found");
        assertThat(links(own, secret)).isZero();
        assertThat(knowledge.listed(attacker, own, secret)).isNull();
        assertThat(jdbc.sql("select count(*) from collection_files where collection_id = :c").param("c", own)
                .query(Long.class).single()).isZero();
        assertThat(knowledge.listed(victim.admin(), victim.collection(), secret)).isNotNull();
    }

    @Test
    void addingAFileSharedWithYouToYourWritableCollectionReusesItsChunks() {
        Team team = team("share");
        TestUsers.Account member = users.user();
        users.member(team.admin(), team.group(), member, "member");
        UUID fileId = readyFile(team.admin(), team.collection(), "orchard.txt",
                "Kiwi vines climb.\n\n" + "Granite walls keep the heat. ".repeat(120) + "\n\nKiwi again.");
        UUID mine = knowledge.groupCollection(team.admin(), team.group(), "member's shelf");
        grant(team.admin(), mine, member, "write");
        long chunksBefore = chunks(fileId);
        assertThat(chunksBefore).isGreaterThan(1);

        Api.Response added = api.put("/api/v1/collections/" + mine + "/files/" + fileId, null, member.token());

        assertThat(added.status()).as(added.text()).isEqualTo(200);
        assertThat(added.json().path("fileId").asString()).isEqualTo(fileId.toString());
        assertThat(added.json().path("status").asString()).as("same model: the existing index serves both")
                .isEqualTo("ready");
        assertThat(chunks(fileId)).as("chunks are stored once").isEqualTo(chunksBefore);
        assertThat(jdbc.sql("select count(*) from file_indexes where file_id = :f").param("f", fileId)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from scheduled_tasks where task_name = 'knowledge-ingest'"
                + " and task_instance like :f").param("f", fileId + ":%").query(Long.class).single())
                .as("nothing is embedded again").isZero();
        assertThat(links(mine, fileId)).isEqualTo(1);
        JsonNode found = knowledge.retrieve(member, "kiwi", 3, mine);
        assertThat(found.path("chunks").size()).isPositive();
        assertThat(found.path("chunks").get(0).path("fileId").asString()).isEqualTo(fileId.toString());
        assertThat(found.path("chunks").get(0).path("collectionId").asString()).isEqualTo(mine.toString());
        Api.Response again = api.put("/api/v1/collections/" + mine + "/files/" + fileId, null, member.token());
        assertThat(again.status()).as("adding twice changes nothing").isEqualTo(200);
        assertThat(links(mine, fileId)).isEqualTo(1);
    }

    // ------------------------------------------------------------------ readers and outsiders

    @Test
    void aReaderCannotUploadAddOrRemoveFiles() {
        Team team = team("readers");
        TestUsers.Account reader = users.user();
        users.member(team.admin(), team.group(), reader, "member");
        UUID fileId = readyFile(team.admin(), team.collection(), "rules.txt", "Violin practice at noon.");

        Api.Response uploaded = api.upload("/api/v1/collections/" + team.collection() + "/files", "mine.txt",
                "Tundra notes".getBytes(StandardCharsets.UTF_8), reader.token());
        Api.Response removed = api.delete("/api/v1/collections/" + team.collection() + "/files/" + fileId,
                reader.token());
        Api.Response added = api.put("/api/v1/collections/" + team.collection() + "/files/" + fileId, null,
                reader.token());

        assertProblem(uploaded, 403, "forbidden");
        assertProblem(removed, 403, "forbidden");
        assertProblem(added, 403, "forbidden");
        assertThat(knowledge.listed(reader, team.collection(), fileId)).as("the reader still sees the file")
                .isNotNull();
        assertThat(jdbc.sql("select count(*) from collection_files where collection_id = :c")
                .param("c", team.collection()).query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void aNonMemberGetsNotFoundForTheCollectionsFilesMetadataDownloadAndRetrievalAndCannotDelete() {
        Team team = team("closed");
        UUID fileId = readyFile(team.admin(), team.collection(), "plan.txt", "The papaya plan is secret.");
        TestUsers.Account outsider = users.user();
        String files = "/api/v1/collections/" + team.collection() + "/files";

        assertProblem(api.get(files, outsider.token()), 404, "collection_not_found");
        assertProblem(api.upload(files, "x.txt", "Kiwi".getBytes(StandardCharsets.UTF_8), outsider.token()), 404,
                "collection_not_found");
        assertProblem(api.put(files + "/" + fileId, null, outsider.token()), 404, "collection_not_found");
        assertProblem(api.delete(files + "/" + fileId, outsider.token()), 404, "collection_not_found");
        assertProblem(api.get("/api/v1/files/" + fileId, outsider.token()), 404, "file_not_found");
        assertProblem(api.get("/api/v1/files/" + fileId + "/content", outsider.token()), 404, "file_not_found");
        assertThat(api.delete("/api/v1/files/" + fileId, outsider.token()).status())
                .as("answered like an id of no file, and nothing happens").isEqualTo(204);
        assertProblem(api.post("/api/v1/retrieval", Map.of("query", "papaya", "collectionIds",
                List.of(team.collection()), "topK", 5), outsider.token()), 404, "collection_not_found");
        assertThat(knowledge.listed(team.admin(), team.collection(), fileId)).as("nothing changed").isNotNull();
        assertThat(chunks(fileId)).isPositive();
    }

    @Test
    void retrievalReturnsChunksOnlyFromTheCollectionsRequestedAndReadable() {
        Team team = team("scope");
        TestUsers.Account member = users.user();
        users.member(team.admin(), team.group(), member, "member");
        UUID asked = team.collection();
        UUID notAsked = knowledge.groupCollection(team.admin(), team.group(), "other shelf");
        Team foreign = team("foreign");
        UUID inAsked = readyFile(team.admin(), asked, "a.txt", "Lichen grows on the north side.");
        UUID inNotAsked = readyFile(team.admin(), notAsked, "b.txt", "Lichen lichen lichen everywhere.");
        UUID inForeign = readyFile(foreign.admin(), foreign.collection(), "c.txt", "Lichen lichen lichen lichen.");

        JsonNode found = knowledge.retrieve(member, "lichen", 100, asked);

        List<String> fileIds = new ArrayList<>();
        found.path("chunks").forEach(chunk -> {
            fileIds.add(chunk.path("fileId").asString());
            assertThat(chunk.path("collectionId").asString()).isEqualTo(asked.toString());
        });
        assertThat(fileIds).contains(inAsked.toString())
                .doesNotContain(inNotAsked.toString(), inForeign.toString());
        assertProblem(api.post("/api/v1/retrieval", Map.of("query", "lichen", "collectionIds",
                        List.of(asked, foreign.collection()), "topK", 100), member.token()), 404,
                "collection_not_found");
        JsonNode both = knowledge.retrieve(member, "lichen", 100, asked, notAsked);
        List<String> bothIds = new ArrayList<>();
        both.path("chunks").forEach(chunk -> bothIds.add(chunk.path("fileId").asString()));
        assertThat(bothIds).contains(inAsked.toString(), inNotAsked.toString())
                .doesNotContain(inForeign.toString());
    }

    @Test
    void aMemberRemovedFromTheGroupCannotReadItsCollectionFilesOnTheNextRequest() {
        Team team = team("leaver");
        TestUsers.Account member = users.user();
        users.member(team.admin(), team.group(), member, "member");
        UUID fileId = readyFile(team.admin(), team.collection(), "handbook.txt", "Mango season notes.");
        String files = "/api/v1/collections/" + team.collection() + "/files";
        assertThat(api.get(files, member.token()).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/files/" + fileId, member.token()).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/files/" + fileId + "/content", member.token()).status()).isEqualTo(200);
        assertThat(knowledge.retrieve(member, "mango", 3, team.collection()).path("chunks").size()).isPositive();

        Api.Response removed = api.delete("/api/v1/groups/" + team.group() + "/members/" + member.id(),
                team.admin().token());

        assertThat(removed.status()).as(removed.text()).isEqualTo(204);
        assertProblem(api.get(files, member.token()), 404, "collection_not_found");
        assertProblem(api.get("/api/v1/files/" + fileId, member.token()), 404, "file_not_found");
        assertProblem(api.get("/api/v1/files/" + fileId + "/content", member.token()), 404, "file_not_found");
        assertProblem(api.post("/api/v1/retrieval", Map.of("query", "mango", "collectionIds",
                List.of(team.collection()), "topK", 3), member.token()), 404, "collection_not_found");
    }

    // ------------------------------------------------------------------ identical content

    @Test
    void twoUploadsOfTheSameBytesAreTwoFilesAndRemovingOneLeavesTheOtherIntact() {
        Team team = team("twins");
        String text = "Tundra survey.\n\n" + "Granite boulders everywhere. ".repeat(100) + "\n\nTundra ends.";
        UUID first = readyFile(team.admin(), team.collection(), "survey.txt", text);
        UUID second = readyFile(team.admin(), team.collection(), "survey.txt", text);
        long secondChunks = chunks(second);

        assertThat(first).isNotEqualTo(second);
        assertThat(sha256(first)).isEqualTo(sha256(second));
        assertThat(storageKey(first)).isNotEqualTo(storageKey(second));
        assertThat(chunks(first)).isEqualTo(secondChunks).isPositive();

        Api.Response removed = api.delete("/api/v1/collections/" + team.collection() + "/files/" + first,
                team.admin().token());

        assertThat(removed.status()).isEqualTo(204);
        assertThat(chunks(first)).isZero();
        assertThat(chunks(second)).isEqualTo(secondChunks);
        assertThat(knowledge.listed(team.admin(), team.collection(), first)).isNull();
        assertThat(knowledge.listed(team.admin(), team.collection(), second).path("status").asString())
                .isEqualTo("ready");
        JsonNode found = knowledge.retrieve(team.admin(), "tundra", 10, team.collection());
        assertThat(found.path("chunks").size()).isPositive();
        found.path("chunks").forEach(chunk ->
                assertThat(chunk.path("fileId").asString()).isEqualTo(second.toString()));
        assertThat(api.download("/api/v1/files/" + second + "/content", team.admin().token()))
                .isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ helpers

    private void grant(TestUsers.Account manager, UUID collection, TestUsers.Account user, String access) {
        Api.Response granted = api.put("/api/v1/collections/" + collection + "/grants/users/" + user.id(),
                Map.of("access", access), manager.token());
        assertThat(granted.status()).as(granted.text()).isEqualTo(200);
    }

    private long links(UUID collection, UUID fileId) {
        return jdbc.sql("select count(*) from collection_files where collection_id = :c and file_id = :f")
                .param("c", collection).param("f", fileId).query(Long.class).single();
    }

    private long chunks(UUID fileId) {
        return jdbc.sql("select count(*) from chunks where file_id = :f").param("f", fileId).query(Long.class)
                .single();
    }

    private String sha256(UUID fileId) {
        return jdbc.sql("select sha256 from files where id = :f").param("f", fileId).query(String.class).single();
    }

    private String storageKey(UUID fileId) {
        return jdbc.sql("select storage_key from files where id = :f").param("f", fileId).query(String.class)
                .single();
    }

    private static void assertProblem(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.json().path("code").asString()).as(response.text()).isEqualTo(code);
    }
}
