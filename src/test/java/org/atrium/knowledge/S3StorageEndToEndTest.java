package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.Cluster;
import org.atrium.testing.Documents;
import org.atrium.testing.FakeEmbeddingServer;
import org.atrium.testing.Knowledge;
import org.atrium.testing.S3ProxyServer;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Atrium process storing files in S3-compatible object storage (S3Proxy, started here): the bytes of an
 * uploaded file land in the bucket, are ingested and downloaded from there, and leave the bucket after a delete.
 */
class S3StorageEndToEndTest {

    private static final String BUCKET = "atrium-files";

    @Test
    void uploadedFileIsStoredInTheBucketServedFromItAndRemovedFromItAfterDelete() {
        TestInfrastructure.Database database = TestInfrastructure.createDatabase("s3");
        try (S3ProxyServer s3 = S3ProxyServer.start();
             FakeEmbeddingServer embeddings = FakeEmbeddingServer.withKeywords("kiwi", "mango", "granite");
             S3Client bucket = client(s3)) {
            AtriumProcess.Builder builder = AtriumProcess.builder().database(database)
                    .redis(TestInfrastructure.redisUrl())
                    .env("ATRIUM_PROVIDERS_CONNECTIONS_FAKE_TYPE", "openai")
                    .env("ATRIUM_PROVIDERS_CONNECTIONS_FAKE_BASE_URL", embeddings.openAiBaseUrl())
                    .env("ATRIUM_JOBS_POLLING_INTERVAL", "200ms");
            // The bucket does not exist yet: Atrium creates it at startup (ATRIUM_STORAGE_S3_CREATE_BUCKET=true).
            s3.atriumEnvironment(BUCKET, true).forEach(builder::env);
            try (AtriumProcess atrium = builder.start()) {
                atrium.awaitReady(Cluster.START_TIMEOUT);
                Api api = atrium.api();
                Knowledge knowledge = new Knowledge(api);
                TestUsers.Account admin = firstAdmin(api);
                UUID group = createGroup(api, admin);
                knowledge.setGroupEmbedding(admin, group, "fake", "keywords-v1");
                knowledge.addGroupCredential(admin, group, "fake", "sk-s3-" + UUID.randomUUID());
                UUID collection = knowledge.groupCollection(admin, group, "In S3");
                byte[] content = Documents.pdf("Granite quarries.", "The kiwi harvest in the hills.");

                UUID fileId = knowledge.upload(admin, collection, "report.pdf", content);

                JsonNode settled = knowledge.awaitSettled(admin, collection, fileId);
                assertThat(settled.path("status").asString()).as(settled + "\n" + atrium.output())
                        .isEqualTo("ready");
                assertThat(api.download("/api/v1/files/" + fileId + "/content", admin.token())).isEqualTo(content);
                assertThat(knowledge.retrieve(admin, "kiwi", 1, collection).path("chunks").get(0).path("fileId")
                        .asString()).isEqualTo(fileId.toString());
                String key = "files/" + fileId;
                assertThat(objectKeys(bucket)).contains(key);
                assertThat(bucket.getObjectAsBytes(request -> request.bucket(BUCKET).key(key)).asByteArray())
                        .isEqualTo(content);

                Api.Response deleted = api.delete("/api/v1/files/" + fileId, admin.token());

                assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
                assertThat(api.get("/api/v1/files/" + fileId + "/content", admin.token()).status()).isEqualTo(404);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(objectKeys(bucket)).doesNotContain(key));
            }
        }
    }

    private static List<String> objectKeys(S3Client bucket) {
        return bucket.listObjectsV2Paginator(request -> request.bucket(BUCKET)).contents().stream()
                .map(S3Object::key).toList();
    }

    /** On a fresh database the first account to sign up administers the instance. */
    private static TestUsers.Account firstAdmin(Api api) {
        String email = TestUsers.uniqueEmail("s3-admin");
        Api.Response signedUp = api.post("/api/v1/auth/signup",
                Map.of("email", email, "name", "S3 admin", "password", TestUsers.PASSWORD), null);
        assertThat(signedUp.status()).as(signedUp.text()).isEqualTo(201);
        assertThat(signedUp.json().path("user").path("role").asString()).isEqualTo("admin");
        return new TestUsers.Account(UUID.fromString(signedUp.json().path("user").path("id").asString()), email,
                TestUsers.PASSWORD, signedUp.json().path("token").asString());
    }

    private static UUID createGroup(Api api, TestUsers.Account admin) {
        Api.Response created = api.post("/api/v1/groups", Map.of("name", "S3 readers"), admin.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return UUID.fromString(created.json().path("id").asString());
    }

    private static S3Client client(S3ProxyServer s3) {
        return S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.US_EAST_1)
                .endpointOverride(s3.endpoint())
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .build();
    }
}
