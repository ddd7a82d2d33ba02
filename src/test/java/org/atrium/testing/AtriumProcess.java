package org.atrium.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Atrium JVM started from the test classpath, for behaviour that is about processes: replicas sharing a
 * database, startup refusals, commands that exit, SIGKILL between two steps. Output goes to a file that tests read.
 *
 * <p>Configuration is passed as environment variables, exactly as an operator would.
 */
public final class AtriumProcess implements AutoCloseable {

    private static final java.util.regex.Pattern STARTED_ON = java.util.regex.Pattern.compile(
            "Jetty started on port (\\d+)");

    private final Process process;
    private final Path output;
    private volatile int port;

    private AtriumProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Where a process starts: its environment and arguments. */
    public static final class Builder {
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> arguments = new ArrayList<>();
        private List<String> jvmOptions = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1");
        private @org.jspecify.annotations.Nullable Path classPathAddition;
        private List<String> launcher;
        private Path workingDirectory;

        /** Uses a test database (external-PostgreSQL configuration). */
        public Builder database(TestInfrastructure.Database database) {
            environment.put("SPRING_DATASOURCE_URL", database.jdbcUrl());
            environment.put("SPRING_DATASOURCE_USERNAME", database.user());
            environment.put("SPRING_DATASOURCE_PASSWORD", database.password());
            environment.put("ATRIUM_CACHE_KEY_PREFIX", database.redisKeyPrefix());
            return this;
        }

        /** Uses a Redis server (cluster mode). */
        public Builder redis(String url) {
            environment.put("SPRING_DATA_REDIS_URL", url);
            environment.putIfAbsent("ATRIUM_SECRETS_KEYS_TEST", TestInfrastructure.SECRETS_KEY);
            return this;
        }

        /** Sets any environment variable. */
        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** Replaces the JVM options (by default a small heap and C1 only, which start fastest: tests, not benchmarks). */
        public Builder jvm(String... options) {
            jvmOptions = List.of(options);
            return this;
        }

        /**
         * Appends a directory to the product's class path: test code that a process test needs inside the replica (a
         * probe task registered through its own auto-configuration), and nothing else of the test classes.
         */
        public Builder classPathAddition(Path directory) {
            classPathAddition = directory;
            return this;
        }

        /**
         * Runs {@code command} (which starts Atrium: its own runtime, user, layout and JVM options) instead of the
         * test JVM's {@code java} on the test class path, in {@code workingDirectory}, with an environment of only
         * what this builder sets: nothing is inherited from the test JVM, not even {@code HOME} or {@code PATH}.
         */
        public Builder launcher(List<String> command, Path workingDirectory) {
            this.launcher = List.copyOf(command);
            this.workingDirectory = workingDirectory;
            return this;
        }

        /** Adds command-line arguments ({@code migrate}, {@code validate}, ...). */
        public Builder args(String... values) {
            arguments.addAll(List.of(values));
            return this;
        }

        /** Starts the JVM. */
        public AtriumProcess start() {
            try {
                Path output = Files.createTempFile("atrium-process-", ".log");
                List<String> command = new ArrayList<>();
                if (launcher != null) {
                    command.addAll(launcher);
                } else {
                    command.add(ProcessHandle.current().info().command().orElse("java"));
                    command.addAll(jvmOptions);
                    String classPath = ClassDataArchive.classPath(productionClassPath());
                    command.addAll(ClassDataArchive.options(classPath));
                    command.add("-cp");
                    // Appended after the archived class path, which class data sharing accepts.
                    command.add(classPathAddition == null ? classPath
                            : classPath + java.io.File.pathSeparator + classPathAddition);
                    command.add("org.atrium.AtriumApplication");
                }
                command.addAll(arguments);
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile());
                if (launcher != null) {
                    builder.directory(workingDirectory.toFile()).environment().clear();
                }
                builder.environment().keySet().removeIf(name -> name.startsWith("SPRING_") || name.startsWith("ATRIUM_"));
                // Port 0: the server binds a free port itself, so replicas started together can never collide.
                builder.environment().put("SERVER_PORT", "0");
                builder.environment().put("ATRIUM_METRICS_TOKEN", TestInfrastructure.METRICS_TOKEN);
                builder.environment().put("ATRIUM_PASSWORDS_HASH_COST", "4"); // as in-process tests; see IntegrationTest
                builder.environment().putIfAbsent("ATRIUM_DATA_DIR",
                        Files.createTempDirectory("atrium-process-data-").toString());
                builder.environment().putAll(environment);
                return new AtriumProcess(builder.start(), output);
            } catch (IOException failure) {
                throw new UncheckedIOException("could not start an Atrium process", failure);
            }
        }
    }

    /**
     * The test JVM's class path without the test classes: a replica runs the product as built, so test-only beans
     * (test controllers, probes, configurations) cannot leak into it through component scanning.
     */
    private static String productionClassPath() {
        String separator = java.io.File.pathSeparator;
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(separator))
                .filter(entry -> !entry.replace('\\', '/').endsWith("/test-classes")
                        && !entry.replace('\\', '/').endsWith("/test-classes/"))
                .collect(java.util.stream.Collectors.joining(separator));
    }

    /**
     * @return the class path replicas run with, as JARs only (the form class data sharing and the JDK's AOT cache
     *         accept), for a process started with {@link Builder#launcher}
     */
    public static String productionJars() {
        return ClassDataArchive.classPath(productionClassPath());
    }

    /** @return a builder for a new process */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the HTTP port the process serves on, read from its log once the web server has started
     * @throws AssertionError when the process exits first or takes more than two minutes
     */
    public int port() {
        if (port != 0) {
            return port;
        }
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            java.util.regex.Matcher started = STARTED_ON.matcher(output());
            if (started.find()) {
                port = Integer.parseInt(started.group(1));
                return port;
            }
            if (!process.isAlive()) {
                throw new AssertionError("Atrium exited with " + process.exitValue() + " before serving:\n"
                        + output());
            }
            sleep(100);
        }
        throw new AssertionError("Atrium did not start its web server within two minutes:\n" + output());
    }

    /** @return an API client for this process */
    public Api api() {
        return new Api("http://127.0.0.1:" + port());
    }

    /**
     * Waits until {@code /actuator/health/readiness} answers 200.
     *
     * @param timeout how long to wait
     * @throws AssertionError with the process output when it exits or does not become ready in time
     */
    public void awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("Atrium exited with " + process.exitValue() + " before it was ready:\n"
                        + output());
            }
            if (port == 0 && !STARTED_ON.matcher(output()).find()) {
                sleep(200);
                continue;
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port() + "/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(interrupted);
            }
            sleep(200);
        }
        throw new AssertionError("Atrium was not ready within " + timeout + ":\n" + output());
    }

    /**
     * Waits for the process to exit on its own.
     *
     * @param timeout how long to wait
     * @return its exit code
     * @throws AssertionError when it is still running after the timeout
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("Atrium did not exit within " + timeout + ":\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** Sends SIGTERM (graceful shutdown) and waits for the exit. */
    public int stop(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Sends SIGKILL: the process gets no chance to run any shutdown step. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the process is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the process id */
    public long pid() {
        return process.pid();
    }

    /** @return everything the process printed so far */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException failure) {
            return "(output unreadable: " + failure + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
