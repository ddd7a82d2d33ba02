package org.atrium.accounts;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may sign up and with which role, and the last-admin rule. Both depend on how many accounts and admins exist, so
 * each configuration runs in its own Atrium process on its own database, configured through environment variables
 * as an operator would; before each test the accounts are wiped so that every test starts from an empty instance.
 */
class SignupPolicyTest {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    /** One Atrium process on a database of its own, emptied of accounts and groups before each test. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class FreshInstance {

        private TestInfrastructure.Database database;
        private AtriumProcess process;
        protected Api api;

        /** @return environment variables for this configuration, name then value */
        abstract Map<String, String> environment();

        @BeforeAll
        void start() {
            database = TestInfrastructure.createDatabase("signup");
            AtriumProcess.Builder builder = AtriumProcess.builder().database(database)
                    .redis(TestInfrastructure.redisUrl());
            environment().forEach(builder::env);
            process = builder.start();
            try {
                process.awaitReady(STARTUP);
            } catch (AssertionError | RuntimeException failure) {
                process.close();
                throw failure;
            }
            api = process.api();
        }

        @AfterAll
        void stop() {
            if (process != null) {
                process.close();
            }
        }

        @BeforeEach
        void emptyInstance() {
            TestInfrastructure.sql(database, "truncate table users, groups cascade");
        }

        Api.Response signUp(String hint) {
            return api.post("/api/v1/auth/signup",
                    Map.of("email", TestUsers.uniqueEmail(hint), "name", hint, "password", TestUsers.PASSWORD),
                    null);
        }

