package org.atrium.benchmarks;

import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.accounts.TokenDigest;
import org.atrium.cache.CacheProperties;
import org.atrium.cache.VersionedCache;
import org.atrium.settings.EffectiveStateResolver;
import org.atrium.testing.IntegrationTest;
import org.atrium.testing.TestUsers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Effective-state lookup latency and throughput, in cluster mode against the configured (or embedded) PostgreSQL and
 * Redis. Not part of the default suite; it prints figures for {@code docs/benchmarks.md}:
 *
 * <pre>./mvnw test -Dtest=EffectiveStateBenchmark -Dexcluded.test.groups= -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Three paths: a hit in the replica's memory (validated with one Redis round trip), a hit in Redis (memory cleared
 * before each lookup), and a miss resolved from PostgreSQL (memory cleared and the Redis entry deleted before each
 * lookup). Each at 1 and 16 concurrent callers. It also counts database connections borrowed per lookup: a hit must
 * borrow none.
 */
@Tag("benchmark")
class EffectiveStateBenchmark extends IntegrationTest {

    private static final int WARMUP = 2_000;
    private static final int OPERATIONS = 20_000;

    @Autowired
    private EffectiveStateResolver resolver;
    @Autowired
    private VersionedCache cache;
    @Autowired
    private StringRedisTemplate redis;
    @Autowired
    private CacheProperties cacheProperties;
    @Autowired
    private MeterRegistry meters;

    private interface Lookup {
        void run(String token);
    }

    @Test
    void effectiveStateLookup() throws InterruptedException {
        List<String> tokens = new ArrayList<>();
        TestUsers.Account admin = users.admin();
        for (int i = 0; i < 16; i++) {
            TestUsers.Account user = users.user();
            users.member(admin, users.group(admin, "bench"), user, "member");
            tokens.add(user.token());
        }
        Lookup memoryHit = token -> resolver.resolve(token, false).orElseThrow();
        Lookup redisHit = token -> {
            cache.clearLocal();
            resolver.resolve(token, false).orElseThrow();
        };
        Lookup miss = token -> {
            cache.clearLocal();
            redis.delete(cacheProperties.keyPrefix() + "e:tok:" + TokenDigest.hex(token));
            resolver.resolve(token, false).orElseThrow();
        };
        System.out.println("| path | callers | p50 ms | p99 ms | lookups/s | connections borrowed per lookup |");
        System.out.println("|---|---|---|---|---|---|");
        for (int callers : new int[]{1, 16}) {
            run("memory hit", memoryHit, callers, tokens);
            run("Redis hit (memory cleared)", redisHit, callers, tokens);
            run("miss, resolved from PostgreSQL", miss, callers, tokens);
        }
    }

    private void run(String name, Lookup lookup, int callers, List<String> tokens) throws InterruptedException {
        for (int i = 0; i < WARMUP; i++) {
            resolver.resolve(tokens.get(i % tokens.size()), false).orElseThrow();
            lookup.run(tokens.get(i % tokens.size()));
        }
        long borrowedBefore = borrowed();
        long[] nanos = new long[OPERATIONS];
        AtomicLong next = new AtomicLong();
        CountDownLatch done = new CountDownLatch(callers);
        long started = System.nanoTime();
        for (int c = 0; c < callers; c++) {
            String token = tokens.get(c % tokens.size());
            Thread.ofPlatform().start(() -> {
                long i;
                while ((i = next.getAndIncrement()) < OPERATIONS) {
                    long t0 = System.nanoTime();
                    lookup.run(token);
                    nanos[(int) i] = System.nanoTime() - t0;
                }
                done.countDown();
            });
        }
        done.await();
        long elapsed = System.nanoTime() - started;
        double perLookup = (double) (borrowed() - borrowedBefore) / OPERATIONS;
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.0f | %.2f |%n", name, callers,
                nanos[OPERATIONS / 2] / 1e6, nanos[OPERATIONS * 99 / 100] / 1e6,
                OPERATIONS / (elapsed / 1e9), perLookup);
        if (name.equals("memory hit")) {
            // The version relay borrows one connection a second on its own; lookups themselves borrow none.
            assertThat(perLookup).as("a hit borrows no database connection").isLessThan(0.01);
        }
    }

    private long borrowed() {
        return meters.find("hikaricp.connections.usage").timers().stream().mapToLong(t -> t.count()).sum();
    }
}
