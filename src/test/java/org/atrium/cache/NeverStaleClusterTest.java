package org.atrium.cache;

import org.atrium.testing.Api;
import org.atrium.testing.Cluster;
import org.atrium.testing.StalenessChecker;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.StalenessChecker.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Never stale" across replicas: once a write (role, membership, group setting, API key revocation) is acknowledged,
 * no read that begins afterwards, on any replica, returns the old state, while Redis restarts, is flushed, and a
 * writer dies between its commit and its post-commit invalidation.
 *
 * <p>The randomized test reads {@code -Datrium.stale.reads=N} (default 3000 HTTP reads) and
 * {@code -Datrium.stale.seed}; its {@code long} variant checks at least 50,000 reads
 * ({@code ./mvnw test -Dexcluded.test.groups= -Dgroups=long -Dtest=NeverStaleClusterTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NeverStaleClusterTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String EFFECTIVE_STATE = "/api/v1/me/effective-state";
    private static final Duration REDIS_DOWN = Duration.ofMillis(2500);

    /**
     * Atrium sets no Redis command timeout, so while Redis is down Lettuce queues every command until it is back and
     * requests wait (nothing fails, nothing falls back). Replicas 1 (the writer, and the one killed after commit)
     * and 3 get a 1 s timeout, so that an outage makes writes answer 503 and reads fall back to PostgreSQL there;
     * replica 2 keeps the shipped behaviour.
     */
    private static final Map<String, String> REDIS_TIMEOUT = Map.of("SPRING_DATA_REDIS_TIMEOUT", "1s");
    private static final Map<String, String> HALT_AFTER_COMMIT = Map.of("ATRIUM_TESTING_HALT_AT", "WRITER_AFTER_COMMIT",
            "SPRING_DATA_REDIS_TIMEOUT", "1s");

    private Cluster cluster;
    private String adminToken;

    @BeforeAll
    void startCluster() {
        cluster = Cluster.start("neverstale", Map.of(), List.of(REDIS_TIMEOUT, Map.of(), REDIS_TIMEOUT));
        Api.Response signUp = cluster.api(0).post("/api/v1/auth/signup",
                Map.of("email", email("admin"), "name", "Admin", "password", PASSWORD), null);
        assertThat(signUp.status()).as(signUp.text()).isEqualTo(201);
        assertThat(signUp.json().path("user").path("role").asString()).isEqualTo("admin");
        adminToken = signUp.json().path("token").asString();
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void revokedKeyIsRejectedByTheNextCallOnEveryReplica() {
        Account owner = user("revoke");
        Api.Response created = cluster.api(0).post("/api/v1/api-keys", Map.of("name", "script"), owner.token());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String key = created.json().path("key").asString();
        String keyId = created.json().path("apiKey").path("id").asString();

        List<Double> hitsBefore = List.of(localHits(1), localHits(2));
        for (int round = 0; round < 3; round++) {
            for (int replica = 0; replica < 3; replica++) {
                Api.Response state = cluster.api(replica).get(EFFECTIVE_STATE, key);
                assertThat(state.status()).as("replica %d before revocation: %s", replica + 1, state.text())
                        .isEqualTo(200);
                assertThat(state.json().path("userId").asString()).isEqualTo(owner.id().toString());
            }
        }
        assertThat(localHits(1)).as("replica 2 served the key from its in-memory cache")
                .isGreaterThanOrEqualTo(hitsBefore.get(0) + 2);
        assertThat(localHits(2)).as("replica 3 served the key from its in-memory cache")
                .isGreaterThanOrEqualTo(hitsBefore.get(1) + 2);

        Api.Response revoked = cluster.api(0).delete("/api/v1/api-keys/" + keyId, owner.token());
        assertThat(revoked.status()).as(revoked.text()).isEqualTo(204);

        Api.Response second = cluster.api(1).get(EFFECTIVE_STATE, key);
        Api.Response third = cluster.api(2).get(EFFECTIVE_STATE, key);
        assertThat(second.status()).as("the next call on replica 2: %s", second.text()).isEqualTo(401);
        assertThat(third.status()).as("the next call on replica 3: %s", third.text()).isEqualTo(401);
        assertThat(second.json().path("code").asString()).isEqualTo("invalid_credentials");
        for (int replica = 0; replica < 3; replica++) {
            assertThat(cluster.api(replica).send("GET", EFFECTIVE_STATE, null, Map.of("x-api-key", key)).status())
                    .as("x-api-key on replica %d", replica + 1).isEqualTo(401);
            assertThat(cluster.api(replica).get(EFFECTIVE_STATE, key).status())
                    .as("bearer on replica %d", replica + 1).isEqualTo(401);
        }
    }

    @Test
    @Order(2)
    void randomizedWritesWithRedisRestartFlushAndAWriterKilledAfterCommitNeverYieldAStaleRead() {
        new Run(Integer.getInteger("atrium.stale.reads", 3000), false).execute();
    }

    @Test
    @Order(3)
    @Tag("long")
    void longRandomizedRunChecksAtLeastFiftyThousandReads() {
        new Run(Math.max(50_000, Integer.getInteger("atrium.stale.reads", 50_000)), true).execute();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** An account and a session token. */
    private record Account(UUID id, String email, String token) {
    }

    /** An API key of a subject, as the readers know it. */
    private record Key(UUID id, String secret, Account owner) {
    }

    /**
     * One randomized run. Registers, each with one writer thread so that its writes are sequential:
     * {@code role:<user>} (user/admin), {@code member:<user>:<group>} (in/out), {@code setting:<group>} (the
     * group's {@code systemPrompt}, a unique marker per write) and {@code key:<id>} (active/revoked). Writers go
     * through replica 1; readers use replicas 2 and 3.
     */
    private final class Run {

        private static final int SUBJECTS = 4;
        private static final int GROUPS = 3;
        private static final int READERS = 4;

        private final int targetReads;
        private final boolean longVariant;
        private final long seed = Long.getLong("atrium.stale.seed", System.nanoTime());
        private final StalenessChecker history = new StalenessChecker();
        private final AtomicLong markers = new AtomicLong();
        private final AtomicInteger httpReads = new AtomicInteger();
        private final AtomicInteger acknowledged = new AtomicInteger();
        private final AtomicLong slowestRead = new AtomicLong();
        private final AtomicInteger slowReads = new AtomicInteger();
        private final AtomicInteger unavailable = new AtomicInteger();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final List<Account> subjects = new ArrayList<>();
        private final List<UUID> groups = new ArrayList<>();
        private final Map<UUID, Account> observers = new LinkedHashMap<>();
        private final Map<UUID, UUID> observedGroup = new ConcurrentHashMap<>();
        private final Set<UUID> subjectIds = ConcurrentHashMap.newKeySet();
        private final Map<String, Boolean> memberships = new ConcurrentHashMap<>();
        private final CopyOnWriteArrayList<Key> keys = new CopyOnWriteArrayList<>();
        private final List<Integer> readerSlots = List.of(1, 2);
        private UUID chaosGroup;
        private volatile boolean stopping;
        private boolean giveUpKilling;
        private int redisRestarts;
        private int flushes;
        private int kills;

        Run(int targetReads, boolean longVariant) {
            this.targetReads = targetReads;
            this.longVariant = longVariant;
        }

        void execute() {
            Random random = new Random(seed);
            CompletableFuture<Integer> halting = CompletableFuture.supplyAsync(
                    () -> cluster.addReplica(HALT_AFTER_COMMIT), runnable -> Thread.ofPlatform().start(runnable));
            setUp(random);

            List<Thread> threads = new ArrayList<>();
            threads.add(worker("role-writer", this::roleWriter));
            threads.add(worker("membership-writer", this::membershipWriter));
            threads.add(worker("settings-writer", this::settingsWriter));
            threads.add(worker("key-writer", this::keyWriter));
            for (int i = 0; i < READERS; i++) {
                threads.add(worker("reader-" + i, this::reader));
            }
            long started = System.nanoTime();
            Duration limit = longVariant ? Duration.ofMinutes(20) : Duration.ofSeconds(150);
            Duration minimum = Duration.ofSeconds(longVariant ? 60 : 12);
            long nextChaos = started + Duration.ofSeconds(3).toNanos();
            int step = 0;
            try {
                while (true) {
                    long now = System.nanoTime();
                    if (now >= nextChaos) {
                        switch (step % 3) {
                            case 0 -> {
                                cluster.flushRedis();
                                flushes++;
                            }
                            case 1 -> {
                                cluster.restartRedis(REDIS_DOWN);
                                redisRestarts++;
                            }
                            default -> {
                                // A burst: versions go missing again while replicas are reseeding them.
                                for (int i = 0; i < 10; i++) {
                                    cluster.flushRedis();
                                    flushes++;
                                    sleep(25);
                                }
                            }
                        }
                        step++;
                        nextChaos = System.nanoTime() + Duration.ofSeconds(longVariant ? 7 : 4).toNanos();
                    }
                    if (halting != null && halting.isDone() && !giveUpKilling) {
                        int slot = halting.join();
                        if (killWriterAfterCommit(slot)) {
                            halting = longVariant ? CompletableFuture.supplyAsync(() -> {
                                cluster.replace(slot);
                                return slot;
                            }, runnable -> Thread.ofPlatform().start(runnable)) : null;
                        }
                    }
                    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
                    if (httpReads.get() >= targetReads && flushes >= 1 && redisRestarts >= 1 && kills >= 1
                            && elapsed.compareTo(minimum) >= 0) {
                        break;
                    }
                    if (!failures.isEmpty() && elapsed.compareTo(minimum) >= 0) {
                        break;
                    }
                    if (elapsed.compareTo(limit) > 0) {
                        failures.add("the run did not reach its targets within " + limit + ": " + httpReads.get()
                                + " reads, " + flushes + " flushes, " + redisRestarts + " Redis restarts, " + kills
                                + " kills");
                        break;
                    }
                    sleep(100);
                }
            } finally {
                stopping = true;
                threads.forEach(NeverStaleClusterTest::join);
                if (!cluster.redisRunning()) {
                    cluster.startRedis();
                }
                if (halting != null) {
                    halting.cancel(true);
                }
            }
            Duration duration = Duration.ofNanos(System.nanoTime() - started);

            StalenessChecker.Result result = history.check();
            String variant = longVariant ? "long" : "default";
            System.out.printf("NeverStaleClusterTest[%s]: %s; %d HTTP reads in %.1f s (%.0f/s), %d writes"
                            + " acknowledged, %d answered 503, %d Redis restarts, %d FLUSHALLs, %d writers killed"
                            + " after commit, slowest read %d ms, %d reads over 1 s, seed %d%n", variant,
                    result.summary(), httpReads.get(), duration.toMillis() / 1000.0,
                    httpReads.get() * 1e9 / duration.toNanos(), acknowledged.get(), unavailable.get(), redisRestarts,
                    flushes, kills, slowestRead.get() / 1_000_000, slowReads.get(), seed);
            System.out.printf("checked %d reads, %d violations%n", result.readsChecked(), result.violations().size());
            StringBuilder report = new StringBuilder();
            result.violations().stream().limit(5)
                    .forEach(violation -> report.append(history.describe(violation, 6)).append('\n'));
            if (!report.isEmpty()) {
                System.out.println(report);
            }
            List<String> failed = List.copyOf(failures);
            String failureReport = failed.size() + " failures, the first ones:\n"
                    + String.join("\n", failed.subList(0, Math.min(15, failed.size())));
            if (!failed.isEmpty()) {
                System.out.println(failureReport);
            }
            assertThat(result.violations().size()).as("stale reads (seed %d):%n%s", seed, report).isZero();
            assertThat(failed.size()).as("reads answered 5xx, unexpected statuses (seed %d): %s", seed,
                    failureReport).isZero();
            assertThat(httpReads.get()).isGreaterThanOrEqualTo(targetReads);
            assertThat(result.readsChecked()).isGreaterThanOrEqualTo(targetReads);
            assertThat(kills).as("writers killed between commit and invalidation").isGreaterThanOrEqualTo(1);
            assertThat(redisRestarts).isGreaterThanOrEqualTo(1);
            assertThat(flushes).isGreaterThanOrEqualTo(1);
        }

        // --- set-up --------------------------------------------------------------------------------------------

        private void setUp(Random random) {
            for (int i = 0; i < GROUPS; i++) {
                groups.add(group("g" + i));
            }
            chaosGroup = group("chaos");
            for (UUID group : allGroups()) {
                String marker = marker();
                Api.Response put = cluster.api(0).put("/api/v1/groups/" + group + "/settings",
                        Map.of("settings", Map.of("systemPrompt", marker)), adminToken);
                assertThat(put.status()).as(put.text()).isEqualTo(200);
                history.initial(setting(group), marker);
                Account observer = user("observer");
                join(group, observer.id());
                observers.put(group, observer);
                observedGroup.put(observer.id(), group);
            }
            for (int i = 0; i < SUBJECTS; i++) {
                Account subject = user("subject");
                subjects.add(subject);
                subjectIds.add(subject.id());
                history.initial(role(subject.id()), "user");
                for (UUID group : groups) {
                    boolean in = random.nextBoolean();
                    if (in) {
                        join(group, subject.id());
                    }
                    memberships.put(member(subject.id(), group), in);
                    history.initial(member(subject.id(), group), in ? "in" : "out");
                }
            }
        }

        private List<UUID> allGroups() {
            List<UUID> all = new ArrayList<>(groups);
            all.add(chaosGroup);
            return all;
        }

        // --- writers -------------------------------------------------------------------------------------------

        /** Promote, read on every reader replica, demote, read: sequential cycles over the subjects. */
        private void roleWriter() {
            for (int i = 0; !stopping; i++) {
                Account subject = subjects.get(i % subjects.size());
                for (String role : List.of("admin", "user")) {
                    write(role(subject.id()), role, 200, "PATCH role " + role, () -> cluster.api(0)
                            .patch("/api/v1/users/" + subject.id(), Map.of("role", role), adminToken));
                    for (int slot : readerSlots) {
                        readState(subject.token(), false, subject, null, slot, "after role change");
                    }
                }
            }
        }

        private void membershipWriter() {
            while (!stopping) {
                Account subject = subjects.get(ThreadLocalRandom.current().nextInt(subjects.size()));
                UUID group = groups.get(ThreadLocalRandom.current().nextInt(groups.size()));
                String register = member(subject.id(), group);
                boolean in = memberships.get(register);
                String path = "/api/v1/groups/" + group + "/members/" + subject.id();
                if (in) {
                    write(register, "out", 204, "DELETE member", () -> cluster.api(0).delete(path, adminToken));
                } else {
                    // The role writer may have just made the subject an instance admin, whom only an invitation
                    // they accept brings into a group: that refusal (403 invitation_required) changes nothing.
                    Api.Response added = write(register, "in", 200, 403, "PUT member",
                            () -> cluster.api(0).put(path, Map.of("role", "member"), adminToken));
                    if (added != null && added.status() == 403) {
                        continue;
                    }
                }
                memberships.put(register, !in);
                readState(subject.token(), false, subject, null, randomReaderSlot(), "after membership change");
            }
        }

        private void settingsWriter() {
            while (!stopping) {
                UUID group = groups.get(ThreadLocalRandom.current().nextInt(groups.size()));
                writeSetting(0, group, marker());
                Account observer = observers.get(group);
                for (int slot : readerSlots) {
                    readState(observer.token(), false, observer, null, slot, "after setting change");
                }
            }
        }

        /** Creates a key, lets the readers warm it in every cache, revokes it and uses it at once everywhere. */
        private void keyWriter() {
            while (!stopping) {
                Account owner = subjects.get(ThreadLocalRandom.current().nextInt(subjects.size()));
                long start = System.nanoTime();
                Api.Response created = cluster.api(0).post("/api/v1/api-keys", Map.of("name", "k"), owner.token());
                long end = System.nanoTime();
                if (created.status() != 201) {
                    expectUnavailable(created, "POST api-key");
                    continue;
                }
                Key key = new Key(UUID.fromString(created.json().path("apiKey").path("id").asString()),
                        created.json().path("key").asString(), owner);
                history.initial(key(key.id()), "absent");
                history.write(key(key.id()), "active", start, end, Outcome.ACKNOWLEDGED, "POST api-key 201");
                acknowledged.incrementAndGet();
                keys.add(key);
                pause(300 + ThreadLocalRandom.current().nextInt(700));
                boolean retried = false;
                while (!stopping) {
                    // After a 503 change_not_confirmed the key may already be gone: a retry then answers 404.
                    Api.Response revoked = write(key(key.id()), "revoked", 204, retried ? 404 : 0, "DELETE api-key",
                            () -> cluster.api(0).delete("/api/v1/api-keys/" + key.id(), owner.token()));
                    if (revoked == null || revoked.status() != 503) {
                        break;
                    }
                    retried = true;
                }
                for (int slot : readerSlots) {
                    readState(key.secret(), ThreadLocalRandom.current().nextBoolean(), owner, key, slot,
                            "after revocation");
                }
            }
        }

        private void writeSetting(int slot, UUID group, String marker) {
            write(setting(group), marker, 200, "PUT settings via replica " + (slot + 1),
                    () -> cluster.api(slot).put("/api/v1/groups/" + group + "/settings",
                            Map.of("settings", Map.of("systemPrompt", marker)), adminToken));
        }

        /**
         * Sends one write and records it: acknowledged on the expected status, unknown on 503 (Redis unreachable:
         * {@code cache_unavailable} or {@code change_not_confirmed}); anything else is a failure of the run.
         *
         * @return the response, or null when the request itself failed
         */
        private Api.Response write(String register, String value, int expected, String what,
                                   Supplier<Api.Response> request) {
            return write(register, value, expected, 0, what, request);
        }

        /**
         * Like {@link #write(String, String, int, String, Supplier)}; a response with status {@code ignored} is
         * neither recorded nor a failure (the write was certainly not applied by this request).
         */
        private Api.Response write(String register, String value, int expected, int ignored, String what,
                                   Supplier<Api.Response> request) {
            long start = System.nanoTime();
            Api.Response response;
            try {
                response = request.get();
            } catch (UncheckedIOException broken) {
                // The writer replica never dies; the server may still apply it: never superseded.
                history.write(register, value, start, Long.MAX_VALUE, Outcome.UNKNOWN, what + " " + broken);
                failures.add(what + " failed on replica 1: " + broken);
                return null;
            }
            long end = System.nanoTime();
            if (response.status() == expected) {
                history.write(register, value, start, end, Outcome.ACKNOWLEDGED, what + " " + expected);
                acknowledged.incrementAndGet();
            } else if (response.status() == ignored) {
                return response;
            } else if (response.status() == 503) {
                history.write(register, value, start, end, Outcome.UNKNOWN,
                        what + " 503 " + response.json().path("code").asString());
                expectUnavailable(response, what);
            } else {
                failures.add(what + " answered " + response.status() + ": " + response.text());
            }
            return response;
        }

        private void expectUnavailable(Api.Response response, String what) {
            String code = response.json().path("code").asString();
            if (response.status() == 503 && (code.equals("cache_unavailable") || code.equals("change_not_confirmed"))) {
                unavailable.incrementAndGet();
                pause(150);
            } else {
                failures.add(what + " answered " + response.status() + ": " + response.text());
            }
        }

        /**
         * Sends one write of the chaos group's setting to the replica armed to halt after its commit, and records
         * it as of unknown outcome once the process is dead; then reads, settles the register with an acknowledged
         * write through replica 1, and reads again.
         *
         * @return whether the replica died as planned
         */
        private boolean killWriterAfterCommit(int slot) {
            String marker = marker();
            long start = System.nanoTime();
            try {
                Api.Response answered = cluster.api(slot).put("/api/v1/groups/" + chaosGroup + "/settings",
                        Map.of("settings", Map.of("systemPrompt", marker)), adminToken);
                // Redis was unreachable from the new replica, so nothing was committed: 503, try again later.
                if (answered.status() == 503) {
                    history.write(setting(chaosGroup), marker, start, System.nanoTime(), Outcome.UNKNOWN,
                            "halting replica answered 503");
                    return false;
                }
                failures.add("the replica armed to halt answered " + answered.status() + ": " + answered.text());
                giveUpKilling = true;
                return false;
            } catch (UncheckedIOException died) {
                int exit = cluster.replica(slot).awaitExit(Duration.ofSeconds(30));
                long end = System.nanoTime();
                assertThat(exit).as("the armed replica halted itself").isEqualTo(137);
                history.write(setting(chaosGroup), marker, start, end, Outcome.UNKNOWN,
                        "replica halted between commit and invalidation");
                kills++;
            }
            Account observer = observers.get(chaosGroup);
            for (int slot2 : readerSlots) {
                readState(observer.token(), false, observer, null, slot2, "after the writer died");
            }
            // Settle the register with an acknowledged write (retried while replica 1 cannot reach Redis).
            for (int attempt = 0; attempt < 50; attempt++) {
                String settling = marker();
                Api.Response settled = write(setting(chaosGroup), settling, 200, "PUT settings via replica 1",
                        () -> cluster.api(0).put("/api/v1/groups/" + chaosGroup + "/settings",
                                Map.of("settings", Map.of("systemPrompt", settling)), adminToken));
                if (settled == null || settled.status() != 503) {
                    break;
                }
            }
            for (int slot2 : readerSlots) {
                readState(observer.token(), false, observer, null, slot2, "after settling write");
            }
            return true;
        }

        // --- readers -------------------------------------------------------------------------------------------

        private void reader() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (!stopping) {
                int slot = randomReaderSlot();
                double dice = random.nextDouble();
                int known = keys.size();
                if (dice < 0.35 && known > 0) {
                    Key key = keys.get(known - 1 - random.nextInt(Math.min(known, 12)));
                    readState(key.secret(), random.nextBoolean(), key.owner(), key, slot, "reader");
                } else if (dice < 0.65) {
                    List<UUID> all = allGroups();
                    Account observer = observers.get(all.get(random.nextInt(all.size())));
                    readState(observer.token(), false, observer, null, slot, "reader");
                } else {
                    Account subject = subjects.get(random.nextInt(subjects.size()));
                    readState(subject.token(), false, subject, null, slot, "reader");
                }
            }
        }

        /**
         * Reads the effective state with a credential on one replica and records what it shows of every register
         * it covers.
         */
        private void readState(String credential, boolean xApiKey, Account owner, Key key, int slot, String why) {
            Api api = cluster.api(slot);
            long start = System.nanoTime();
            Api.Response response;
            try {
                response = xApiKey ? api.send("GET", EFFECTIVE_STATE, null, Map.of("x-api-key", credential))
                        : api.get(EFFECTIVE_STATE, credential);
            } catch (UncheckedIOException broken) {
                failures.add("read on replica " + (slot + 1) + " failed: " + broken);
                return;
            }
            long end = System.nanoTime();
            httpReads.incrementAndGet();
            slowestRead.accumulateAndGet(end - start, Math::max);
            if (end - start > 1_000_000_000L) {
                slowReads.incrementAndGet();
            }
            String detail = "replica " + (slot + 1) + ", " + (key == null ? "session of " + owner.id()
                    : "key " + key.id()) + ", " + why + ", request " + response.header("x-request-id");
            if (response.status() >= 500) {
                failures.add("read answered " + response.status() + " (" + detail + "): " + response.text());
                return;
            }
            if (key != null && response.status() == 401) {
                history.read(key(key.id()), "revoked", start, end, detail);
                return;
            }
            if (response.status() != 200) {
                failures.add("read answered " + response.status() + " (" + detail + "): " + response.text());
                return;
            }
            JsonNode state = response.json();
            if (!state.path("userId").asString().equals(owner.id().toString())) {
                failures.add("read returned another account (" + detail + "): " + response.text());
                return;
            }
            if (key != null) {
                history.read(key(key.id()), "active", start, end, detail);
            }
            if (subjectIds.contains(owner.id())) {
                history.read(role(owner.id()), state.path("role").asString(), start, end, detail);
                Set<String> in = new HashSet<>();
                state.path("groups").forEach(group -> in.add(group.path("groupId").asString()));
                for (UUID group : groups) {
                    history.read(member(owner.id(), group), in.contains(group.toString()) ? "in" : "out", start,
                            end, detail);
                }
            }
            UUID group = observedGroup.get(owner.id());
            if (group != null) {
                JsonNode prompt = state.path("settings").path("systemPrompt");
                if (!prompt.path("source").asString().equals("group:" + group)) {
                    failures.add("systemPrompt of an observer not from its group (" + detail + "): " + prompt);
                }
                history.read(setting(group), prompt.path("value").asString(), start, end, detail);
            }
        }

        private int randomReaderSlot() {
            return readerSlots.get(ThreadLocalRandom.current().nextInt(readerSlots.size()));
        }

        // --- names and helpers ---------------------------------------------------------------------------------

        private String marker() {
            return "m-" + markers.incrementAndGet();
        }

        private static String role(UUID user) {
            return "role:" + user;
        }

        private static String member(UUID user, UUID group) {
            return "member:" + user + ":" + group;
        }

        private static String setting(UUID group) {
            return "setting:" + group;
        }

        private static String key(UUID key) {
            return "key:" + key;
        }

        private Thread worker(String name, Runnable body) {
            return Thread.ofPlatform().name(name).daemon().start(() -> {
                try {
                    body.run();
                } catch (RuntimeException | AssertionError failure) {
                    failures.add(name + " crashed: " + failure);
                    failure.printStackTrace();
                }
            });
        }

        private void pause(long millis) {
            long until = System.nanoTime() + millis * 1_000_000;
            while (!stopping && System.nanoTime() < until) {
                sleep(20);
            }
        }
    }

    // --- accounts --------------------------------------------------------------------------------------------------

    private Account user(String hint) {
        String email = email(hint);
        Api.Response created = cluster.api(0).post("/api/v1/users",
                Map.of("email", email, "name", hint, "password", PASSWORD, "role", "user"), adminToken);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        Api.Response signedIn = cluster.api(0).post("/api/v1/auth/signin",
                Map.of("email", email, "password", PASSWORD), null);
        assertThat(signedIn.status()).as(signedIn.text()).isEqualTo(200);
        return new Account(UUID.fromString(created.json().path("id").asString()), email,
                signedIn.json().path("token").asString());
    }

    private UUID group(String hint) {
        Api.Response created = cluster.api(0).post("/api/v1/groups",
                Map.of("name", hint + "-" + UUID.randomUUID().toString().substring(0, 8)), adminToken);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return UUID.fromString(created.json().path("id").asString());
    }

    private void join(UUID group, UUID user) {
        Api.Response put = cluster.api(0).put("/api/v1/groups/" + group + "/members/" + user,
                Map.of("role", "member"), adminToken);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
    }

    private static String email(String hint) {
        return hint + "-" + UUID.randomUUID().toString().substring(0, 12) + "@atrium.test";
    }

    /** @return the replica's count of in-memory cache hits, from its Prometheus endpoint */
    private double localHits(int replica) {
        String metrics = cluster.api(replica).get("/actuator/prometheus", TestInfrastructure.METRICS_TOKEN).text();
        return metrics.lines()
                .filter(line -> line.startsWith("atrium_cache_lookups_total{") && line.contains("result=\"local_hit\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static void join(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(60));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
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
