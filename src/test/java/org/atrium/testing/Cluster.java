package org.atrium.testing;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Several Atrium replicas in cluster mode, as on Kubernetes: real JVMs ({@link AtriumProcess}) on free ports,
 * sharing one fresh PostgreSQL database ({@link TestInfrastructure#createDatabase}) and one Redis server that
 * belongs to this fixture alone, so that tests may stop, restart and flush it without disturbing anything else.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.start(3)) {
 *     Api first = cluster.api(0);
 *     ...
 *     cluster.restartRedis(Duration.ofSeconds(1));          // every key is lost, as in a real restart
 *     cluster.flushRedis();                                  // FLUSHALL
 *     int writer = cluster.addReplica(Map.of("ATRIUM_TESTING_HALT_AT", "WRITER_AFTER_COMMIT"));
 *     cluster.api(writer).put(...);                          // the replica halts between commit and invalidation
 *     cluster.replica(writer).awaitExit(Duration.ofSeconds(30));
 *     cluster.kill(1);                                       // SIGKILL
 *     cluster.replace(1);                                    // a fresh replica in slot 1
 * }
 * }</pre>
 *
 * <p>Replicas are numbered from 0 in the order they were started; a slot keeps its number when its process dies or
 * is replaced. Starting several replicas starts their JVMs together and then waits for all of them, which on a small
 * machine is much faster than one after the other. A replica counts as started when
 * {@code /actuator/health/readiness} answers 200. Readiness does not need Redis, but startup does (the Redis
 * requirements check waits up to {@code atrium.cache.redis-startup-timeout}, then refuses): do not start replicas
 * while Redis is stopped.
 *
 * <p>The database is dropped when the test JVM exits; {@link #close()} kills every replica and stops Redis.
 * Thread-safe.
 */
public final class Cluster implements AutoCloseable {

    /** How long one replica may take to become ready (several JVMs starting on two cores are slow). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(150);

    private final TestInfrastructure.Database database;
    private final int redisPort;
    private final RedisServer redis;
    private final Map<String, String> commonEnvironment;
    private volatile java.nio.file.@org.jspecify.annotations.Nullable Path classPathAddition;
    private final List<Slot> slots = new ArrayList<>();
    private final List<AtriumProcess> launched = new ArrayList<>();
    private boolean closed;

    /** One numbered replica: its current process and the extra environment it was started with. */
    private record Slot(AtriumProcess process, Map<String, String> environment) {
    }

    private Cluster(String purpose, Map<String, String> commonEnvironment) {
        this.commonEnvironment = Map.copyOf(commonEnvironment);
        this.database = TestInfrastructure.createDatabase(purpose);
        this.redisPort = TestInfrastructure.freePort();
        try {
            this.redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1").setting("save \"\"")
                    .setting("appendonly no").build();
        } catch (IOException failure) {
            throw new UncheckedIOException("could not prepare the cluster's Redis", failure);
        }
        startRedis();
    }

    /**
     * Starts a cluster of plain replicas.
     *
     * @param replicas how many
     * @return the running cluster
     */
    public static Cluster start(int replicas) {
        return start("cluster", replicas, Map.of());
    }

    /**
     * Starts a cluster.
     *
     * @param purpose     a short lower-case word for the database name
     * @param replicas    how many replicas to start (in parallel)
     * @param environment extra environment variables for every replica of this cluster, including later ones
     * @return the running cluster; if a replica fails to start, everything started is stopped and the failure
     * (with the replica's output) is thrown
     */
    public static Cluster start(String purpose, int replicas, Map<String, String> environment) {
        return start(purpose, environment, Collections.nCopies(replicas, Map.of()));
    }

    /**
     * Starts a cluster whose replicas differ (in parallel).
     *
     * @param purpose     a short lower-case word for the database name
     * @param environment extra environment variables for every replica of this cluster, including later ones
     * @param replicas    for each replica to start, its own extra environment variables (which win)
     * @return the running cluster; if a replica fails to start, everything started is stopped and the failure
     * (with the replica's output) is thrown
     */
    public static Cluster start(String purpose, Map<String, String> environment,
                                List<Map<String, String>> replicas) {
        Cluster cluster = new Cluster(purpose, environment);
        try {
            cluster.addReplicas(replicas);
            return cluster;
        } catch (RuntimeException | Error failure) {
            cluster.close();
            throw failure;
        }
    }

    /**
     * Replicas started from now on get this directory appended to their class path (see
     * {@link AtriumProcess.Builder#classPathAddition}).
     */
    public void classPathAddition(java.nio.file.Path directory) {
        classPathAddition = directory;
    }

    /** @return the database every replica uses */
    public TestInfrastructure.Database database() {
        return database;
    }

    /** @return the URL of this cluster's Redis, {@code redis://127.0.0.1:<port>} */
    public String redisUrl() {
        return "redis://127.0.0.1:" + redisPort;
    }

    /** @return how many slots there are (alive or not) */
    public synchronized int size() {
        return slots.size();
    }

    /**
     * @param index a slot number
     * @return the process currently in that slot (possibly dead)
     */
    public synchronized AtriumProcess replica(int index) {
        return slots.get(index).process();
    }

    /**
     * @param index a slot number
     * @return an API client for the replica in that slot
     */
    public Api api(int index) {
        return replica(index).api();
    }

    /**
     * Starts one more replica and waits until it is ready.
     *
     * @param environment extra environment variables for it alone, for example
     *                    {@code ATRIUM_TESTING_HALT_AT=WRITER_AFTER_COMMIT}
     * @return its slot number
     */
    public int addReplica(Map<String, String> environment) {
        return addReplicas(1, environment).getFirst();
    }

    /**
     * Starts more replicas together and waits until all are ready.
     *
     * @param count       how many
     * @param environment extra environment variables for each of them
     * @return their slot numbers
     */
    public List<Integer> addReplicas(int count, Map<String, String> environment) {
        return addReplicas(Collections.nCopies(count, environment));
    }

    /**
     * Starts more replicas together, each with its own extra environment, and waits until all are ready.
     *
     * @param environments for each replica, its extra environment variables
     * @return their slot numbers, in the same order
     */
    public List<Integer> addReplicas(List<Map<String, String>> environments) {
        List<AtriumProcess> started = new ArrayList<>();
        try {
            for (Map<String, String> environment : environments) {
                started.add(launch(environment));
            }
            awaitReady(started);
        } catch (RuntimeException | Error failure) {
            started.forEach(AtriumProcess::close);
            throw failure;
        }
        synchronized (this) {
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < started.size(); i++) {
                slots.add(new Slot(started.get(i), Map.copyOf(environments.get(i))));
                indexes.add(slots.size() - 1);
            }
            return indexes;
        }
    }

    /**
     * Kills a replica with SIGKILL: no shutdown step runs, in-flight requests fail.
     *
     * @param index its slot number
     */
    public void kill(int index) {
        replica(index).kill();
    }

    /**
     * Kills the replica in a slot (if it is still alive) and starts a new one there with the same extra environment,
     * waiting until it is ready.
     *
     * @param index the slot number
     * @return the new process
     */
    public AtriumProcess replace(int index) {
        Map<String, String> environment;
        synchronized (this) {
            environment = slots.get(index).environment();
        }
        return replace(index, environment);
    }

    /**
     * Kills the replica in a slot (if it is still alive) and starts a new one there, waiting until it is ready.
     *
     * @param index       the slot number
     * @param environment extra environment variables for the new process
     * @return the new process
     */
    public AtriumProcess replace(int index, Map<String, String> environment) {
        replica(index).close();
        AtriumProcess process = launch(environment);
        try {
            awaitReady(List.of(process));
        } catch (RuntimeException | Error failure) {
            process.close();
            throw failure;
        }
        synchronized (this) {
            slots.set(index, new Slot(process, Map.copyOf(environment)));
        }
        return process;
    }

    /** Starts this cluster's Redis (again, empty, on the same port); does nothing when it is running. */
    public void startRedis() {
        try {
            redis.start();
        } catch (IOException failure) {
            throw new UncheckedIOException("could not start the cluster's Redis on port " + redisPort, failure);
        }
    }

    /** Stops this cluster's Redis (SIGTERM, nothing saved): every key is lost, connections break. */
    public void stopRedis() {
        try {
            redis.stop();
        } catch (IOException failure) {
            throw new UncheckedIOException("could not stop the cluster's Redis", failure);
        }
    }

    /**
     * Stops Redis, waits, and starts it again empty, as a Redis pod restart would.
     *
     * @param down how long it stays stopped
     */
    public void restartRedis(Duration down) {
        stopRedis();
        sleep(down);
        startRedis();
    }

    /** @return whether this cluster's Redis is running */
    public boolean redisRunning() {
        return redis.isActive();
    }

    /** Sends {@code FLUSHALL} to this cluster's Redis: every version and every entry is gone at once. */
    public void flushRedis() {
        String reply = redisCommand("FLUSHALL");
        if (!reply.startsWith("+OK")) {
            throw new IllegalStateException("FLUSHALL answered " + reply);
        }
    }

    /**
     * Sends one command (words without spaces) to this cluster's Redis.
     *
     * @param words the command, for example {@code DBSIZE}
     * @return the first line of the reply, in RESP (for example {@code +OK} or {@code :42})
     */
    public String redisCommand(String... words) {
        StringBuilder command = new StringBuilder("*").append(words.length).append("\r\n");
        for (String word : words) {
            command.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word)
                    .append("\r\n");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", redisPort), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    reply.append((char) c);
                }
            }
            return reply.toString();
        } catch (IOException failure) {
            throw new UncheckedIOException("Redis command " + String.join(" ", words) + " failed", failure);
        }
    }

    /** @return every replica's output so far, labelled with its slot, for failure reports */
    public synchronized String outputs() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < slots.size(); i++) {
            AtriumProcess process = slots.get(i).process();
            text.append("===== replica ").append(i).append(" (pid ").append(process.pid()).append(", ")
                    .append(process.isAlive() ? "alive" : "dead").append(") =====\n").append(process.output())
                    .append('\n');
        }
        return text.toString();
    }

    /** Kills every replica (and any replica still starting) and stops Redis. */
    @Override
    public void close() {
        List<AtriumProcess> processes;
        synchronized (this) {
            closed = true;
            processes = List.copyOf(launched);
        }
        CompletableFuture.allOf(processes.stream()
                .map(process -> CompletableFuture.runAsync(process::close)).toArray(CompletableFuture[]::new))
                .join();
        try {
            redis.stop();
        } catch (IOException ignored) {
            // the process may already be gone
        }
    }

    /** Starts a JVM; every JVM ever started is killed by {@link #close()}, even one still starting then. */
    private synchronized AtriumProcess launch(Map<String, String> environment) {
        if (closed) {
            throw new IllegalStateException("the cluster is closed");
        }
        AtriumProcess.Builder builder = AtriumProcess.builder().database(database).redis(redisUrl());
        if (classPathAddition != null) {
            builder.classPathAddition(classPathAddition);
        }
        Map<String, String> merged = new LinkedHashMap<>(commonEnvironment);
        merged.putAll(environment);
        merged.forEach(builder::env);
        AtriumProcess process = builder.start();
        launched.add(process);
        return process;
    }

    private static void awaitReady(List<AtriumProcess> processes) {
        try {
            CompletableFuture.allOf(processes.stream()
                    .map(process -> CompletableFuture.runAsync(() -> process.awaitReady(START_TIMEOUT),
                            runnable -> Thread.ofPlatform().daemon().start(runnable)))
                    .toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException failure) {
            if (failure.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure.getCause() instanceof Error error) {
                throw error;
            }
            throw failure;
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
