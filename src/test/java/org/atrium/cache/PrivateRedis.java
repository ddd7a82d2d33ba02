package org.atrium.cache;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.atrium.testing.TestInfrastructure;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A Redis server that belongs to one test fixture alone, so that tests can stop, restart and flush it without
 * touching the Redis other tests use. It runs without persistence (a restart comes back empty) and with an ACL that
 * denies every pub/sub command to every client: the protocol must keep its promise without any message delivery.
 */
final class PrivateRedis implements AutoCloseable {

    private final int port;
    private final RedisClient client;
    private RedisServer server;
    private boolean closed;

    private PrivateRedis(int port) {
        this.port = port;
        this.client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port)
                .withTimeout(Duration.ofSeconds(2)).build());
    }

    /** Starts a new server on a free port. */
    static PrivateRedis start() {
        PrivateRedis redis = new PrivateRedis(TestInfrastructure.freePort());
        redis.up();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(redis::close));
        return redis;
    }

    /** @return its URL, for {@code spring.data.redis.url} */
    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server again (empty) if it is stopped. */
    synchronized void up() {
        if (server != null && server.isActive()) {
            return;
        }
        try {
            server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no")
                    // Every client may do everything except publish and subscribe.
                    .setting("user default on nopass ~* &* +@all -@pubsub")
                    .build();
            server.start();
        } catch (IOException failure) {
            throw new UncheckedIOException("could not start the private Redis on port " + port, failure);
        }
    }

    /** Stops the server; its data is gone. */
    synchronized void down() {
        if (server == null || !server.isActive()) {
            return;
        }
        try {
            server.stop();
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    /** @return whether the server is running */
    synchronized boolean isUp() {
        return server != null && server.isActive();
    }

    /** Stops and starts the server: it comes back empty. */
    void restart() {
        down();
        up();
    }

    /** Removes every key. */
    void flushAll() {
        run(RedisCommands::flushall);
    }

    /** @return the keys matching a glob pattern */
    List<String> keys(String pattern) {
        return run(commands -> commands.keys(pattern));
    }

    /** @return a key's string value, or {@code null} */
    String get(String key) {
        return run(commands -> commands.get(key));
    }

    /** Deletes keys matching a pattern; returns how many. */
    long deleteMatching(String pattern) {
        return run(commands -> {
            List<String> keys = commands.keys(pattern);
            return keys.isEmpty() ? 0L : commands.del(keys.toArray(String[]::new));
        });
    }

    /** Runs commands on a fresh connection (so restarts never leave a broken connection behind). */
    <T> T run(Function<RedisCommands<String, String>, T> commands) {
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return commands.apply(connection.sync());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            down();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
