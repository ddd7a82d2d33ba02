package org.atrium.knowledge.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A spool directory goes at startup only when no live process holds its lock, whatever its name says: containers
 * sharing a volume may share a host name and a pid.
 */
class UploadSpoolTest {

    @TempDir
    Path root;

    @Test
    void aSpoolLockedByAnotherLiveProcessIsKeptEvenUnderOurOwnNameAndAnUnlockedOneIsRemoved() throws Exception {
        long pid = 1;
        Path live = spool("here_" + pid + "_1000", "upload_1.tmp");
        Path crashed = spool("here_" + pid + "_2000", "upload_2.tmp");
        Files.writeString(crashed.resolve(UploadSpool.LOCK_FILE), "");
        Process holder = holdLock(live.resolve(UploadSpool.LOCK_FILE));
        try {
            UploadSpool.Spool own = UploadSpool.prepare(root, "here", pid);
            try {
                assertThat(live.resolve("upload_1.tmp")).as("a live process's upload, same host and pid").exists();
                assertThat(crashed).as("nobody holds its lock: its process is gone").doesNotExist();
                assertThat(own.directory()).isDirectory().hasParent(root);
                assertThat(own.directory().getFileName().toString()).startsWith("here_1_");
            } finally {
                own.lock().close();
            }
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        UploadSpool.prepare(root, "here", pid).lock().close();

        assertThat(live).as("its process has exited").doesNotExist();
    }

    @Test
    void aSpoolOfThisJvmIsKeptAndOneWithoutALockFileGoesOnlyWhenLongUnchanged() throws Exception {
        Path recent = spool("elsewhere_1_1", "upload_3.tmp");
        Path old = spool("elsewhere_1_2", "upload_4.tmp");
        Instant longAgo = Instant.now().minus(UploadSpool.UNLOCKED_STALE_AFTER).minus(Duration.ofMinutes(1));
        Files.setLastModifiedTime(old.resolve("upload_4.tmp"), FileTime.from(longAgo));
        Files.setLastModifiedTime(old, FileTime.from(longAgo));
        UploadSpool.Spool first = UploadSpool.prepare(root, "here", 1);
        try {
            UploadSpool.Spool second = UploadSpool.prepare(root, "here", 1);
            second.lock().close();

            assertThat(first.directory()).as("locked by this JVM").isDirectory();
            assertThat(recent.resolve("upload_3.tmp")).as("no lock file, but recently changed").exists();
            assertThat(old).as("no lock file and unchanged for a day").doesNotExist();
        } finally {
            first.lock().close();
        }
    }

    private Path spool(String name, String file) throws Exception {
        Path directory = Files.createDirectories(root.resolve(name));
        Files.writeString(directory.resolve(file), "part");
        return directory;
    }

    /** Starts a JVM that locks the file as a live Atrium does, and waits until it holds the lock. */
    private static Process holdLock(Path lockFile) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SpoolLockHolder.class.getName(), lockFile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("the child JVM took the lock").isEqualTo("locked");
        return process;
    }
}
