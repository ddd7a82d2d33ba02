package org.atrium.chat.internal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.atrium.chat.QuotaLimits;
import org.atrium.chat.QuotaService;
import org.atrium.chat.UsageEvent;
import org.atrium.platform.AtriumException;
import org.atrium.settings.EffectiveState;
import org.atrium.settings.EffectiveStateResolver;
import org.atrium.testing.ClockMinutes;
import org.atrium.testing.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Quotas across two "replicas": two independent quota services on the test Redis (each with its own breaker and
 * fallback, as two processes would have), plus the single-node store and the Redis-down fallback.
 */
class QuotaTest extends IntegrationTest {

    @Autowired
    private StringRedisTemplate redis;
    @Autowired
    private UsageStore store;
    @Autowired
    private QuotaService quotas;
    @Autowired
    private BufferedUsageRecorder recorder;
    @Autowired
    private UsageBuffer buffer;
    @Autowired
    private EffectiveStateResolver resolver;

    private final String prefix = "atrium-test:quota:" + UUID.randomUUID() + ":";

    private QuotaService replica(QuotaStore.TokenSeed seed) {
        return new QuotaGate(UsageConfiguration.quotaStore(redis, prefix, seed), new SimpleMeterRegistry());
    }

    private static AtriumException refused(QuotaService service, UUID user, QuotaLimits limits) {
        return catchThrowableOfType(AtriumException.class, () -> service.acquire(user, limits));
    }

    @Test
    void requestsPerMinuteAreSharedByEveryReplica() {
        QuotaService a = replica((user, day) -> 0);
        QuotaService b = replica((user, day) -> 0);
        UUID user = UUID.randomUUID();
        QuotaLimits limits = new QuotaLimits(null, 3L);
        ClockMinutes.awaitAtLeastLeft(Duration.ofSeconds(5));
        a.acquire(user, limits);
        b.acquire(user, limits);
        a.acquire(user, limits);
        AtriumException over = refused(b, user, limits);
        assertThat(over).isNotNull();
        assertThat(over.status().value()).isEqualTo(429);
        assertThat(over.code()).isEqualTo("quota_exceeded");
        assertThat(Long.parseLong(over.headers().get("Retry-After"))).isBetween(1L, 60L);
        assertThat(refused(a, user, limits)).isNotNull();
        // Another user, and no limit at all, are not affected.
        a.acquire(UUID.randomUUID(), limits);
        a.acquire(user, QuotaLimits.UNLIMITED);
    }

    @Test
    void tokensPerDayAreCountedWhenRecordedAndCheckedBeforeACallOnEveryReplica() {
        QuotaService a = replica((user, day) -> 0);
        QuotaService b = replica((user, day) -> 0);
        UUID user = UUID.randomUUID();
        QuotaLimits limits = new QuotaLimits(100L, null);
        a.acquire(user, limits);
        a.addTokens(user, 60);
        b.acquire(user, limits);
        b.addTokens(user, 50);
        AtriumException over = refused(a, user, limits);
        assertThat(over).isNotNull();
        assertThat(over.code()).isEqualTo("quota_exceeded");
        long untilMidnight = Duration.between(Instant.now(),
                Instant.now().atOffset(ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC)
                        .toInstant()).toSeconds();
        assertThat(Long.parseLong(over.headers().get("Retry-After"))).isBetween(untilMidnight - 5, untilMidnight + 5);
        assertThat(refused(b, user, limits)).isNotNull();
        a.acquire(user, new QuotaLimits(1000L, null));
    }