        /** Signs up and returns the body, failing unless the account was created. */
        JsonNode signedUp(String hint) {
            Api.Response response = signUp(hint);
            assertThat(response.status()).as(response.text()).isEqualTo(201);
            return response.json();
        }
    }

    @Nested
    class ByDefault extends FreshInstance {

        @Override
        Map<String, String> environment() {
            return Map.of();
        }

        @Test
        void firstAccountBecomesAdminAndTheSecondWaitsForApproval() {
            JsonNode first = signedUp("first");
            JsonNode second = signedUp("second");

            assertThat(first.path("user").path("role").asString()).isEqualTo("admin");
            assertThat(second.path("user").path("role").asString()).isEqualTo("pending");
            Api.Response pendingTry = api.get("/api/v1/groups", second.path("token").asString());
            assertThat(pendingTry.status()).isEqualTo(403);
            assertThat(pendingTry.json().path("code").asString()).isEqualTo("account_pending");
            assertThat(api.get("/api/v1/users", first.path("token").asString()).status()).isEqualTo(200);
        }

        @Test
        void concurrentFirstSignUpsProduceExactlyOneAdmin() throws Exception {
            int count = 8;
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Api.Response>> futures = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(count)) {
                for (int i = 0; i < count; i++) {
                    String hint = "racer" + i;
                    futures.add(pool.submit(() -> {
                        go.await();
                        return signUp(hint);
                    }));
                }
                go.countDown();
                List<String> roles = new ArrayList<>();
                String adminToken = null;
                for (Future<Api.Response> future : futures) {
                    Api.Response response = future.get(60, TimeUnit.SECONDS);
                    assertThat(response.status()).as(response.text()).isEqualTo(201);
                    String role = response.json().path("user").path("role").asString();
                    roles.add(role);
                    if (role.equals("admin")) {
                        adminToken = response.json().path("token").asString();
                    }
                }

                assertThat(roles).containsOnlyOnce("admin");
                assertThat(roles.stream().filter("pending"::equals)).hasSize(count - 1);
                Api.Response listed = api.get("/api/v1/users?limit=200", adminToken);
                assertThat(listed.json().path("total").asLong()).isEqualTo(count);
                List<String> stored = new ArrayList<>();
                listed.json().path("items").forEach(user -> stored.add(user.path("role").asString()));
                assertThat(stored).containsOnlyOnce("admin");
            }
        }

        @Test
        void onlyAdminCannotDemoteOrDeleteItselfUntilAnotherAdminExists() {
            JsonNode first = signedUp("only-admin");
            JsonNode second = signedUp("next-admin");
            String firstToken = first.path("token").asString();
            String firstId = first.path("user").path("id").asString();
            String secondToken = second.path("token").asString();
            String secondId = second.path("user").path("id").asString();

            Api.Response demote = api.patch("/api/v1/users/" + firstId, Map.of("role", "user"), firstToken);
            Api.Response delete = api.delete("/api/v1/users/" + firstId, firstToken);

            assertThat(demote.status()).isEqualTo(409);
            assertThat(demote.json().path("code").asString()).isEqualTo("last_admin");
            assertThat(delete.status()).isEqualTo(409);
            assertThat(delete.json().path("code").asString()).isEqualTo("last_admin");
            assertThat(api.get("/api/v1/auth/me", firstToken).json().path("role").asString()).isEqualTo("admin");

            assertThat(api.patch("/api/v1/users/" + secondId, Map.of("role", "admin"), firstToken).status())
                    .isEqualTo(200);
            Api.Response demoteNow = api.patch("/api/v1/users/" + firstId, Map.of("role", "user"), firstToken);
            assertThat(demoteNow.status()).isEqualTo(200);
            assertThat(demoteNow.json().path("role").asString()).isEqualTo("user");
            assertThat(api.get("/api/v1/users", firstToken).json().path("code").asString())
                    .isEqualTo("admin_required");

            Api.Response secondDemote = api.patch("/api/v1/users/" + secondId, Map.of("role", "pending"),
                    secondToken);
            Api.Response secondDelete = api.delete("/api/v1/users/" + secondId, secondToken);
            assertThat(secondDemote.status()).isEqualTo(409);
            assertThat(secondDemote.json().path("code").asString()).isEqualTo("last_admin");
            assertThat(secondDelete.status()).isEqualTo(409);
            assertThat(secondDelete.json().path("code").asString()).isEqualTo("last_admin");
            assertThat(api.get("/api/v1/auth/me", secondToken).json().path("role").asString()).isEqualTo("admin");
        }

        @Test
        void twoAdminsDemotingEachOtherAtOnceLeaveOneAdmin() throws Exception {
            JsonNode first = signedUp("left");
            JsonNode second = signedUp("right");
            String firstToken = first.path("token").asString();
            String firstId = first.path("user").path("id").asString();
            String secondToken = second.path("token").asString();
            String secondId = second.path("user").path("id").asString();
            assertThat(api.patch("/api/v1/users/" + secondId, Map.of("role", "admin"), firstToken).status())
                    .isEqualTo(200);

            for (int round = 0; round < 5; round++) {
                CountDownLatch go = new CountDownLatch(1);
                try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
                    Future<Api.Response> byFirst = pool.submit(() -> {
                        go.await();
                        return api.patch("/api/v1/users/" + secondId, Map.of("role", "user"), firstToken);
                    });
                    Future<Api.Response> bySecond = pool.submit(() -> {
                        go.await();
                        return api.patch("/api/v1/users/" + firstId, Map.of("role", "user"), secondToken);
                    });
                    go.countDown();
                    List<Integer> statuses = List.of(byFirst.get(60, TimeUnit.SECONDS).status(),
                            bySecond.get(60, TimeUnit.SECONDS).status());

                    assertThat(statuses).as("round " + round).doesNotContain(500);
                    List<String> roles = List.of(
                            api.get("/api/v1/auth/me", firstToken).json().path("role").asString(),
                            api.get("/api/v1/auth/me", secondToken).json().path("role").asString());
                    assertThat(roles).as("round " + round).containsOnlyOnce("admin");
                }
                // make both admins again for the next round
                String adminToken = api.get("/api/v1/auth/me", firstToken).json().path("role").asString()
                        .equals("admin") ? firstToken : secondToken;
                assertThat(api.patch("/api/v1/users/" + firstId, Map.of("role", "admin"), adminToken).status())
                        .isEqualTo(200);
                assertThat(api.patch("/api/v1/users/" + secondId, Map.of("role", "admin"), adminToken).status())
                        .isEqualTo(200);
            }
        }

        @Test
        void anAdminCanBeDeletedWhileAnotherAdminRemains() {
            JsonNode first = signedUp("keeper");
            JsonNode second = signedUp("leaver");
            String firstToken = first.path("token").asString();
            String secondId = second.path("user").path("id").asString();
            assertThat(api.patch("/api/v1/users/" + secondId, Map.of("role", "admin"), firstToken).status())
                    .isEqualTo(200);

            assertThat(api.delete("/api/v1/users/" + secondId, firstToken).status()).isEqualTo(204);

            assertThat(api.get("/api/v1/auth/me", second.path("token").asString()).status()).isEqualTo(401);
            assertThat(api.delete("/api/v1/users/" + first.path("user").path("id").asString(), firstToken)
                    .json().path("code").asString()).isEqualTo("last_admin");
        }
    }

    @Nested
    class WithDefaultRoleUser extends FreshInstance {

        @Override
        Map<String, String> environment() {
            return Map.of("ATRIUM_SIGNUP_DEFAULT_ROLE", "user");
        }

        @Test
        void firstAccountBecomesAdminAndTheSecondIsApprovedAtOnce() {
            JsonNode first = signedUp("first");
            JsonNode second = signedUp("second");

            assertThat(first.path("user").path("role").asString()).isEqualTo("admin");
            assertThat(second.path("user").path("role").asString()).isEqualTo("user");
            assertThat(api.get("/api/v1/groups", second.path("token").asString()).status()).isEqualTo(200);
        }
    }

    @Nested
    class WithSignupDisabled extends FreshInstance {

        @Override
        Map<String, String> environment() {
            return Map.of("ATRIUM_SIGNUP_ENABLED", "false");
        }

        @Test
        void firstAccountCanStillSignUpAndBecomesAdmin() {
            JsonNode first = signedUp("founder");

            assertThat(first.path("user").path("role").asString()).isEqualTo("admin");
            assertThat(api.get("/api/v1/users", first.path("token").asString()).status()).isEqualTo(200);
        }

        @Test
        void laterSignUpsAreRefusedAndCreateNoAccount() {
            String adminToken = signedUp("founder").path("token").asString();

            Api.Response refused = signUp("latecomer");

            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().path("code").asString()).isEqualTo("signup_disabled");
            assertThat(refused.header("Set-Cookie")).isNull();
            assertThat(api.get("/api/v1/users", adminToken).json().path("total").asLong()).isEqualTo(1);
        }
    }

    @Test
    void defaultRoleAdminRefusesToStartNamingTheVariable() {
        try (AtriumProcess process = AtriumProcess.builder()
                .database(TestInfrastructure.createDatabase("signup"))
                .redis(TestInfrastructure.redisUrl())
                .env("ATRIUM_SIGNUP_DEFAULT_ROLE", "admin")
                .start()) {
            int exit = process.awaitExit(STARTUP);

            assertThat(exit).isNotZero();
            assertThat(process.output()).contains("ATRIUM_SIGNUP_DEFAULT_ROLE").contains("pending or user");
        }
    }
}
