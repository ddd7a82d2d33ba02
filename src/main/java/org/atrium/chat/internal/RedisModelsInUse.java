package org.atrium.chat.internal;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.atrium.chat.ModelsInUse;
import org.atrium.chat.ModelsInUseView;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Models in use across replicas: one Redis sorted set {@code <prefix>models-in-use} whose members are the streaming
 * answers ({@link ModelsInUseEntry}) scored by their deadline (Redis's clock plus the TTL). {@link #refresh()}, run
 * every third of the TTL, pushes this replica's open entries' deadlines forward (and puts them back after Redis lost
 * them); closing a handle removes its member. Every script first drops members past their deadline, and the set
 * itself expires one TTL after the last write, so a killed replica's entries vanish within the TTL with nothing to
 * clean them up. Reading returns at most {@value #MAX_ENTRIES} entries.
 *
 * <p>While Redis is unreachable streams still begin and end (entries are kept here and written back by the next
 * refresh that reaches Redis), and the view shows only this replica's streams, marked partial.
 */
final class RedisModelsInUse implements ModelsInUse {

    private static final Logger log = LoggerFactory.getLogger(RedisModelsInUse.class);
    static final int MAX_ENTRIES = 10_000;

    /** KEYS set; ARGV ttl ms, members. Drops expired members, then adds or refreshes the given ones. */
    private static final RedisScript<Long> PUT = RedisScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local ttl = tonumber(ARGV[1])
            for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + ttl, ARGV[i]) end
            if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ttl) end
            return #ARGV - 1
            """, Long.class);

    /** KEYS set; ARGV limit. Drops expired members and returns the others. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> LIST = RedisScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'LIMIT', 0, tonumber(ARGV[1]))
            """, List.class);

    private final StringRedisTemplate redis;
    private final CircuitBreaker breaker;
    private final String key;
    private final Duration ttl;
    private final LocalModelsInUse local;
    private final Clock clock;

    RedisModelsInUse(StringRedisTemplate redis, CircuitBreaker breaker, String keyPrefix, Duration ttl,
                     LocalModelsInUse local, Clock clock) {
        this.redis = redis;
        this.breaker = breaker;
        this.key = keyPrefix + "models-in-use";
        this.ttl = ttl;
        this.local = local;
        this.clock = clock;
    }

    @Override
    public Handle begin(String model, String connection, UUID messageId) {
        Object token = new Object();
        ModelsInUseEntry entry = local.entry(token, model, connection, messageId);
        put(List.of(entry.encode()), "begin");
        return new Handle() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (closed) {
                    return;
                }
                closed = true;
                local.remove(token);
                try {
                    breaker.executeRunnable(() -> redis.opsForZSet().remove(key, entry.encode()));
                } catch (RuntimeException unavailable) {
                    // The member expires within the TTL.
                    fellBack("close", unavailable);
                }
            }
        };
    }

    /** Pushes this replica's open entries' deadlines forward; run every third of the TTL. */
    void refresh() {
        List<String> members = local.entries().stream().map(ModelsInUseEntry::encode).toList();
        if (!members.isEmpty()) {
            put(members, "refresh");
        }
    }

    @Override
    public ModelsInUseView view() {
        try {
            List<?> members = breaker.executeSupplier(
                    () -> redis.execute(LIST, List.of(key), Integer.toString(MAX_ENTRIES)));
            List<ModelsInUseEntry> entries = new ArrayList<>();
            for (Object member : members) {
                ModelsInUseEntry.decode(String.valueOf(member)).ifPresent(entries::add);
            }
            return ModelsInUseEntry.view(entries, false, clock.instant());
        } catch (RuntimeException unavailable) {
            fellBack("view", unavailable);
            return ModelsInUseEntry.view(local.entries(), true, clock.instant());
        }
    }

    private void put(List<String> members, String operation) {
        List<String> arguments = new ArrayList<>(members.size() + 1);
        arguments.add(Long.toString(ttl.toMillis()));
        arguments.addAll(members);
        try {
            breaker.executeSupplier(() -> redis.execute(PUT, List.of(key), arguments.toArray()));
        } catch (RuntimeException unavailable) {
            fellBack(operation, unavailable);
        }
    }

    private static void fellBack(String operation, RuntimeException failure) {
        if (failure instanceof CallNotPermittedException) {
            return;
        }
        LogEvents.warn(log, "models_in_use.redis.fallback").addKeyValue("operation", operation)
                .addKeyValue("reason", failure.getClass().getSimpleName()).log();
    }
}
