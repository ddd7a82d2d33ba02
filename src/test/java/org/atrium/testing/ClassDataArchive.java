package org.atrium.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;

/**
 * A class-data sharing archive for the Atrium JVMs that tests start ({@link AtriumProcess}): the classes a replica
 * loads, parsed and verified once, then mapped by every later replica. It takes about a quarter of the CPU time off
 * each start, and multi-process tests start dozens of JVMs.
 *
 * <p>The JVM archives only classes from JARs, so replicas run the production classes from a JAR of
 * {@code target/classes} made once per test JVM. The archive is recorded in the background by one extra replica that
 * starts in cluster mode on a database of its own and exits once its context is refreshed
 * ({@code spring.context.exit=onRefresh}); it is written beside the final path and moved into place after that JVM
 * has ended, so no replica ever maps a half-written archive. Replicas started before then (or when recording failed)
 * simply start without it. Test processes themselves never record, so their exit codes and output are their own.
 */
final class ClassDataArchive {

    private static final String PREFIX = "atrium-process-" + TestInfrastructure.runId();
    private static final Path ARCHIVE = Path.of(System.getProperty("java.io.tmpdir"), PREFIX + ".jsa");
    /** The JVM's notes on class-data sharing (classes it skips, an archive it cannot use) stay out of test output. */
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-Xlog:aot=off");
    private static final Object LOCK = new Object();

    private static String classPath;
    private static boolean recordingStarted;

    private ClassDataArchive() {
    }

    /**
     * @param productionClassPath the class path replicas run with, class directories included
     * @return the same with every class directory replaced by a JAR of it (the directory itself when that fails)
     */
    static String classPath(String productionClassPath) {
        synchronized (LOCK) {
            if (classPath == null) {
                classPath = Arrays.stream(productionClassPath.split(File.pathSeparator))
                        .map(ClassDataArchive::jarOf).collect(Collectors.joining(File.pathSeparator));
            }
            return classPath;
        }
    }

    /**
     * @param classPath the class path from {@link #classPath(String)}
     * @return the JVM options for a replica: the archive once it exists; the first call starts recording it
     */
    static List<String> options(String classPath) {
        List<String> options = new ArrayList<>(QUIET);
        synchronized (LOCK) {
            if (Files.exists(ARCHIVE)) {
                options.add("-XX:SharedArchiveFile=" + ARCHIVE);
            } else if (!recordingStarted) {
                recordingStarted = true;
                record(classPath);
            }
        }
        return options;
    }

    private static void record(String classPath) {
        Path recording = ARCHIVE.resolveSibling(PREFIX + ".jsa.part");
        recording.toFile().deleteOnExit();
        try {
            TestInfrastructure.Database database = TestInfrastructure.createDatabase("cds");
            List<String> command = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-XX:TieredStopAtLevel=1"));
            command.addAll(QUIET);
            command.addAll(List.of("-XX:ArchiveClassesAtExit=" + recording, "-Dspring.context.exit=onRefresh",
                    "-cp", classPath, "org.atrium.AtriumApplication"));
            File output = Files.createTempFile(PREFIX + "-cds-", ".log").toFile();
            output.deleteOnExit();
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output);
            builder.environment().keySet().removeIf(name -> name.startsWith("SPRING_") || name.startsWith("ATRIUM_"));
            builder.environment().putAll(java.util.Map.of(
                    "SPRING_DATASOURCE_URL", database.jdbcUrl(),
                    "SPRING_DATASOURCE_USERNAME", database.user(),
                    "SPRING_DATASOURCE_PASSWORD", database.password(),
                    "SPRING_DATA_REDIS_URL", TestInfrastructure.redisUrl(),
                    "ATRIUM_CACHE_KEY_PREFIX", database.redisKeyPrefix(),
                    "ATRIUM_SECRETS_KEYS_TEST", TestInfrastructure.SECRETS_KEY,
                    "ATRIUM_METRICS_TOKEN", TestInfrastructure.METRICS_TOKEN,
                    "ATRIUM_DATA_DIR", Files.createTempDirectory(PREFIX + "-cds-data-").toString(),
                    "SERVER_PORT", "0"));
            builder.start().onExit().thenAccept(process -> {
                try {
                    if (process.exitValue() == 0 && Files.size(recording) > 0) {
                        Files.move(recording, ARCHIVE, StandardCopyOption.ATOMIC_MOVE);
                        ARCHIVE.toFile().deleteOnExit();
                    }
                } catch (IOException notRecorded) {
                    // replicas keep starting without an archive
                }
            });
        } catch (IOException | RuntimeException notStarted) {
            // replicas keep starting without an archive
        }
    }

    private static String jarOf(String entry) {
        Path directory = Path.of(entry);
        if (!Files.isDirectory(directory)) {
            return entry;
        }
        Path jar = Path.of(System.getProperty("java.io.tmpdir"), PREFIX + "-" + directory.getFileName() + ".jar");
        try {
            Files.deleteIfExists(jar);
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
        ToolProvider tool = ToolProvider.findFirst("jar").orElse(null);
        if (tool == null || tool.run(System.out, System.err, "--create", "--file", jar.toString(), "--no-manifest",
                "-C", directory.toString(), ".") != 0) {
            return entry;
        }
        jar.toFile().deleteOnExit();
        return jar.toString();
    }
}
