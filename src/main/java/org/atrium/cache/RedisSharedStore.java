package org.atrium.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The cluster-mode shared store. Versions are plain keys {@code <prefix>v:<scope>} without TTL; entries are
 * {@code <prefix>e:<key>} holding {@code <stamp>\n<payload>}, with a TTL. Scripts touch keys they compute, so this
 * needs a standalone Redis (or one primary), not Redis Cluster. Checking a stamp and reading or writing the entry
 * happen in one Lua script, so no writer can slip between the check and the action. Every call goes through a
 * circuit breaker, so that while Redis is unreachable callers fall back at once instead of waiting for timeouts.
 */
final class RedisSharedStore implements SharedStore {

    /** KEYS[1] entry; ARGV[1] version prefix. Returns the whole entry when every version in its stamp is current. */
    private static final RedisScript<String> GET_VALID = RedisScript.of("""
            local entry = redis.call('GET', KEYS[1])
            if not entry then return nil end
            local newline = string.find(entry, '\\n', 1, true)
            local stamp = string.sub(entry, 1, newline - 1)
            for scope, version in string.gmatch(stamp, '([^=;]+)=(%d+)') do
              if redis.call('GET', ARGV[1] .. scope) ~= version then return nil end
            end
            return entry
            """, String.class);

    /**
     * KEYS[1] entry; ARGV[1] version prefix, ARGV[2] stamp, ARGV[3] payload ('' to only check), ARGV[4] entry ttl.
     * Returns {1} stored, {-1, scope} a version is missing, or {0, scope, current, ...} stale.
     */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> FILL = RedisScript.of("""
            local stale = {0}
            for scope, version in string.gmatch(ARGV[2], '([^=;]+)=(%d+)') do
              local current = redis.call('GET', ARGV[1] .. scope)
              if not current then return {-1, scope} end
              if current ~= version then
                table.insert(stale, scope)
                table.insert(stale, current)
              end
            end
            if #stale > 1 then return stale end
            if ARGV[3] ~= '' then
              redis.call('SET', KEYS[1], ARGV[2] .. '\\n' .. ARGV[3], 'EX', ARGV[4])
            end
            return {1}
            """, List.class);

    /**
     * ARGV[1] version prefix, then scope/version pairs. Raises each version, never lowers one. Version keys have no
     * TTL, so an eviction policy limited to keys with a TTL never removes them.
     */
    private static final RedisScript<Long> RAISE = RedisScript.of("""
            for i = 2, #ARGV, 2 do
              local key = ARGV[1] .. ARGV[i]
              local current = redis.call('GET', key)
              if (not current) or tonumber(current) < tonumber(ARGV[i + 1]) then
                redis.call('SET', key, ARGV[i + 1])
              end
            end
            return 1
            """, Long.class);

    /** KEYS[1] epoch; ARGV[1] a fresh random value used if the epoch is missing. Returns the epoch. */
    private static final RedisScript<String> EPOCH = RedisScript.of("""
            local epoch = redis.call('GET', KEYS[1])
            if not epoch then
              redis.call('SET', KEYS[1], ARGV[1])
              return ARGV[1]
            end
            return epoch
            """, String.class);

    /** KEYS[1] epoch; ARGV[1] expected epoch, ARGV[2] version prefix, then pairs. 1 if raised. */
    private static final RedisScript<Long> RAISE_READ = RedisScript.of("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            for i = 3, #ARGV, 2 do
              local key = ARGV[2] .. ARGV[i]
              local current = redis.call('GET', key)
              if (not current) or tonumber(current) < tonumber(ARGV[i + 1]) then
                redis.call('SET', key, ARGV[i + 1])
              end
            end
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final CircuitBreaker breaker;
    private final String versionPrefix;
    private final String epochKey;
    private final String entryPrefix;
    private final String entryTtlSeconds;

    RedisSharedStore(StringRedisTemplate redis, CircuitBreaker breaker, String keyPrefix, Duration entryTtl) {
        this.redis = redis;
        this.breaker = breaker;
        this.versionPrefix = keyPrefix + "v:";
        this.epochKey = keyPrefix + "epoch";
        this.entryPrefix = keyPrefix + "e:";
        this.entryTtlSeconds = Long.toString(Math.max(1, entryTtl.toSeconds()));
    }

    @Override
    public void raise(Map<String, Long> versions) {
        call(() -> raiseNow(versions));
    }

    @Override
    public void raiseCommitted(Map<String, Long> versions) {
        try {
            raiseNow(versions);
        } catch (RuntimeException failure) {
            throw new SharedStoreUnavailableException("Redis is unavailable: " + failure.getClass().getSimpleName(),
                    failure);
        }
    }

    private Long raiseNow(Map<String, Long> versions) {
        if (versions.isEmpty()) {
            return 1L;
        }
        List<String> args = new ArrayList<>();
        args.add(versionPrefix);
        versions.forEach((scope, version) -> {
            args.add(scope);
            args.add(Long.toString(version));
        });
        return redis.execute(RAISE, List.of(), args.toArray());
    }

    @Override
    public String epoch() {
        return call(() -> redis.execute(EPOCH, List.of(epochKey), UUID.randomUUID().toString()));
    }

    @Override
    public boolean raiseRead(String epoch, Map<String, Long> versions) {
        if (versions.isEmpty()) {
            return true;
        }
        List<String> args = new ArrayList<>();
        args.add(epoch);
        args.add(versionPrefix);
        versions.forEach((scope, version) -> {
            args.add(scope);
            args.add(Long.toString(version));
        });
        Long raised = call(() -> redis.execute(RAISE_READ, List.of(epochKey), args.toArray()));
        return raised != null && raised == 1L;
    }

    @Override
    public Map<String, Long> versions(Collection<String> scopes) {
        List<String> keys = scopes.stream().map(scope -> versionPrefix + scope).toList();
        List<String> values = call(() -> redis.opsForValue().multiGet(keys));
        Map<String, Long> found = new HashMap<>();
        int index = 0;
        for (String scope : scopes) {
            String value = values == null ? null : values.get(index);
            if (value != null) {
                found.put(scope, Long.parseLong(value));
            }
            index++;
        }
        return found;
    }

    @Override
    public Optional<String> getValid(String key) {
        return Optional.ofNullable(call(() -> redis.execute(GET_VALID, List.of(entryPrefix + key), versionPrefix)));
    }

    @Override
    public Fill fill(String key, Stamp stamp, @Nullable String payload) {
        List<?> result = call(() -> redis.execute(FILL, List.of(entryPrefix + key), versionPrefix, stamp.encode(),
                payload == null ? "" : payload, entryTtlSeconds));
        if (result == null || result.isEmpty()) {
            throw new SharedStoreUnavailableException("empty answer from the fill script", null);
        }
        long status = ((Number) result.getFirst()).longValue();
        if (status == 1) {
            return new Fill(FillOutcome.STORED, Map.of());
        }
        if (status == -1) {
            return new Fill(FillOutcome.VERSION_MISSING, Map.of());
        }
        Map<String, Long> current = new HashMap<>();
        for (int i = 1; i + 1 < result.size(); i += 2) {
            current.put(String.valueOf(result.get(i)), Long.parseLong(String.valueOf(result.get(i + 1))));
        }
        return new Fill(FillOutcome.STALE, current);
    }

    @Override
    public boolean keepsEntries() {
        return true;
    }

    private <T> T call(Supplier<T> operation) {
        try {
            return breaker.executeSupplier(operation);
        } catch (RuntimeException failure) {
            throw new SharedStoreUnavailableException("Redis is unavailable: " + failure.getClass().getSimpleName(),
                    failure);
        }
    }
}
