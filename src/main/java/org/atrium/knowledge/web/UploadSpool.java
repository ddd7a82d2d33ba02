package org.atrium.knowledge.web;

import jakarta.servlet.MultipartConfigElement;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.servlet.autoconfigure.MultipartProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.FileSystemUtils;
import org.springframework.util.unit.DataSize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where multipart uploads are spooled while they arrive: a directory of this process under
 * {@code spring.servlet.multipart.location} ({@code <data dir>/spool/uploads}), named
 * {@code <host>_<pid>_<process start in ms>}. A replica killed mid-upload leaves its spool files behind; the next one
 * to start on the same host removes the directories whose process is gone. Directories of other hosts (replicas
 * sharing a volume) are never removed, since a process elsewhere cannot be seen; only their files older than
 * {@link #FOREIGN_STALE_AFTER} are, which no upload still arriving can be.
 *
 * <p>It also bounds the whole multipart body: unless {@code spring.servlet.multipart.max-request-size} is set, by the
 * file limit ({@code spring.servlet.multipart.max-file-size}, from {@code atrium.knowledge.max-file-size}) plus
 * {@link #ENVELOPE} for the part headers and boundaries, so that a body of many parts cannot fill the spool. Part
 * count and part header size are Tomcat's ({@code server.tomcat.max-part-count}, {@code max-part-header-size}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class UploadSpool implements DisposableBean {

    /** Spool files of another host this old belong to no upload still arriving. */
    static final Duration FOREIGN_STALE_AFTER = Duration.ofHours(24);

    /** Room for the parts' headers and boundaries around the file. */
    static final DataSize ENVELOPE = DataSize.ofMegabytes(1);

    private static final Logger log = LoggerFactory.getLogger(UploadSpool.class);
    private static final Pattern OWNER = Pattern.compile("(.+)_(\\d+)_(\\d+)");

    private volatile Path own;

    /** Tomcat's multipart settings from {@code spring.servlet.multipart.*}, with this process's own directory. */
    @Bean
    MultipartConfigElement multipartConfigElement(MultipartProperties multipart) {
        MultipartConfigElement configured = multipart.createMultipartConfig();
        Path root = Path.of(multipart.getLocation() == null || multipart.getLocation().isBlank()
                ? System.getProperty("java.io.tmpdir") + "/atrium-uploads" : multipart.getLocation());
        own = prepare(root, host(), ProcessHandle.current());
        long maxFile = configured.getMaxFileSize();
        long maxRequest = configured.getMaxRequestSize() < 0 && maxFile >= 0
                ? maxFile + ENVELOPE.toBytes() : configured.getMaxRequestSize();
        return new MultipartConfigElement(own.toString(), maxFile, maxRequest, configured.getFileSizeThreshold());
    }

    @Override
    public void destroy() {
        if (own != null) {
            deleteQuietly(own);
        }
    }

    /**
     * Removes what dead processes left under the root and creates this process's directory.
     *
     * @return this process's directory
     */
    static Path prepare(Path root, String host, ProcessHandle self) {
        try {
            Files.createDirectories(root);
            try (Stream<Path> siblings = Files.list(root)) {
                for (Path sibling : siblings.toList()) {
                    clean(sibling, host);
                }
            }
            Path own = root.resolve(name(host, self.pid(), startOf(self).orElse(0L)));
            Files.createDirectories(own);
            return own;
        } catch (IOException failure) {
            throw new UncheckedIOException("Cannot prepare the upload spool directory under " + root
                    + "; set spring.servlet.multipart.location (SPRING_SERVLET_MULTIPART_LOCATION) to a writable"
                    + " directory", failure);
        }
    }

    static String name(String host, long pid, long startMillis) {
        return host + "_" + pid + "_" + startMillis;
    }

    private static void clean(Path sibling, String host) throws IOException {
        Matcher owner = OWNER.matcher(sibling.getFileName().toString());
        if (owner.matches() && owner.group(1).equals(host) && Files.isDirectory(sibling)) {
            long pid = Long.parseLong(owner.group(2));
            long start = Long.parseLong(owner.group(3));
            boolean alive = ProcessHandle.of(pid).flatMap(UploadSpool::startOf).filter(s -> s == start).isPresent();
            if (!alive) {
                deleteQuietly(sibling);
                LogEvents.info(log, "upload.spool.removed").addKeyValue("directory", sibling.getFileName()).log();
            }
            return;
        }
        Instant staleBefore = Instant.now().minus(FOREIGN_STALE_AFTER);
        List<Path> stale;
        try (Stream<Path> files = Files.walk(sibling)) {
            stale = files.filter(Files::isRegularFile).filter(file -> modifiedBefore(file, staleBefore)).toList();
        }
        stale.forEach(UploadSpool::deleteQuietly);
    }

    private static boolean modifiedBefore(Path file, Instant instant) {
        try {
            return Files.getLastModifiedTime(file).toInstant().isBefore(instant);
        } catch (IOException gone) {
            return false;
        }
    }

    private static Optional<Long> startOf(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli);
    }

    private static String host() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException unknown) {
                name = "localhost";
            }
        }
        return name.replaceAll("[^A-Za-z0-9.-]", "-");
    }

    private static void deleteQuietly(Path path) {
        try {
            FileSystemUtils.deleteRecursively(path);
        } catch (IOException failure) {
            LogEvents.warn(log, "upload.spool.cleanup_failed").addKeyValue("path", path)
                    .addKeyValue("reason", failure.getClass().getSimpleName()).log();
        }
    }
}
