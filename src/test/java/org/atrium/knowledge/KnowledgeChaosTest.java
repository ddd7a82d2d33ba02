package org.atrium.knowledge;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.Cluster;
import org.atrium.testing.FakeEmbeddingServer;
import org.atrium.testing.Knowledge;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4's chaos proof on real replicas: three Atrium JVMs share one database, one Redis and one storage directory
 * while several clients upload, add, remove and delete files and delete whole collections. One replica is SIGKILLed
 * while it runs ingestion jobs (and replaced); another halts like a SIGKILL right after committing a file delete and
 * before anything cleaned storage. Afterwards every file still in a collection is {@code ready} with exactly the chunks
 * its content gives, every deleted file is gone from every store, and the {@code audit} command finds no orphan.
 *
 * <p>Embeddings come from a slow fake server with small batches, so that a job spans many fenced writes and the kills
 * land in the middle of jobs.
 */
class KnowledgeChaosTest {

    /** Each embedding request waits this long: a job of 20 chunks takes about two seconds. */
    private static final Duration EMBEDDING_DELAY = Duration.ofMillis(400);
    private static final int VICTIM = 1;
    private static final int HALTING = 2;
    private static final int WORKERS = 4;
    private static final Duration MIN_WORKLOAD = Duration.ofSeconds(30);
    /** Paragraphs of the documents the workload uploads (about 175 tokens each, so about as many chunks). */
    private static final int[] TEMPLATE_PARAGRAPHS = {6, 14, 24, 36};
    private static final int HALT_DOCUMENT_PARAGRAPHS = 48;

    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();

    private Cluster cluster;
    private JdbcClient jdbc;
    private String token;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void survivingFilesAreReadyWithTheirChunksAndNothingIsOrphanedAfterReplicasDieDuringIngestionAndDeletion()
            throws Exception {
        long started = System.nanoTime();
        Path dataDir = Files.createTempDirectory("atrium-chaos-data-");
        try (FakeEmbeddingServer embeddings = FakeEmbeddingServer.start(8).delayEachRequest(EMBEDDING_DELAY)) {
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("ATRIUM_PROVIDERS_CONNECTIONS_FAKE_TYPE", "openai");
            environment.put("ATRIUM_PROVIDERS_CONNECTIONS_FAKE_BASE_URL", embeddings.openAiBaseUrl());
            environment.put("ATRIUM_PROVIDERS_EMBEDDING_BATCH_SIZE", "4");
            environment.put("ATRIUM_JOBS_HEARTBEAT_INTERVAL", "1s");
            environment.put("ATRIUM_KNOWLEDGE_GARBAGE_INTERVAL", "1s");
            environment.put("ATRIUM_KNOWLEDGE_RECONCILE_INTERVAL", "5s");
            // Bytes stored by an upload whose replica died before its rows committed belong to nobody; the reconciler
            // removes them once older than this, which must outlast any upload still in progress.
            // 10 s rather than less: on a loaded two-core machine an upload can spend seconds between its storage
            // write and its commit (waiting for the collection's lock), and the reconciler must not take its bytes.
            environment.put("ATRIUM_KNOWLEDGE_ORPHAN_GRACE", "10s");
            // Local storage is shared by every replica, as a volume would be.
            environment.put("ATRIUM_DATA_DIR", dataDir.toString());
            try (Cluster replicas = Cluster.start("chaos", environment,
                    List.of(Map.of(), Map.of(), Map.of("ATRIUM_TESTING_HALT_AFTER", "file-delete-commit")))) {
                cluster = replicas;
                jdbc = JdbcClient.create(new DriverManagerDataSource(cluster.database().jdbcUrl(),
                        cluster.database().user(), cluster.database().password()));
                long clusterReady = System.nanoTime();
                System.out.printf("chaos: cluster of 3 started in %d s%n", (clusterReady - started) / 1_000_000_000);
                run(environment, dataDir, embeddings);
                System.out.printf("chaos timings: cluster start %d s, total %d s%n",
                        (clusterReady - started) / 1_000_000_000, (System.nanoTime() - started) / 1_000_000_000);
            }
        } finally {
            FileSystemUtils.deleteRecursively(dataDir);
        }
    }

