package org.atrium.knowledge.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The spool directories of dead processes go at startup; those of live processes and of other hosts stay. */
class UploadSpoolTest {

    @TempDir
    Path root;

    @Test
    void aDeadProcessesSpoolIsRemovedAndLiveOrForeignOnesAreKept() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        long deadStart = exited.info().startInstant().map(Instant::toEpochMilli).orElse(1L);
        Path dead = spool(UploadSpool.name("here", exited.pid(), deadStart), "upload_1.tmp");
        ProcessHandle self = ProcessHandle.current();
        Path liveSibling = spool(UploadSpool.name("here", self.pid(),
                self.info().startInstant().orElseThrow().toEpochMilli() + 1), "upload_2.tmp");
        Path live = spool(UploadSpool.name("here", self.parent().orElseThrow().pid(),
                self.parent().orElseThrow().info().startInstant().orElseThrow().toEpochMilli()), "upload_3.tmp");
        Path foreign = spool(UploadSpool.name("elsewhere", 1, 1), "upload_4.tmp");
        Path foreignOld = foreign.resolve("upload_5.tmp");
        Files.writeString(foreignOld, "old part");
        Files.setLastModifiedTime(foreignOld, FileTime.from(Instant.now()
                .minus(UploadSpool.FOREIGN_STALE_AFTER).minus(Duration.ofMinutes(1))));

        Path own = UploadSpool.prepare(root, "here", self);

        assertThat(dead).as("its process exited").doesNotExist();
        assertThat(liveSibling).as("same pid, another start: a process that reused the pid").doesNotExist();
        assertThat(live.resolve("upload_3.tmp")).as("a live process's upload").exists();
        assertThat(foreign.resolve("upload_4.tmp")).as("another host's recent upload").exists();
        assertThat(foreignOld).as("another host's file older than any upload").doesNotExist();
        assertThat(own).isDirectory().hasParent(root);
        assertThat(own.getFileName().toString()).startsWith("here_" + self.pid() + "_");
    }

    private Path spool(String name, String file) throws Exception {
        Path directory = Files.createDirectories(root.resolve(name));
        Files.writeString(directory.resolve(file), "part");
        return directory;
    }
}
