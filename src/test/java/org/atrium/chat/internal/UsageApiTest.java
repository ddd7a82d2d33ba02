package org.atrium.chat.internal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.atrium.chat.UsageEvent;
import org.atrium.chat.UsageRecorder;
import org.atrium.testing.Api;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Usage recording (batched, flushed) and the usage reports over HTTP, as JSON and CSV. */
class UsageApiTest extends IntegrationTest {

    @Autowired
    private UsageRecorder recorder;
    @Autowired
    private UsageBuffer buffer;
    @Autowired
    private UsageStore store;

    /** A UTC day of its own for each test, years back, so no other test's usage falls in its period. */
    private static Instant day() {
        return Instant.parse("2019-01-01T00:00:00Z").plus(Duration.ofDays(ThreadLocalRandom.current().nextInt(2500)));
    }

    private static UsageEvent event(UUID user, UUID group, String model, long in, long out, Instant at) {
        return new UsageEvent(user, group, model, "fake", in, out, false, UsageEvent.Outcome.COMPLETE, at);
    }

    private long rows(UUID user) {
        return jdbc.sql("select count(*) from usage_hourly where user_id = ?").param(user).query(Long.class).single();
    }

    @Test
    void usageReachesTheDatabaseOnlyWhenFlushedAndThenAddsUp() {
        UsageBuffer own = new UsageBuffer(store, new UsageProperties(Duration.ofHours(1), 1000, 1000,
                Duration.ofSeconds(30), "test"), new SimpleMeterRegistry());
        UUID user = UUID.randomUUID();
        Instant at = day().plus(Duration.ofMinutes(90));
        own.add(event(user, null, "m1", 10, 5, at));
        own.add(event(user, null, "m1", 20, 7, at.plus(Duration.ofMinutes(10))));
        own.add(new UsageEvent(user, null, "m1", "fake", 3, 0, true, UsageEvent.Outcome.FAILED, at));
        own.add(event(user, null, "m2", 1, 1, at.plus(Duration.ofHours(2))));
        assertThat(rows(user)).isZero();
        assertThat(own.pendingTokens(user, at.truncatedTo(ChronoUnit.DAYS))).isEqualTo(47);

        assertThat(own.flush()).isEqualTo(2);
        assertThat(rows(user)).isEqualTo(2);
        assertThat(own.pendingTokens(user, at.truncatedTo(ChronoUnit.DAYS))).isZero();
        var m1 = jdbc.sql("select requests, input_tokens, output_tokens, estimated_requests, failed_requests, hour"
                        + " from usage_hourly where user_id = ? and model = 'm1'").param(user)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5), rs.getTimestamp(6).toInstant().toEpochMilli()}).single();
        assertThat(m1).containsExactly(3, 33, 12, 1, 1, at.truncatedTo(ChronoUnit.HOURS).toEpochMilli());

        // A second flush upserts into the same hour's row.
        own.add(event(user, null, "m1", 100, 0, at));
        assertThat(own.flush()).isEqualTo(1);
        assertThat(store.tokensSince(user, at.truncatedTo(ChronoUnit.DAYS))).isEqualTo(47 + 100);
        assertThat(own.flush()).isZero();
    }

    @Test
    void theBufferFlushesOnItsIntervalEarlyWhenFullEnoughAndWhenStopped() throws InterruptedException {
        UUID user = UUID.randomUUID();
        Instant at = day();
        UsageBuffer timed = new UsageBuffer(store, new UsageProperties(Duration.ofMillis(200), 1000, 1000,
                Duration.ofSeconds(30), "test"), new SimpleMeterRegistry());
        timed.start();
        try {
            timed.add(event(user, null, "timed", 1, 0, at));
            awaitRows(user, 1);
        } finally {
            timed.stop();
        }

        UsageBuffer sized = new UsageBuffer(store, new UsageProperties(Duration.ofHours(1), 2, 1000,
                Duration.ofSeconds(30), "test"), new SimpleMeterRegistry());
        sized.start();
        try {
            sized.add(event(user, null, "sized-1", 1, 0, at));
            sized.add(event(user, null, "sized-2", 1, 0, at));
            awaitRows(user, 3);
            sized.add(event(user, null, "at-stop", 1, 0, at));
        } finally {
            sized.stop();
        }
        assertThat(rows(user)).as("the final flush of a graceful stop").isEqualTo(4);
        assertThat(sized.isRunning()).isFalse();
    }

    private void awaitRows(UUID user, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (rows(user) < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(rows(user)).isEqualTo(expected);
    }

    @Test
    void aFullBufferDropsNewKeysAndCountsThemButStillAddsToKeysItHolds() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        UsageBuffer small = new UsageBuffer(store, new UsageProperties(Duration.ofHours(1), 1000, 2,
                Duration.ofSeconds(30), "test"), meters);
        UUID user = UUID.randomUUID();
        Instant at = day();
        small.add(event(user, null, "a", 1, 0, at));
        small.add(event(user, null, "b", 1, 0, at));
        small.add(event(user, null, "c", 1, 0, at));
        small.add(event(user, null, "a", 1, 0, at));
        assertThat(meters.get("atrium.usage.dropped").counter().count()).isEqualTo(1);
        assertThat(small.size()).isEqualTo(2);
        assertThat(small.pendingTokens(user, at)).isEqualTo(3);
        small.flush();
        assertThat(store.tokensSince(user, at)).isEqualTo(3);
    }

    @Test
    void reportsAreJsonOrCsvByModelUserAndGroup() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account member = users.user();
        UUID group = users.group(admin, "usage");
        users.member(admin, group, member, "member");
        Instant day = day();
        String model = "report-" + UUID.randomUUID();
        recorder.record(event(member.id(), group, model, 100, 50, day.plus(Duration.ofHours(1))));
        recorder.record(event(member.id(), group, model, 10, 5, day.plus(Duration.ofHours(3))));
        recorder.record(event(admin.id(), null, model, 1, 1, day.plus(Duration.ofHours(3))));
        buffer.flush();
        String period = "from=" + day + "&to=" + day.plus(Duration.ofDays(1));

        JsonNode byModel = api.get("/api/v1/usage?" + period + "&groupBy=model", admin.token()).json();
        assertThat(byModel.path("total").asLong()).isEqualTo(1);
        JsonNode row = byModel.path("items").get(0);
        assertThat(row.path("key").asString()).isEqualTo(model);
        assertThat(row.path("period").asString()).isEqualTo(day.toString());
        assertThat(row.path("requests").asLong()).isEqualTo(3);
        assertThat(row.path("totalTokens").asLong()).isEqualTo(167);

        JsonNode byHour = api.get("/api/v1/usage?" + period + "&groupBy=user&granularity=hour", admin.token())
                .json();
        assertThat(byHour.path("total").asLong()).isEqualTo(3);
        assertThat(byHour.path("items").get(0).path("label").asString()).isEqualTo(member.email());

        JsonNode byGroup = api.get("/api/v1/usage?" + period + "&groupBy=group", admin.token()).json();
        assertThat(byGroup.path("items").size()).isEqualTo(2);
        assertThat(byGroup.path("items").get(0).path("key").isNull()).as("no group first").isTrue();
        assertThat(byGroup.path("items").get(1).path("key").asString()).isEqualTo(group.toString());
        assertThat(byGroup.path("items").get(1).path("totalTokens").asLong()).isEqualTo(165);

        Api.Response csv = api.get("/api/v1/usage?" + period + "&groupBy=model&format=csv", admin.token());
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.text()).isEqualTo("period,key,label,requests,input_tokens,output_tokens,total_tokens,"
                + "estimated_requests,failed_requests,stopped_requests\r\n"
                + day + "," + model + ",,3,111,56,167,0,0,0\r\n");
        Api.Response accepted = api.send("GET", "/api/v1/usage?" + period + "&groupBy=model", null,
                Map.of("Authorization", "Bearer " + admin.token(), "Accept", "text/csv"));
        assertThat(accepted.header("Content-Type")).startsWith("text/csv");
        assertThat(accepted.text()).isEqualTo(csv.text());
    }

    @Test
    void csvNeutralisesFormulasAndQuotesSeparators() {
        TestUsers.Account admin = users.admin();
        UUID group = users.group(admin, "=cmd|' /c calc'!A0, \"x\"");
        Instant day = day();
        recorder.record(event(admin.id(), group, "csv-" + UUID.randomUUID(), 1, 1, day));
        buffer.flush();
        String csv = api.get("/api/v1/usage?from=" + day + "&to=" + day.plus(Duration.ofDays(1))
                + "&groupBy=group&format=csv", admin.token()).text();
        assertThat(csv).contains(",\"'=cmd|' /c calc'!A0, \"\"x\"\"");
    }

    @Test
    void aGroupAdminSeesOnlyWhatWasChargedToTheirGroup() {
        TestUsers.Account admin = users.admin();
        TestUsers.Account groupAdmin = users.user();
        TestUsers.Account member = users.user();
        UUID group = users.group(admin, "usage-mine");
        UUID other = users.group(admin, "usage-other");
        users.member(admin, group, groupAdmin, "admin");
        users.member(admin, group, member, "member");
        Instant day = day();
        recorder.record(event(member.id(), group, "mine", 10, 0, day));
        recorder.record(event(member.id(), other, "theirs", 20, 0, day));
        buffer.flush();
        String query = "?from=" + day + "&to=" + day.plus(Duration.ofDays(1)) + "&groupBy=model";

        JsonNode mine = api.get("/api/v1/groups/" + group + "/usage" + query, groupAdmin.token()).json();
        assertThat(mine.path("items").size()).isEqualTo(1);
        assertThat(mine.path("items").get(0).path("key").asString()).isEqualTo("mine");
        assertThat(api.get("/api/v1/groups/" + other + "/usage" + query, groupAdmin.token()).json()
                .path("code").asString()).isEqualTo("group_not_found");
        Api.Response plain = api.get("/api/v1/groups/" + group + "/usage" + query, member.token());
        assertThat(plain.status()).isEqualTo(403);
        assertThat(plain.json().path("code").asString()).isEqualTo("forbidden");
        assertThat(api.get("/api/v1/usage" + query, groupAdmin.token()).json().path("code").asString())
                .isEqualTo("admin_required");
        assertThat(api.get("/api/v1/groups/" + other + "/usage" + query, admin.token()).json()
                .path("items").get(0).path("key").asString()).isEqualTo("theirs");
    }

    @Test
    void badPeriodsDimensionsAndFormatsAreNamed() {
        TestUsers.Account admin = users.admin();
        assertInvalid(admin, "from=2026-12-02&to=2026-12-01", "to");
        assertInvalid(admin, "from=2026-12-01&to=2026-12-01", "to");
        assertInvalid(admin, "from=2025-01-01&to=2026-12-01", "from");
        assertInvalid(admin, "from=2026-10-01&to=2026-12-01&granularity=hour", "from");
        assertInvalid(admin, "from=yesterday", "from");
        assertInvalid(admin, "to=2026-13-01", "to");
        assertInvalid(admin, "granularity=week", "granularity");
        assertInvalid(admin, "groupBy=colour", "groupBy");
        assertInvalid(admin, "format=xml", "format");
        assertThat(api.get("/api/v1/usage?limit=201", admin.token()).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/usage?offset=-1", admin.token()).status()).isEqualTo(400);
        // Defaults: the last 7 days by user.
        JsonNode page = api.get("/api/v1/usage", admin.token()).json();
        assertThat(page.path("limit").asInt()).isEqualTo(50);
        Api.Response csvError = api.send("GET", "/api/v1/usage?groupBy=colour", null,
                Map.of("Authorization", "Bearer " + admin.token(), "Accept", "text/csv"));
        assertThat(csvError.status()).isEqualTo(400);
        assertThat(csvError.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void usageIsForAdminsOnly() {
        TestUsers.Account user = users.user();
        Api.Response response = api.get("/api/v1/usage", user.token());
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().path("code").asString()).isEqualTo("admin_required");
        assertThat(api.get("/api/v1/models-in-use", user.token()).json().path("code").asString())
                .isEqualTo("admin_required");
        assertThat(api.get("/api/v1/usage", null).status()).isEqualTo(401);
    }

    private void assertInvalid(TestUsers.Account admin, String query, String field) {
        Api.Response response = api.get("/api/v1/usage?" + query, admin.token());
        assertThat(response.status()).as(query).isEqualTo(400);
        JsonNode problem = response.json();
        assertThat(problem.path("code").asString()).isEqualTo("validation_failed");
        assertThat(problem.toString()).as(query).contains("\"" + field + "\"");
    }
}
