package org.atrium.knowledge.web;

import jakarta.servlet.MultipartConfigElement;
import org.atrium.platform.LogEvents;
import org.jspecify.annotations.Nullable;
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
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * Where multipart uploads are spooled while they arrive: a directory of this process under
 * {@code spring.servlet.multipart.location} ({@code <data dir>/spool/uploads}), named {@code <host>_<pid>_<random>}
 * for people only. A replica killed mid-upload leaves its spool files behind; the next process to start under the
 * same root removes them. Whether a directory is still in use is decided by a lock, not by its name (containers
 * sharing a volume may share a host name and all run as pid 1): each process holds an exclusive
 * {@link FileChannel#lock() lock} on {@code <own directory>/.lock} for its whole life, and startup removes a sibling
 * directory only when it can take that lock itself. Startups take {@code <root>/.cleanup.lock} while they clean up and
 * create their own directory, so no process can see another's directory before its lock is held.
 *
 * <p>The lock is a POSIX ({@code fcntl}) lock: it holds across processes and containers on one machine and across
 * hosts on NFSv4 (or NFSv3 with a lock manager). On a share mounted without working locks ({@code nolock}) every
 * lock would seem free: the spool need not be shared at all, so give each replica its own location there. A
 * directory whose lock cannot even be tried (the file system refuses locks) is kept. A directory without a lock
 * file (left by a version before the lock) is removed once nothing in it changed for {@link #UNLOCKED_STALE_AFTER}.
 *
 * <p>It also bounds the whole multipart body: unless {@code spring.servlet.multipart.max-request-size} is set, by the
 * file limit ({@code spring.servlet.multipart.max-file-size}, from {@code atrium.knowledge.max-file-size}) plus
 * {@link #ENVELOPE} for the part headers and boundaries, so that a body of many parts cannot fill the spool. Part
 * count and part header size are Jetty's ({@code server.jetty.max-form-keys} and
 * {@code server.max-http-request-header-size}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class UploadSpool implements DisposableBean {

    /** A spool directory without a lock file this long unchanged belongs to no upload still arriving. */
    static final Duration UNLOCKED_STALE_AFTER = Duration.ofHours(24);

    /** Room for the parts' headers and boundaries around the file. */
    static final DataSize ENVELOPE = DataSize.ofMegabytes(1);

    /** The file each process locks in its own directory. */
    static final String LOCK_FILE = ".lock";

    private static final Logger log = LoggerFactory.getLogger(UploadSpool.class);
    private static final String CLEANUP_LOCK_FILE = ".cleanup.lock";
    /**
     * Directories this JVM locked (several application contexts may run in one, as in tests). Their lock files are
     * never opened again here: closing any channel on a file drops every POSIX lock the process holds on it.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private volatile @Nullable Spool own;

    /** A process's spool directory and the channel whose lock says it is in use. */
    record Spool(Path directory, FileChannel lock) {
    }

    /** The multipart settings from {@code spring.servlet.multipart.*}, with this process's own directory. */
    @Bean
    MultipartConfigElement multipartConfigElement(MultipartProperties multipart) {
        MultipartConfigElement configured = multipart.createMultipartConfig();
        Path root = Path.of(multipart.getLocation() == null || multipart.getLocation().isBlank()
                ? System.getProperty("java.io.tmpdir") + "/atrium-uploads" : multipart.getLocation());
        Spool spool = prepare(root, host(), ProcessHandle.current().pid());
        own = spool;
        long maxFile = configured.getMaxFileSize();
        long maxRequest = configured.getMaxRequestSize() < 0 && maxFile >= 0
                ? maxFile + ENVELOPE.toBytes() : configured.getMaxRequestSize();
        return new MultipartConfigElement(spool.directory().toString(), maxFile, maxRequest,
                configured.getFileSizeThreshold());
    }

    @Override
    public void destroy() {
        Spool spool = own;
        if (spool != null) {
            closeQuietly(spool.lock());
            HELD.remove(spool.directory());
            deleteQuietly(spool.directory());
        }
    }

    /**
     * Removes what processes that are gone left under the root, and creates and locks this process's directory.
     *
     * @return this process's directory, locked until its channel is closed
     */
    static synchronized Spool prepare(Path root, String host, long pid) {
        try {
            Files.createDirectories(root);
            try (FileChannel cleanup = FileChannel.open(root.resolve(CLEANUP_LOCK_FILE), CREATE, WRITE);
                 FileLock ignored = cleanup.lock();
                 Stream<Path> siblings = Files.list(root)) {
                for (Path sibling : siblings.filter(Files::isDirectory).filter(d -> !HELD.contains(d)).toList()) {
                    clean(sibling);
                }
                Path own = Files.createDirectories(root.resolve(host + "_" + pid + "_" + UUID.randomUUID()));
                FileChannel lock = FileChannel.open(own.resolve(LOCK_FILE), CREATE, WRITE);
                try {
                    lock.lock();
                } catch (IOException cannotLock) {
                    // Then nobody can try it either, and every directory with a lock file is kept.
                    LogEvents.warn(log, "upload.spool.lock_failed").addKeyValue("directory", own.getFileName())
                            .addKeyValue("reason", cannotLock.getClass().getSimpleName()).log();
                }
                HELD.add(own);
                return new Spool(own, lock);
            }
        } catch (IOException failure) {
            throw new UncheckedIOException("Cannot prepare the upload spool directory under " + root
                    + "; set spring.servlet.multipart.location (SPRING_SERVLET_MULTIPART_LOCATION) to a writable"
                    + " directory on a file system with working file locks", failure);
        }
    }

    private static void clean(Path sibling) throws IOException {
        Path lockFile = sibling.resolve(LOCK_FILE);
        if (!Files.exists(lockFile)) {
            if (unchangedSince(sibling, Instant.now().minus(UNLOCKED_STALE_AFTER))) {
                remove(sibling);
            }
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return; // a live process holds it
            }
            lock.release();
        } catch (OverlappingFileLockException heldHere) {
            return; // this JVM holds it
        } catch (IOException cannotLock) {
            LogEvents.warn(log, "upload.spool.lock_failed").addKeyValue("directory", sibling.getFileName())
                    .addKeyValue("reason", cannotLock.getClass().getSimpleName()).log();
            return;
        }
        remove(sibling);
    }

    private static void remove(Path sibling) {
        deleteQuietly(sibling);
        LogEvents.info(log, "upload.spool.removed").addKeyValue("directory", sibling.getFileName()).log();
    }

    private static boolean unchangedSince(Path directory, Instant instant) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            return paths.allMatch(path -> modifiedBefore(path, instant));
        } catch (UncheckedIOException changing) {
            return false;
        }
    }

    private static boolean modifiedBefore(Path file, Instant instant) {
        try {
            return Files.getLastModifiedTime(file).toInstant().isBefore(instant);
        } catch (IOException gone) {
            return false;
        }
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

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
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
