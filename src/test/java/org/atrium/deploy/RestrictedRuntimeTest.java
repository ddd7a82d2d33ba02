package org.atrium.deploy;

import org.atrium.testing.Api;
import org.atrium.testing.AtriumProcess;
import org.atrium.testing.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The container image's runtime promises, proven without a container engine: Atrium runs on the same jlinked Java
 * runtime the {@code Containerfile} builds ({@code deploy/container/jlink.sh} over {@code jre-modules.txt}), with
 * the same JVM options ({@code deploy/container/jvm.options}, its {@code /tmp} replaced by a fresh directory), as
 * OpenShift's restricted policy runs it: a random UID that no account has, group 0, no supplementary groups, no
 * {@code HOME} (the environment holds only Atrium's variables), and nothing writable but a temporary directory and a
 * data directory, both owned by group 0 with group write permission. It becomes ready, ingests an uploaded file
 * with the built-in embedding model (whose native tokenizer and ONNX Runtime unpack themselves somewhere writable),
 * shuts down gracefully on SIGTERM, and afterwards no file anywhere on the machine belongs to its UID outside those
 * two directories (the JVM's own performance data file in {@code /tmp} aside), and the application and runtime
 * directories are unchanged.
 *
 * <p><b>What runs.</b> The {@code test} phase comes before {@code package}, so there is no Spring Boot jar yet. The
 * test lays the application out as the image does ({@code java -Djarmode=tools -jar atrium.jar extract}):
 * {@code app/atrium.jar} holds the production classes ({@code target/classes}, what {@code package} puts in
 * {@code BOOT-INF/classes}) with a manifest naming the main class and {@code lib/*} on its {@code Class-Path}, and
 * {@code app/lib} holds the runtime dependencies ({@code target/runtime-class-path.txt}, written by the
 * dependency plugin: the jars {@code BOOT-INF/lib} would hold). Only Spring Boot's launcher is missing, which the
 * extracted layout does not use either. It runs in cluster mode on the test PostgreSQL and Redis, as replicas on
 * Kubernetes do: the embedded PostgreSQL cannot run under a UID without an account (its {@code initdb} looks the
 * user up), which is why the image's single-node mode runs as its own user 10001.
 *
 * <p>Switching user needs root ({@code setpriv}); elsewhere the test is skipped, except where
 * {@code ATRIUM_TEST_REQUIRE_RESTRICTED_RUN=true} ({@code .ci/run} and the CI workflow), where it fails instead.
 * The runtime is cached in {@code target/restricted-runtime} (jlink takes tens of seconds), or in the temporary
 * directory when the checkout lies where the UID cannot enter.
 */
class RestrictedRuntimeTest {

    private static final Path CONTAINER = Path.of("deploy/container");
    private static final Path WORK = workDirectory();

    /** What the run may write, removed after it whatever the outcome. */
    private final List<Path> writable = new ArrayList<>();

    @AfterEach
    void removeWhatTheRunWrote() throws IOException {
        for (Path path : writable) {
            delete(path);
        }
    }

    @Test
    void atriumRunsOnTheImagesRuntimeAsAnArbitraryUidWithNoHomeAndWritesOnlyTmpAndData() throws Exception {
        requireRoot();
        Path java = runtime().resolve("bin/java");
        Path app = application();
        int uid = ThreadLocalRandom.current().nextInt(200_000, 2_000_000_000);
        assertThat(Files.readString(Path.of("/etc/passwd"))).as("the UID has no account")
                .doesNotContain(":" + uid + ":");
        Path tmp = groupZeroDirectory("atrium-restricted-tmp-");
        Path data = groupZeroDirectory("atrium-restricted-data-");
        // The JVM's performance data file goes to the system's /tmp whatever java.io.tmpdir says (allowed: /tmp).
        Path perfData = Path.of("/tmp/hsperfdata_" + uid);
        writable.add(perfData);
        String options = Files.readString(CONTAINER.resolve("jvm.options"))
                .replaceAll("=/tmp(?=/|\\s|$)", "=" + tmp);
        Files.writeString(app.resolve("jvm.options"), options);
        Map<Path, String> before = snapshot(app, java.getParent().getParent());

        TestInfrastructure.Database database = TestInfrastructure.createDatabase("restricted");
        try (AtriumProcess atrium = AtriumProcess.builder().database(database).redis(TestInfrastructure.redisUrl())
                .env("ATRIUM_DATA_DIR", data.toString())
                .launcher(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=0", "--clear-groups",
                        "--no-new-privs", java.toString(), "@" + app.resolve("jvm.options"), "-jar",
                        app.resolve("atrium.jar").toString()), app)
                .start()) {
            atrium.awaitReady(Duration.ofMinutes(3));
            Api api = atrium.api();
            Api.Response signup = api.post("/api/v1/auth/signup", Map.of("email", "admin@example.org",
                    "name", "Admin", "password", "a long passphrase for the restricted run"), null);
            assertThat(signup.status()).as(signup.text()).isEqualTo(201);
            String token = signup.json().path("token").asString();
            assertThat(api.put("/api/v1/settings/instance", Map.of("settings", Map.of("embedding.connection",
                    "local", "embedding.model", "all-minilm-l6-v2")), token).status()).isEqualTo(200);
            // An upload goes through the spool and local storage (data directory), extraction and the built-in
            // model (native tokenizer and ONNX Runtime, unpacked into the temporary directory).
            String collection = api.post("/api/v1/collections", Map.of("name", "Notes"), token).json()
                    .path("id").asString();
            Api.Response uploaded = api.upload("/api/v1/collections/" + collection + "/files", "notes.txt",
                    "Kiwi vines need a frost-free spring.".getBytes(StandardCharsets.UTF_8), token);
            assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(api.get("/api/v1/collections/"
                    + collection + "/files", token).json().path("items").get(0).path("status").asString())
                    .as(atrium.output()).isEqualTo("ready"));

            assertThat(atrium.stop(Duration.ofSeconds(60))).as("exit after SIGTERM").isEqualTo(143);
            assertThat(atrium.output()).contains("Commencing graceful shutdown").contains("Graceful shutdown complete");
        }

        List<Path> owned = filesOwnedBy(uid);
        assertThat(owned).as("the search sees what the process wrote").anyMatch(file -> file.startsWith(data));
        assertThat(owned).as("files the process created outside its two writable directories")
                .allSatisfy(file -> assertThat(file.startsWith(tmp) || file.startsWith(data)
                        || file.startsWith(perfData)).as(file.toString()).isTrue());
        assertThat(Files.isDirectory(tmp.resolve("djl"))).as("the tokenizer unpacked into the temporary directory")
                .isTrue();
        assertThat(snapshot(app, java.getParent().getParent())).as("application and runtime unchanged")
                .isEqualTo(before);
    }

    /**
     * {@code target/restricted-runtime}, where the runtime is kept between runs, when the UID can reach it; else
     * (a checkout in a home directory only its owner may enter, as on CI runners) a directory of the system's
     * temporary directory named after the checkout.
     */
    private static Path workDirectory() {
        Path target = Path.of("target/restricted-runtime").toAbsolutePath();
        try {
            for (Path ancestor = target.getParent(); ancestor != null; ancestor = ancestor.getParent()) {
                if (!Files.getPosixFilePermissions(ancestor).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return Path.of(System.getProperty("java.io.tmpdir"), "atrium-restricted-runtime-"
                            + Integer.toHexString(target.toString().hashCode()));
                }
            }
        } catch (IOException unreadable) {
            throw new java.io.UncheckedIOException(unreadable);
        }
        return target;
    }

    private static void requireRoot() throws Exception {
        boolean root = "0".equals(run(List.of("id", "-u")).strip());
        boolean setpriv = Files.isExecutable(Path.of("/usr/bin/setpriv"));
        String why = !root ? "the tests do not run as root, which starting Atrium as another UID needs"
                : "setpriv (util-linux) is not installed";
        if ("true".equals(System.getenv("ATRIUM_TEST_REQUIRE_RESTRICTED_RUN"))) {
            assertThat(root && setpriv).as(why + ", and ATRIUM_TEST_REQUIRE_RESTRICTED_RUN=true").isTrue();
        }
        Assumptions.assumeTrue(root && setpriv, why);
    }

    /** The image's runtime, made by the image's own script once per module list and JDK, then reused. */
    private static Path runtime() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(Files.readAllBytes(CONTAINER.resolve("jre-modules.txt")));
        digest.update(Files.readAllBytes(CONTAINER.resolve("jlink.sh")));
        digest.update(System.getProperty("java.runtime.version").getBytes(StandardCharsets.UTF_8));
        Path runtime = WORK.resolve("jre-" + HexFormat.of().formatHex(digest.digest(), 0, 8));
        if (!Files.isExecutable(runtime.resolve("bin/java"))) {
            Path partial = WORK.resolve(runtime.getFileName() + ".part");
            delete(partial);
            Files.createDirectories(WORK);
            ProcessBuilder jlink = new ProcessBuilder("sh", CONTAINER.resolve("jlink.sh").toString(),
                    partial.toString()).redirectErrorStream(true);
            jlink.environment().put("JAVA_HOME", System.getProperty("java.home"));
            String output = run(jlink);
            assertThat(Files.isExecutable(partial.resolve("bin/java"))).as("jlink.sh: " + output).isTrue();
            Files.move(partial, runtime, StandardCopyOption.ATOMIC_MOVE);
        }
        return runtime;
    }

    /** The extracted layout of the image's {@code /app}: atrium.jar (the production classes) and lib/. */
    private static Path application() throws IOException {
        Path app = WORK.resolve("app");
        delete(app);
        Path lib = Files.createDirectories(app.resolve("lib"));
        Path classPathFile = Path.of("target/runtime-class-path.txt");
        assertThat(classPathFile).as("written by the dependency plugin at generate-test-resources").exists();
        List<String> names = new ArrayList<>();
        for (String entry : Files.readString(classPathFile).strip().split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            Path target = lib.resolve(jar.getFileName());
            assertThat(target).as("two dependencies with one file name").doesNotExist();
            try {
                Files.createLink(target, jar);
            } catch (IOException | UnsupportedOperationException otherFileSystem) {
                Files.copy(jar, target);
            }
            names.add("lib/" + jar.getFileName());
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "org.atrium.AtriumApplication");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", names));
        Path classes = Path.of("target/classes");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(app.resolve("atrium.jar")), manifest);
             Stream<Path> files = Files.walk(classes)) {
            // Directory entries too: class path scanning finds packages through them.
            for (Path file : (Iterable<Path>) files.filter(file -> !file.equals(classes)).sorted()::iterator) {
                String name = classes.relativize(file).toString().replace('\\', '/');
                boolean directory = Files.isDirectory(file);
                jar.putNextEntry(new java.util.jar.JarEntry(directory ? name + "/" : name));
                if (!directory) {
                    Files.copy(file, jar);
                }
                jar.closeEntry();
            }
        }
        return app;
    }

    /** A directory as the image's /data: owned by group 0, which may do what the owner may (OpenShift's rule). */
    private Path groupZeroDirectory(String prefix) throws Exception {
        Path directory = Files.createTempDirectory(prefix);
        writable.add(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwx---"));
        run(List.of("chgrp", "0", directory.toString()));
        return directory;
    }

    /** Every file on the machine's writable file systems that belongs to the UID. */
    private static List<Path> filesOwnedBy(int uid) throws Exception {
        String found = run(new ProcessBuilder("find", "/", "/dev/shm", "-xdev", "-uid", Integer.toString(uid))
                .redirectError(ProcessBuilder.Redirect.DISCARD));
        return found.lines().filter(line -> !line.isBlank()).map(Path::of).toList();
    }

    private static Map<Path, String> snapshot(Path... roots) throws IOException {
        Map<Path, String> state = new TreeMap<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    state.put(file, Files.getLastModifiedTime(file) + " " + (Files.isRegularFile(file)
                            ? Files.size(file) : "dir") + " " + PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(file)));
                }
            }
        }
        return state;
    }

    private static String run(List<String> command) throws Exception {
        return run(new ProcessBuilder(command).redirectErrorStream(true));
    }

    private static String run(ProcessBuilder builder) throws Exception {
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", builder.command())).isTrue();
        return output;
    }

    private static void delete(Path path) throws IOException {
        if (Files.exists(path)) {
            try (Stream<Path> files = Files.walk(path)) {
                for (Path file : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(file);
                }
            }
        }
    }
}
