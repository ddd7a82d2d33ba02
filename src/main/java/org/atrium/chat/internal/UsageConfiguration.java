package org.atrium.chat.internal;

import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.accounts.GroupService;
import org.atrium.cache.CacheProperties;
import org.atrium.cache.RedisCircuitBreakers;
import org.atrium.chat.ModelsInUse;
import org.atrium.chat.QuotaService;
import org.atrium.chat.UsageRecorder;
import org.atrium.chat.UsageReports;
import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Wires usage recording, quotas and models in use for the deployment mode: Redis when it is configured, this process
 * otherwise.
 */
@Configuration(proxyBeanMethods = false)
class UsageConfiguration {

    private static final Logger log = LoggerFactory.getLogger(UsageConfiguration.class);
    /** How long the Redis fallback keeps a user's day count before seeding it again from PostgreSQL. */
    static final Duration FALLBACK_RESEED = Duration.ofSeconds(10);
    /** On a single node the count is exact; seeding again now and then only bounds how long a stale seed lives. */
    static final Duration LOCAL_RESEED = Duration.ofHours(1);

    @Bean
    UsageStore usageStore(JdbcTemplate jdbcTemplate, JdbcClient jdbc, PlatformTransactionManager transactions) {
        return new UsageStore(jdbcTemplate, jdbc, new TransactionTemplate(transactions));
    }

    @Bean
    UsageBuffer usageBuffer(UsageStore store, UsageProperties properties, MeterRegistry meters) {
        return new UsageBuffer(store, properties, meters);
    }

    @Bean
    QuotaGate quotaService(ObjectProvider<StringRedisTemplate> redis, CacheProperties cache, UsageStore store,
                           UsageBuffer buffer, MeterRegistry meters) {
        return new QuotaGate(quotaStore(redis.getIfAvailable(), cache.keyPrefix(), seed(store, buffer)), meters);
    }

    @Bean
    BufferedUsageRecorder usageRecorder(UsageBuffer buffer, QuotaService quotas) {
        return new BufferedUsageRecorder(buffer, quotas);
    }

    @Bean
    UsageReportService usageReports(UsageStore store, GroupService groups) {
        return new UsageReportService(store, groups);
    }

    @Bean
    ModelsInUse modelsInUse(ObjectProvider<StringRedisTemplate> redis, CacheProperties cache,
                            UsageProperties properties, TaskScheduler scheduler) {
        LocalModelsInUse local = new LocalModelsInUse(replicaName(properties), Clock.systemUTC());
        StringRedisTemplate template = redis.getIfAvailable();
        if (template == null) {
            return local;
        }
        RedisModelsInUse shared = new RedisModelsInUse(template, RedisCircuitBreakers.create("models_in_use"),
                cache.keyPrefix(), properties.modelsInUseTtl(), local, Clock.systemUTC());
        scheduler.scheduleAtFixedRate(shared::refresh, properties.modelsInUseTtl().dividedBy(3));
        return shared;
    }

    /**
     * The quota store for the mode. Package-visible so that tests can build several "replicas" on one Redis.
     *
     * @param redis     the Redis template, or {@code null} on a single node
     * @param keyPrefix the Redis key prefix
     * @param seed      where a missing day count starts from
     */
    static QuotaStore quotaStore(@Nullable StringRedisTemplate redis, String keyPrefix, QuotaStore.TokenSeed seed) {
        if (redis == null) {
            return new LocalQuotaStore(Clock.systemUTC(), seed, LOCAL_RESEED);
        }
        return new RedisQuotaStore(redis, RedisCircuitBreakers.create("quota"), keyPrefix, seed,
                new LocalQuotaStore(Clock.systemUTC(), seed, FALLBACK_RESEED));
    }

    /**
     * What PostgreSQL holds for the day plus this replica's unflushed usage. While PostgreSQL cannot be read the seed
     * is this replica's buffer alone: quotas fail open, like everything else about them.
     */
    static QuotaStore.TokenSeed seed(UsageStore store, UsageBuffer buffer) {
        return (UUID userId, Instant dayStart) -> {
            long pending = buffer.pendingTokens(userId, dayStart);
            try {
                return store.tokensSince(userId, dayStart) + pending;
            } catch (RuntimeException unavailable) {
                // The user_id comes from the MDC: the seed is read while that user's call is checked.
                LogEvents.warn(log, "quota.seed.failed")
                        .addKeyValue("reason", unavailable.getClass().getSimpleName()).log();
                return pending;
            }
        };
    }

    private static String replicaName(UsageProperties properties) {
        if (properties.replicaName() != null && !properties.replicaName().isBlank()) {
            return properties.replicaName();
        }
        String hostname = System.getenv("HOSTNAME");
        if (hostname != null && !hostname.isBlank()) {
            return hostname;
        }
        try {
            return ProcessHandle.current().pid() + "@" + InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException unknown) {
            return Long.toString(ProcessHandle.current().pid());
        }
    }
}