    private void run(Map<String, String> environment, Path dataDir, FakeEmbeddingServer embeddings)
            throws Exception {
        Api first = cluster.api(0);
        Knowledge knowledge = new Knowledge(first);
        TestUsers.Account admin = signUpFirstAccount(first);
        token = admin.token();
        UUID group = createGroup(first, token);
        knowledge.setGroupEmbedding(admin, group, "fake", "hash-v1");
        knowledge.addGroupCredential(admin, group, "fake", "sk-chaos-secret-0001");

        // The chunk count each content must end with, from one copy ingested before any chaos.
        List<byte[]> templates = new ArrayList<>();
        for (int i = 0; i < TEMPLATE_PARAGRAPHS.length; i++) {
            templates.add(document(i, TEMPLATE_PARAGRAPHS[i]).getBytes(StandardCharsets.UTF_8));
        }
        UUID control = knowledge.groupCollection(admin, group, "Control");
        Map<String, Integer> expectedChunks = new HashMap<>();
        List<UUID> controlFiles = new ArrayList<>();
        for (int i = 0; i < templates.size(); i++) {
            controlFiles.add(knowledge.upload(admin, control, "control-" + i + ".txt", templates.get(i)));
        }
        for (int i = 0; i < templates.size(); i++) {
            JsonNode settled = knowledge.await(admin, control, controlFiles.get(i),
                    item -> Knowledge.SETTLED.contains(item.path("status").asString()), Duration.ofSeconds(90));
            assertThat(settled.path("status").asString()).as(settled.toString()).isEqualTo("ready");
            expectedChunks.put(sha256(templates.get(i)), settled.path("chunksTotal").asInt());
        }
        assertThat(Set.copyOf(expectedChunks.values())).as("each template gives its own number of chunks: %s",
                expectedChunks).hasSize(templates.size()).allMatch(n -> n > 1);

        Workload workload = new Workload(templates);
        for (int i = 0; i < 5; i++) {
            workload.collections.add(knowledge.groupCollection(admin, group, "Chaos " + i));
        }
        workload.group = group;
        UUID haltCollection = knowledge.groupCollection(admin, group, "Halt");

        Instant workloadStart = Instant.now();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            long seed = 1000 + i;
            workers.add(Thread.ofPlatform().daemon().name("chaos-worker-" + i).start(() -> workload.work(seed)));
        }
        try {
            chaos(knowledge, admin, workload, workers, workloadStart, haltCollection, environment, dataDir,
                    expectedChunks, embeddings);
        } finally {
            workload.stop = true;
        }
    }

    private void chaos(Knowledge knowledge, TestUsers.Account admin, Workload workload, List<Thread> workers,
                       Instant workloadStart, UUID haltCollection, Map<String, String> environment, Path dataDir,
                       Map<String, Integer> expectedChunks, FakeEmbeddingServer embeddings) throws Exception {

        // Kill 1: SIGKILL a replica while it runs ingestion jobs. With 4 job threads per replica, 9 running ingestion
        // jobs mean that each of the 3 replicas runs at least one, 10 at least two (so that one of them finishing
        // just before the kill cannot leave the victim idle).
        long running = awaitRunningIngestJobs(10, Duration.ofSeconds(30));
        if (running < 10) {
            running = awaitRunningIngestJobs(9, Duration.ofSeconds(20));
        }
        assertThat(running).as("the workload keeps at least 9 ingestion jobs running at once")
                .isGreaterThanOrEqualTo(9);
        AtriumProcess victim = cluster.replica(VICTIM);
        cluster.kill(VICTIM);
        Instant killedAt = Instant.now();
        int orphanedJobs = jobsWithFrozenHeartbeat();
        System.out.printf("chaos: killed replica %d at %d running ingestion jobs; %d of its jobs were left running%n",
                VICTIM, running, orphanedJobs);
        assertThat(orphanedJobs).as("the killed replica was running ingestion jobs").isPositive();
        // The replacement starts while the chaos goes on (a JVM takes most of a minute to start here).
        CompletableFuture<Void> replaced = CompletableFuture.runAsync(() -> {
            cluster.replace(VICTIM);
            System.out.printf("chaos: replica %d replaced after %d s%n", VICTIM,
                    Duration.between(killedAt, Instant.now()).toSeconds());
        }, runnable -> Thread.ofPlatform().daemon().start(runnable));

        // Kill 2: a replica halts (exit 137, as SIGKILL) right after committing a file delete, before any storage
        // cleanup; the file is one whose ingestion is under way.
        AtriumProcess halting = cluster.replica(HALTING);
        UUID haltFile = knowledge.upload(admin, haltCollection, "halt.txt",
                document(99, HALT_DOCUMENT_PARAGRAPHS).getBytes(StandardCharsets.UTF_8));
        String haltStatus = awaitEmbedding(haltFile, Duration.ofSeconds(30));
        String haltKey = jdbc.sql("select storage_key from files where id = :id").param("id", haltFile)
                .query(String.class).single();
        workload.targets = List.of(0, VICTIM);
        System.out.printf("chaos: halting replica %d at %d s of workload%n", HALTING,
                Duration.between(workloadStart, Instant.now()).toSeconds());
        try {
            Api.Response answered = halting.api().delete("/api/v1/files/" + haltFile, token);
            failures.add("the halting replica answered the delete: " + answered.status() + " " + answered.text());
        } catch (UncheckedIOException expected) {
            // the replica halted while answering
        }
        assertThat(halting.awaitExit(Duration.ofSeconds(30))).as(halting.output()).isEqualTo(137);
        assertThat(rows("select count(*) from files where id = :id", "id", haltFile)).as("the delete committed")
                .isZero();
        assertThat(!Files.exists(blobPath(dataDir, haltKey)) || rows(
                "select count(*) from storage_garbage where storage_key = :key", "key", haltKey) == 1)
                .as("the bytes are queued in the outbox with the commit, or already deleted from it").isTrue();
        System.out.printf("chaos: replica %d halted after committing the delete of a file in status %s%n", HALTING,
                haltStatus);

        Duration remaining = MIN_WORKLOAD.minus(Duration.between(workloadStart, Instant.now()));
        Thread.sleep(Math.max(remaining.toMillis(), 3000));
        workload.stop = true;
        for (Thread worker : workers) {
            worker.join(Duration.ofSeconds(150));
            assertThat(worker.isAlive()).as(worker.getName() + " stopped").isFalse();
        }
        Duration workloadTime = Duration.between(workloadStart, Instant.now());
        replaced.get(Cluster.START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
        assertThat(failures).as("requests answered wrongly by live replicas").isEmpty();

        // Every ingestion settles: the killed replicas' jobs are run again elsewhere. The kills are over, so the
        // backlog may drain at full speed.
        embeddings.delayEachRequest(Duration.ofMillis(20));
        Instant settleStart = Instant.now();
        awaitTrue("no file index queued, extracting or embedding", Duration.ofSeconds(90), () -> rows(
                "select count(*) from file_indexes where status in ('queued', 'extracting', 'embedding')") == 0);
        Duration settleTime = Duration.between(settleStart, Instant.now());

        int survivors = verifySurvivors(expectedChunks, dataDir);
        Set<UUID> gone = new HashSet<>(workload.everUploaded);
        gone.add(haltFile);
        gone.removeAll(jdbc.sql("select id from files").query(UUID.class).list());
        assertThat(gone).as("every file whose delete answered 204 is gone").containsAll(workload.deletedFiles)
                .contains(haltFile);
        assertThat(rows("select count(*) from collections where id = any(:ids)", "ids",
                workload.deletedCollections.toArray(UUID[]::new))).as("deleted collections are gone").isZero();
        verifyGone(gone, dataDir);
        awaitTrue("the halted delete's bytes are removed", Duration.ofSeconds(30),
                () -> !Files.exists(blobPath(dataDir, haltKey)));

        // Storage drained and interrupted uploads' bytes reconciled: then the audit, as an operator runs it.
        Instant auditStart = Instant.now();
        awaitTrue("no stored bytes without a file row and an empty storage outbox", Duration.ofSeconds(40),
                () -> rows("select count(*) from storage_garbage") == 0
                        && storedKeys(dataDir).equals(Set.copyOf(
                        jdbc.sql("select storage_key from files").query(String.class).list())));
        String audit = awaitCleanAudit(environment, Duration.ofSeconds(45));
        Duration auditTime = Duration.between(auditStart, Instant.now());

        long revivedJobs = Stream.of(cluster.replica(0), halting, cluster.replica(VICTIM)).map(AtriumProcess::output)
                .mapToLong(output -> output.lines().filter(line -> line.contains("Reviving dead execution")
                        && line.contains("task=knowledge-ingest")).count()).sum();
        assertThat(revivedJobs).as("ingestion jobs of dead replicas were taken over by a live one").isPositive();
        // Not failures by themselves (a job that hit one is retried), but worth seeing: each is a bug to look at.
        Map<String, Long> errorsLogged = Stream.of(victim, halting, cluster.replica(0), cluster.replica(VICTIM))
                .flatMap(process -> process.output().lines())
                .filter(line -> line.contains("\"level\":\"ERROR\"") || line.contains("deadlock detected"))
                .map(line -> line.contains("deadlock detected") ? "deadlock"
                        : line.replaceFirst(".*\"message\":\"([^\"]{0,60}).*", "$1"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        System.out.printf("chaos summary: uploads=%d adds=%d removals=%d fileDeletes=%d collectionDeletes=%d "
                        + "kills=2 connectionErrors=%d notFound=%d orphanedJobsAtKill=%d revivedJobs=%d "
                        + "survivors=%d gone=%d embeddingRequests=%d orphans=0 workload=%ds settle=%ds audit=%ds "
                        + "errorsLogged=%s%n"
                        + "audit output:%n%s%n",
                count("upload"), count("add"), count("remove"), count("deleteFile"), count("deleteCollection"),
                count("connectionError"), count("notFound"), orphanedJobs, revivedJobs, survivors, gone.size(),
                embeddings.requests(), workloadTime.toSeconds(), settleTime.toSeconds(), auditTime.toSeconds(),
                errorsLogged, audit);
    }

    /**
     * Every file row: in some collection, listed {@code ready} on every live replica in every collection holding it,
     * with chunks done = total = its content's count = its chunk rows, each index once; its bytes stored.
     *
     * @return how many files survived
     */
    private int verifySurvivors(Map<String, Integer> expectedChunks, Path dataDir) {
        record Link(UUID collection, UUID file) {
        }
        List<Link> links = jdbc.sql("select collection_id, file_id from collection_files")
                .query((rs, row) -> new Link(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class))).list();
        Map<UUID, String> shaOf = new HashMap<>();
        Map<UUID, String> keyOf = new HashMap<>();
        jdbc.sql("select id, sha256, storage_key from files").query(rs -> {
            shaOf.put(rs.getObject(1, UUID.class), rs.getString(2));
            keyOf.put(rs.getObject(1, UUID.class), rs.getString(3));
        });
        assertThat(links.stream().map(Link::file).collect(Collectors.toSet())).as("every file is in a collection")
                .isEqualTo(shaOf.keySet());
        assertThat(rows("select count(*) from file_indexes where status <> 'ready'")).as("failed indexes")
                .isZero();
        Set<UUID> collections = links.stream().map(Link::collection).collect(Collectors.toSet());
        for (int replica : List.of(0, VICTIM)) {
            Map<Link, JsonNode> listed = new HashMap<>();
            for (UUID collection : collections) {
                for (JsonNode item : listAll(cluster.api(replica), collection)) {
                    listed.put(new Link(collection, UUID.fromString(item.path("fileId").asString())), item);
                }
            }
            assertThat(listed.keySet()).as("listings on replica %d", replica)
                    .containsExactlyInAnyOrderElementsOf(links);
            for (Map.Entry<Link, JsonNode> entry : listed.entrySet()) {
                JsonNode item = entry.getValue();
                Integer expected = expectedChunks.get(shaOf.get(entry.getKey().file()));
                assertThat(expected).as("content of %s is one of the templates", item).isNotNull();
                assertThat(item.path("status").asString()).as(item.toString()).isEqualTo("ready");
                assertThat(item.path("chunksTotal").asInt()).as(item.toString()).isEqualTo(expected);
                assertThat(item.path("chunksDone").asInt()).as(item.toString()).isEqualTo(expected);
            }
        }
        for (UUID file : shaOf.keySet()) {
            int expected = expectedChunks.get(shaOf.get(file));
            Map<String, Object> chunks = jdbc.sql("""
                            select count(*) as n, count(distinct chunk_index) as distinct_indexes,
                                   coalesce(min(chunk_index), -1) as first, coalesce(max(chunk_index), -1) as last,
                                   count(distinct space_id) as spaces
                            from chunks where file_id = :f""")
                    .param("f", file).query().singleRow();
            assertThat(chunks).as("chunks of file %s", file).containsEntry("n", (long) expected)
                    .containsEntry("distinct_indexes", (long) expected).containsEntry("first", 0)
                    .containsEntry("last", expected - 1).containsEntry("spaces", 1L);
            assertThat(blobPath(dataDir, keyOf.get(file))).as("bytes of file %s", file).isRegularFile();
        }
        return shaOf.size();
    }

    /** Files that no longer exist: no row, chunk, index, link or job anywhere, no bytes, 404 on every replica. */
    private void verifyGone(Set<UUID> gone, Path dataDir) {
        UUID[] ids = gone.toArray(UUID[]::new);
        for (String table : List.of("files where id", "file_indexes where file_id", "chunks where file_id",
                "collection_files where file_id")) {
            assertThat(rows("select count(*) from " + table + " = any(:ids)", "ids", ids)).as(table).isZero();
        }
        assertThat(rows("select count(*) from scheduled_tasks where task_name = 'knowledge-ingest'"))
                .as("ingestion jobs left").isZero();
        awaitTrue("bytes of deleted files are removed", Duration.ofSeconds(30), () -> gone.stream()
                .noneMatch(file -> Files.exists(blobPath(dataDir, Reconciler.FILES_PREFIX + file))));
        for (int replica : List.of(0, VICTIM)) {
            Api api = cluster.api(replica);
            for (UUID file : gone) {
                assertThat(api.get("/api/v1/files/" + file, token).status()).as("file %s on replica %d", file,
                        replica).isEqualTo(404);
                assertThat(api.get("/api/v1/files/" + file + "/content", token).status()).isEqualTo(404);
            }
        }
    }

    /** Runs {@code audit} as a real process until it exits 0 (the outbox and the reconciler may still be busy). */
    private String awaitCleanAudit(Map<String, String> environment, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            AtriumProcess.Builder builder = AtriumProcess.builder().database(cluster.database())
                    .redis(cluster.redisUrl()).args("audit");
            environment.forEach(builder::env);
            try (AtriumProcess audit = builder.start()) {
                int exit = audit.awaitExit(Duration.ofSeconds(120));
                String output = audit.output();
                List<String> counts = output.lines().filter(line -> line.matches("[a-z_]+=\\d+")).toList();
                if (exit == 0) {
                    assertThat(counts).as(output).hasSizeGreaterThanOrEqualTo(6).allMatch(line -> line.endsWith("=0"));
                    assertThat(output).contains("audit: no orphans");
                    return String.join("\n", counts);
                }
                if (exit != 1 || Instant.now().isAfter(deadline)) {
                    throw new AssertionError("audit exited with " + exit + ":\n" + output);
                }
                System.out.println("chaos: audit found orphans, trying again: " + counts);
            }
            sleep(2000);
        }
    }

    /** The clients: random operations against random live replicas, tolerating only the deaths the test causes. */
    private final class Workload {
        final List<byte[]> templates;
        final List<UUID> collections = new CopyOnWriteArrayList<>();
        final List<UUID> files = new CopyOnWriteArrayList<>();
        final Set<UUID> everUploaded = ConcurrentHashMap.newKeySet();
        final Set<UUID> deletedFiles = ConcurrentHashMap.newKeySet();
        final Set<UUID> deletedCollections = ConcurrentHashMap.newKeySet();
        final AtomicInteger names = new AtomicInteger();
        volatile List<Integer> targets = List.of(0, VICTIM, HALTING);
        volatile boolean stop;
        volatile UUID group;

        Workload(List<byte[]> templates) {
            this.templates = templates;
        }

        void work(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            while (!stop) {
                try {
                    step(random);
                } catch (RuntimeException | AssertionError unexpected) {
                    failures.add("worker failed: " + unexpected);
                }
                sleep(30 + random.nextInt(70));
            }
        }

        private void step(SplittableRandom random) {
            List<Integer> live = targets;
            int slot = live.get(random.nextInt(live.size()));
            int roll = random.nextInt(100);
            UUID collection = pick(collections, random);
            UUID file = pick(files, random);
            if (roll < 45 || file == null) {
                int template = random.nextInt(templates.size());
                call(slot, "upload", api -> api.upload("/api/v1/collections/" + collection + "/files",
                        "notes-" + names.incrementAndGet() + ".txt", templates.get(template), token), 202, 404)
                        .filter(response -> response.status() == 202).ifPresent(response -> {
                            UUID id = UUID.fromString(response.json().path("fileId").asString());
                            everUploaded.add(id);
                            files.add(id);
                        });
            } else if (roll < 62) {
                call(slot, "add", api -> api.put("/api/v1/collections/" + collection + "/files/" + file, null,
                        token), 200, 404);
            } else if (roll < 76) {
                call(slot, "remove", api -> api.delete("/api/v1/collections/" + collection + "/files/" + file,
                        token), 204, 404);
            } else if (roll < 88) {
                // Never to the replica armed to halt: its one file delete is the test's own.
                int deleter = live.stream().filter(s -> s != HALTING).toList()
                        .get(random.nextInt((int) live.stream().filter(s -> s != HALTING).count()));
                call(deleter, "deleteFile", api -> api.delete("/api/v1/files/" + file, token), 204)
                        .ifPresent(response -> {
                            deletedFiles.add(file);
                            files.remove(file);
                        });
            } else if (roll < 91 && collections.size() >= 3) {
                collections.remove(collection);
                call(slot, "deleteCollection", api -> api.delete("/api/v1/collections/" + collection, token), 204)
                        .ifPresent(response -> deletedCollections.add(collection));
                call(0, "createCollection", api -> api.post("/api/v1/collections",
                        Map.of("name", "Chaos " + names.incrementAndGet(), "groupId", group), token), 201)
                        .ifPresent(response -> collections.add(UUID.fromString(response.json().path("id")
                                .asString())));
            } else {
                call(slot, "list", api -> api.get("/api/v1/collections/" + collection + "/files?limit=200", token),
                        200, 404);
            }
        }
    }

    /**
     * Sends a request to the replica in a slot. A connection failure is tolerated when that replica is dead (it was
     * killed or halted); any other failure, or a status not expected, is recorded.
     */
    private Optional<Api.Response> call(int slot, String what, Function<Api, Api.Response> request,
                                                  int... expected) {
        AtriumProcess process = cluster.replica(slot);
        Api.Response response;
        try {
            response = request.apply(process.api());
        } catch (UncheckedIOException failure) {
            Instant deadline = Instant.now().plusSeconds(3);
            while (process.isAlive() && Instant.now().isBefore(deadline)) {
                sleep(50);
            }
            if (process.isAlive()) {
                failures.add(what + " on live replica " + slot + " failed: " + failure.getCause());
            } else {
                count("connectionError", 1);
            }
            return Optional.empty();
        }
        if (Arrays.stream(expected).noneMatch(status -> status == response.status())) {
            failures.add(what + " on replica " + slot + " answered " + response.status() + ": " + response.text());
            return Optional.empty();
        }
        if (response.status() == 404) {
            count("notFound", 1);
            return Optional.of(response);
        }
        count(what, 1);
        return Optional.of(response);
    }

    /** Waits until at least {@code wanted} ingestion jobs are picked at once; returns the last count seen. */
    private long awaitRunningIngestJobs(int wanted, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        long seen = 0;
        while (Instant.now().isBefore(deadline)) {
            seen = rows("select count(*) from scheduled_tasks where task_name = 'knowledge-ingest' and picked");
            if (seen >= wanted) {
                return seen;
            }
            sleep(50);
        }
        return seen;
    }

    /**
     * Counts the picked ingestion jobs whose heartbeat stands still for over two heartbeat intervals after the kill:
     * the killed replica's. Live replicas beat every second; db-scheduler revives a job after four missed beats.
     */
    private int jobsWithFrozenHeartbeat() {
        sleep(200);
        Set<String> before = heartbeats();
        sleep(2300);
        before.retainAll(heartbeats());
        return before.size();
    }

    private Set<String> heartbeats() {
        return new HashSet<>(jdbc.sql("select task_instance || '@' || last_heartbeat::text from scheduled_tasks"
                + " where task_name = 'knowledge-ingest' and picked").query(String.class).list());
    }

    /** Waits until the file's ingestion has written chunks; returns the status seen last. */
    private String awaitEmbedding(UUID file, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String status = "";
        while (Instant.now().isBefore(deadline)) {
            Map<String, Object> row = jdbc.sql("select status, chunks_done from file_indexes where file_id = :f")
                    .param("f", file).query().singleRow();
            status = row.get("status") + " (" + row.get("chunks_done") + " chunks done)";
            if ("embedding".equals(row.get("status")) && ((Number) row.get("chunks_done")).intValue() > 0) {
                return status;
            }
            sleep(50);
        }
        return status;
    }

    private List<JsonNode> listAll(Api api, UUID collection) {
        List<JsonNode> items = new ArrayList<>();
        for (int offset = 0; ; offset += 200) {
            Api.Response page = api.get("/api/v1/collections/" + collection + "/files?limit=200&offset=" + offset,
                    token);
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            page.json().path("items").forEach(items::add);
            if (page.json().path("items").size() < 200) {
                return items;
            }
        }
    }

    private long rows(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }

    private long rows(String sql, String name, Object value) {
        return jdbc.sql(sql).param(name, value).query(Long.class).single();
    }

    private static Set<String> storedKeys(Path dataDir) {
        Path directory = dataDir.resolve("files").resolve(Reconciler.FILES_PREFIX);
        if (!Files.isDirectory(directory)) {
            return Set.of();
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            // Temporary files of interrupted writes start with ".~" and are never listed as objects.
            return paths.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".~"))
                    .map(p -> Reconciler.FILES_PREFIX + directory.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toSet());
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    private static Path blobPath(Path dataDir, String key) {
        return dataDir.resolve("files").resolve(key);
    }

    private static void awaitTrue(String what, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            sleep(250);
        }
    }

    private void count(String what, int n) {
        counters.computeIfAbsent(what, k -> new AtomicInteger()).addAndGet(n);
    }

    private int count(String what) {
        AtomicInteger counter = counters.get(what);
        return counter == null ? 0 : counter.get();
    }

    private static <T> T pick(List<T> list, SplittableRandom random) {
        List<T> copy = List.copyOf(list);
        return copy.isEmpty() ? null : copy.get(random.nextInt(copy.size()));
    }

    private static TestUsers.Account signUpFirstAccount(Api api) {
        String email = TestUsers.uniqueEmail("chaos-admin");
        Api.Response response = api.post("/api/v1/auth/signup",
                Map.of("email", email, "name", "Chaos admin", "password", TestUsers.PASSWORD), null);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        JsonNode body = response.json();
        assertThat(body.path("user").path("role").asString()).as("the first account is admin").isEqualTo("admin");
        return new TestUsers.Account(UUID.fromString(body.path("user").path("id").asString()), email,
                TestUsers.PASSWORD, body.path("token").asString());
    }

    private static UUID createGroup(Api api, String token) {
        Api.Response response = api.post("/api/v1/groups", Map.of("name", "chaos"), token);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return UUID.fromString(response.json().path("id").asString());
    }

    /** A plain-text document of about 175 tokens per paragraph, different for each seed. */
    private static String document(int seed, int paragraphs) {
        String[] words = {"river", "stone", "garden", "winter", "lantern", "harbor", "meadow", "copper", "signal",
                "orchard", "valley", "candle", "bridge", "forest", "window", "silver", "market", "thunder", "basket",
                "mirror", "planet", "island", "ladder", "pencil", "rocket", "saddle", "tunnel", "violet", "wagon",
                "yellow"};
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder("Chaos document ").append(seed).append(".\n\n");
        for (int p = 0; p < paragraphs; p++) {
            for (int s = 0; s < 25; s++) {
                for (int w = 0; w < 6; w++) {
                    String word = words[random.nextInt(words.length)];
                    text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word)
                            .append(w == 5 ? ". " : " ");
                }
            }
            text.append("\n\n");
        }
        return text.toString();
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
