package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.Cluster;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real replicas on one database: a user is deleted through one while uploads and adds into their own collection
 * run through the other, and likewise a group while its admin uploads and adds into its collection. Every answer is a deliberate one (2xx, or 401/404 for a caller or target that vanished), never
 * a 5xx, and nothing is left orphaned. Then a replica is killed with SIGKILL in the middle of an upload, and the
 * replica started in its place removes the spool file it left.
 */
class DeletionUnderLoadClusterTest {

    private static final int ROUNDS = 12;
    private static final int UPLOADS = 3;
    private static final int ADDS = 3;
    private static final int GROUP_ROUNDS = 4;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void deletingUsersAndGroupsDuringTheirUploadsAndAddsAnswersNo5xxLeavesNoOrphansAndKilledSpoolsGo()
            throws Exception {
        // One data directory for both replicas and the audit: local storage shared as a volume would be, and both
        // replicas' upload spools side by side under it.
        Path dataDir = Files.createTempDirectory("atrium-deletion-data-");
        Map<String, String> environment = Map.of("ATRIUM_SIGNUP_DEFAULT_ROLE", "user",
                "ATRIUM_DATA_DIR", dataDir.toString());
        try (Cluster cluster = Cluster.start("deletion", 2, environment)) {
            Api a = cluster.api(0);
            Api b = cluster.api(1);
            TestUsers.Account admin = signUp(a, "deletion-admin");
            Map<String, AtomicInteger> statuses = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                round(a, b, admin, round, statuses, failures);
            }
            for (int round = 0; round < GROUP_ROUNDS; round++) {
                groupRound(a, b, admin, round, statuses, failures);
            }
            System.out.println("deletion under load: " + statuses);
            assertThat(failures).as("answers that are neither success nor a vanished caller or target").isEmpty();
            assertThat(statuses.keySet()).noneMatch(status -> status.matches(".* 5\\d\\d"));

            AtriumProcess.Builder audit = AtriumProcess.builder().database(cluster.database())
                    .redis(cluster.redisUrl()).args("audit");
            environment.forEach(audit::env);
            awaitCleanAudit(audit);

            killedSpoolIsRemovedByTheNextReplica(cluster, admin, dataDir);
        } finally {
            FileSystemUtils.deleteRecursively(dataDir);
        }
    }

    private void round(Api a, Api b, TestUsers.Account admin, int round, Map<String, AtomicInteger> statuses,
                       List<String> failures) throws Exception {
        TestUsers.Account owner = signUp(a, "deletion-owner-" + round);
        UUID source = collection(a, owner, "Source " + round);
        UUID target = collection(a, owner, "Target " + round);
        List<UUID> seeds = new ArrayList<>();
        for (int i = 0; i < ADDS; i++) {
            Api.Response seed = a.upload("/api/v1/collections/" + source + "/files", "seed-" + i + ".txt",
                    ("Seed " + i + " of round " + round + ".").getBytes(StandardCharsets.UTF_8), owner.token());
            assertThat(seed.status()).as(seed.text()).isEqualTo(202);
            seeds.add(UUID.fromString(seed.json().path("fileId").asString()));
        }

        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<String>> requests = new ArrayList<>();
        for (int i = 0; i < UPLOADS; i++) {
            byte[] content = ("Upload " + i + " of round " + round + ". ").repeat(200).getBytes(StandardCharsets.UTF_8);
            requests.add(CompletableFuture.supplyAsync(() -> {
                awaitStart(start);
                return "upload " + a.upload("/api/v1/collections/" + target + "/files", "up.txt", content,
                        owner.token()).status();
            }));
        }
        for (UUID seed : seeds) {
            requests.add(CompletableFuture.supplyAsync(() -> {
                awaitStart(start);
                return "add " + a.put("/api/v1/collections/" + target + "/files/" + seed, null, owner.token())
                        .status();
            }));
        }
        requests.add(CompletableFuture.supplyAsync(() -> {
            awaitStart(start);
            return "delete " + b.delete("/api/v1/users/" + owner.id(), admin.token()).status();
        }));
        start.countDown();

        for (CompletableFuture<String> request : requests) {
            String answer = request.get(120, TimeUnit.SECONDS);
            statuses.computeIfAbsent(answer, key -> new AtomicInteger()).incrementAndGet();
            if (!answer.matches("upload (202|401|404)|add (200|401|404)|delete 204")) {
                failures.add("round " + round + ": " + answer);
            }
        }
        if (b.get("/api/v1/users/" + owner.id(), admin.token()).status() != 404
                || a.get("/api/v1/collections/" + target, admin.token()).status() != 404) {
            failures.add("round " + round + ": the user or their collection is still there");
        }
    }

    /** The same against a group's deletion: a group admin uploads and adds into the group's collection. */
    private void groupRound(Api a, Api b, TestUsers.Account admin, int round, Map<String, AtomicInteger> statuses,
                            List<String> failures) throws Exception {
        TestUsers.Account member = signUp(a, "deletion-member-" + round);
        Api.Response group = a.post("/api/v1/groups", Map.of("name", "deleted-" + round + "-" + UUID.randomUUID()),
                admin.token());
        assertThat(group.status()).as(group.text()).isEqualTo(201);
        UUID groupId = UUID.fromString(group.json().path("id").asString());
        Api.Response joined = a.put("/api/v1/groups/" + groupId + "/members/" + member.id(), Map.of("role", "admin"),
                admin.token());
        assertThat(joined.status()).as(joined.text()).isEqualTo(200);
        Api.Response created = a.post("/api/v1/collections", Map.of("name", "Group " + round, "groupId",
                groupId.toString()), member.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        UUID target = UUID.fromString(created.json().path("id").asString());
        UUID own = collection(a, member, "Own " + round);
        List<UUID> seeds = new ArrayList<>();
        for (int i = 0; i < ADDS; i++) {
            Api.Response seed = a.upload("/api/v1/collections/" + own + "/files", "seed-" + i + ".txt",
                    ("Group seed " + i + " of round " + round + ".").getBytes(StandardCharsets.UTF_8), member.token());
            assertThat(seed.status()).as(seed.text()).isEqualTo(202);
            seeds.add(UUID.fromString(seed.json().path("fileId").asString()));
        }

        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<String>> requests = new ArrayList<>();
        for (int i = 0; i < UPLOADS; i++) {
            byte[] content = ("Group upload " + i + " of round " + round + ". ").repeat(200)
                    .getBytes(StandardCharsets.UTF_8);
            requests.add(CompletableFuture.supplyAsync(() -> {
                awaitStart(start);
                return "group upload " + a.upload("/api/v1/collections/" + target + "/files", "up.txt", content,
                        member.token()).status();
            }));
        }
        for (UUID seed : seeds) {
            requests.add(CompletableFuture.supplyAsync(() -> {
                awaitStart(start);
                return "group add " + a.put("/api/v1/collections/" + target + "/files/" + seed, null,
                        member.token()).status();
            }));
        }
        requests.add(CompletableFuture.supplyAsync(() -> {
            awaitStart(start);
            return "group delete " + b.delete("/api/v1/groups/" + groupId, admin.token()).status();
        }));
        start.countDown();

        for (CompletableFuture<String> request : requests) {
            String answer = request.get(120, TimeUnit.SECONDS);
            statuses.computeIfAbsent(answer, key -> new AtomicInteger()).incrementAndGet();
            if (!answer.matches("group upload (202|404)|group add (200|404)|group delete 204")) {
                failures.add("group round " + round + ": " + answer);
            }
        }
        if (a.get("/api/v1/collections/" + target, admin.token()).status() != 404) {
            failures.add("group round " + round + ": the group's collection is still there");
        }
    }

    /** Sends the head of an upload and part of its body, kills the replica, and starts another on its data dir. */
    private void killedSpoolIsRemovedByTheNextReplica(Cluster cluster, TestUsers.Account admin, Path dataDir)
            throws Exception {
        UUID collection = collection(cluster.api(0), admin, "Interrupted");
        Path spoolRoot = dataDir.resolve("spool/uploads");
        String boundary = "atrium-killed-upload";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\""
                + "\r\nContent-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        int declared = 8 * 1024 * 1024;
        try (Socket socket = new Socket("127.0.0.1", cluster.replica(0).port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/collections/" + collection + "/files HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + admin.token() + "\r\n"
                    + "Content-Type: multipart/form-data; boundary=" + boundary + "\r\n"
                    + "Content-Length: " + (head.length + declared) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(head);
            out.write("Half an upload. ".repeat(32 * 1024).getBytes(StandardCharsets.UTF_8));
            out.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> spoolFiles(spoolRoot).size() == 1);

            cluster.kill(0);
        }
        List<Path> left = spoolFiles(spoolRoot);
        assertThat(left).as("the killed replica's spool file outlives it").hasSize(1);
        Path killedDirectory = left.getFirst().getParent();

        Path survivorDirectory = spoolDirectoryOf(spoolRoot, cluster.replica(1));

        AtriumProcess replacement = cluster.replace(0);

        assertThat(killedDirectory).as("removed by the replica started on the same data dir").doesNotExist();
        assertThat(survivorDirectory).as("the other replica's, still running, is kept").isDirectory();
        assertThat(spoolDirectoryOf(spoolRoot, replacement)).isDirectory();
    }

    private static Path spoolDirectoryOf(Path root, AtriumProcess process) throws Exception {
        try (Stream<Path> directories = Files.list(root)) {
            return directories.filter(directory -> directory.getFileName().toString()
                    .contains("_" + process.pid() + "_")).findFirst().orElseThrow();
        }
    }

    private static List<Path> spoolFiles(Path root) throws Exception {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            // Each process's directory also holds the lock file that says it is in use (UploadSpool): not a spool file.
            return files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static void awaitCleanAudit(AtriumProcess.Builder builder) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            try (AtriumProcess audit = builder.start()) {
                int exit = audit.awaitExit(Duration.ofSeconds(120));
                String output = audit.output();
                System.out.println("audit exited with " + exit + ": " + output.lines()
                        .filter(line -> line.matches("[a-z_]+=\\d+|audit: .*")).toList());
                assertThat(exit).as(output).isIn(0, 1);
                return exit == 0 && output.contains("audit: no orphans");
            }
        });
    }

    private static TestUsers.Account signUp(Api api, String hint) {
        String email = TestUsers.uniqueEmail(hint);
        Api.Response response = api.post("/api/v1/auth/signup",
                Map.of("email", email, "name", hint, "password", TestUsers.PASSWORD), null);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        JsonNode body = response.json();
        return new TestUsers.Account(UUID.fromString(body.path("user").path("id").asString()), email,
                TestUsers.PASSWORD, body.path("token").asString());
    }

    private static UUID collection(Api api, TestUsers.Account owner, String name) {
        Api.Response created = api.post("/api/v1/collections", Map.of("name", name), owner.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return UUID.fromString(created.json().path("id").asString());
    }

    private static void awaitStart(CountDownLatch start) {
        try {
            start.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
