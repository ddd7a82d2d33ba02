package org.atrium.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.util.backoff.FixedBackOff;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.json.JsonMapper;

import java.util.concurrent.Executors;

/**
 * Wires the protocol for the deployment mode: Redis as the shared store when it is configured, this process's
 * memory otherwise.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class CacheConfiguration {

    private static final Logger log = LoggerFactory.getLogger(CacheConfiguration.class);

    @Bean
    SharedStore sharedStore(ObjectProvider<StringRedisTemplate> redis, CacheProperties properties) {
        StringRedisTemplate template = redis.getIfAvailable();
        if (template == null) {
            return new LocalSharedStore();
        }
        CircuitBreaker breaker = RedisCircuitBreakers.create("cache");
        RedisRequirements.check(template, properties.redisStartupTimeout());
        return new RedisSharedStore(template, breaker, properties.keyPrefix(), properties.entryTtl());
    }

    /** Only in cluster mode: on a single node there is no Redis to be without. */
    @Bean
    @ConditionalOnProperty(name = "atrium.mode", havingValue = "cluster")
    RedisAvailability redisAvailability(StringRedisTemplate redis, MeterRegistry meters) {
        return new RedisAvailability(redis, meters);
    }

    @Bean
    Broadcasts broadcasts(ObjectProvider<StringRedisTemplate> redis, CacheProperties properties) {
        StringRedisTemplate template = redis.getIfAvailable();
        if (template == null) {
            return new LocalBroadcasts();
        }
        return new RedisBroadcasts(template, broadcastListenerContainer(template), properties.keyPrefix());
    }

    private static RedisMessageListenerContainer broadcastListenerContainer(StringRedisTemplate template) {
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(template.getRequiredConnectionFactory());
        // One delivery thread keeps messages in the order they were published (the default spawns one per message).
        container.setTaskExecutor(Executors.newSingleThreadExecutor(Thread.ofVirtual().name("broadcasts")
                .factory())::execute);
        SimpleAsyncTaskExecutor subscriber = new SimpleAsyncTaskExecutor("broadcasts-subscription-");
        subscriber.setVirtualThreads(true);
        container.setSubscriptionExecutor(subscriber);
        // Delivery must not wait for Redis at startup: the container subscribes in the background and retries.
        container.setRecoveryBackoff(new FixedBackOff(1000, FixedBackOff.UNLIMITED_ATTEMPTS));
        container.afterPropertiesSet();
        return container;
    }

    @Bean
    VersionedCache versionedCache(SharedStore shared, VersionStore versions, ProtocolProbe probe, JsonMapper json,
                                  PlatformTransactionManager transactions, CacheProperties properties,
                                  MeterRegistry meters) {
        return new VersionedCache(shared, versions, probe, json, transactions, properties, meters);
    }

    @Bean
    Invalidation invalidation(SharedStore shared, VersionStore versions, ProtocolProbe probe,
                              ApplicationEventPublisher events) {
        return new Invalidation(shared, versions, probe, events);
    }

    @Bean
    VersionRelay versionRelay(SharedStore shared, VersionStore versions) {
        return new VersionRelay(shared, versions);
    }

    @Bean
    DerivedObjects derivedObjects() {
        return new DerivedObjects();
    }

    /**
     * No-op in production. {@code atrium.testing.halt-at=<point>} makes the process halt (as if SIGKILLed) the first
     * time it reaches that point: the multi-replica tests use it to kill a writer between commit and invalidation.
     */
    @Bean
    ProtocolProbe protocolProbe(@Value("${atrium.testing.halt-at:}") @Nullable String haltAt) {
        if (haltAt == null || haltAt.isBlank()) {
            return (point, detail) -> {
            };
        }
        ProtocolProbe.Point target = ProtocolProbe.Point.valueOf(haltAt);
        LogEvents.warn(log, "testing.fault_injection.armed").addKeyValue("point", target.name()).log();
        return (point, detail) -> {
            if (point == target) {
                Runtime.getRuntime().halt(137);
            }
        };
    }
}