    @Test
    void aMissingDayCountIsSeededFromWhatTheUsageTableAndTheBufferHold() {
        UUID user = UUID.randomUUID();
        QuotaService service = replica(UsageConfiguration.seed(store, buffer));
        Instant now = Instant.now();
        recorder.record(new UsageEvent(user, null, "seeded", "fake", 70, 0, false, UsageEvent.Outcome.COMPLETE, now));
        buffer.flush();
        recorder.record(new UsageEvent(user, null, "seeded", "fake", 20, 0, true, UsageEvent.Outcome.STOPPED, now));
        QuotaLimits limits = new QuotaLimits(100L, null);
        service.acquire(user, limits);
        service.addTokens(user, 10);
        assertThat(refused(service, user, limits)).as("70 flushed + 20 buffered + 10").isNotNull();
        buffer.flush();
    }

    @Test
    void theServiceReadsItsLimitsFromTheCallersEffectiveSettings() {
        var admin = users.admin();
        var member = users.user();
        UUID group = users.group(admin, "quota");
        users.member(admin, group, member, "member");
        assertThat(api.put("/api/v1/groups/" + group + "/settings",
                Map.of("settings", Map.of("quotas.tokensPerDay", 25)), admin.token()).status()).isEqualTo(200);
        EffectiveState state = resolver.resolve(member.token(), false).orElseThrow();
        assertThat(QuotaLimits.of(state)).isEqualTo(new QuotaLimits(25L, null));
        quotas.acquire(state);
        recorder.record(new UsageEvent(member.id(), UsageEvent.chargedGroup(state, "fake"), "m", "fake", 20, 5,
                false, UsageEvent.Outcome.COMPLETE, Instant.now()));
        AtriumException over = catchThrowableOfType(AtriumException.class, () -> quotas.acquire(state));
        assertThat(over).isNotNull();
        assertThat(over.code()).isEqualTo("quota_exceeded");
        assertThat(over.headers()).containsKey("Retry-After");
        assertThat(UsageEvent.chargedGroup(state, "fake")).isEqualTo(group);
        buffer.flush();
    }

    @Test
    void onASingleNodeTheCountsAreThisProcesssAndTheWindowsReset() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:30Z"));
        AtomicLong seeded = new AtomicLong(40);
        QuotaService local = new QuotaGate(new LocalQuotaStore(clock, (user, day) -> seeded.get(),
                Duration.ofHours(1)), new SimpleMeterRegistry());
        UUID user = UUID.randomUUID();
        QuotaLimits perMinute = new QuotaLimits(null, 2L);
        local.acquire(user, perMinute);
        local.acquire(user, perMinute);
        AtriumException over = refused(local, user, perMinute);
        assertThat(over.headers().get("Retry-After")).isEqualTo("30");
        clock.now = clock.now.plusSeconds(30);
        local.acquire(user, perMinute);

        QuotaLimits perDay = new QuotaLimits(50L, null);
        local.acquire(user, perDay);
        local.addTokens(user, 10);
        over = refused(local, user, perDay);
        assertThat(over.headers().get("Retry-After")).isEqualTo(Long.toString(Duration.ofHours(14).minusMinutes(1).toSeconds()));
        clock.now = Instant.parse("2026-12-02T00:00:00Z");
        seeded.set(0);
        local.acquire(user, perDay);
    }

    @Test
    void withRedisUnreachableQuotasFallBackToThisReplicasCounts() {
        LettuceConnectionFactory nowhere = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1),
                LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(200)).build());
        nowhere.afterPropertiesSet();
        try {
            StringRedisTemplate unreachable = new StringRedisTemplate(nowhere);
            QuotaService service = new QuotaGate(UsageConfiguration.quotaStore(unreachable, prefix,
                    (user, day) -> 0), new SimpleMeterRegistry());
            UUID user = UUID.randomUUID();
            QuotaLimits limits = new QuotaLimits(30L, 1000L);
            service.acquire(user, limits);
            service.addTokens(user, 30);
            assertThatThrownBy(() -> service.acquire(user, limits)).isInstanceOf(AtriumException.class)
                    .extracting("code").isEqualTo("quota_exceeded");
        } finally {
            nowhere.destroy();
        }
    }

    /** A clock the test moves. */
    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
