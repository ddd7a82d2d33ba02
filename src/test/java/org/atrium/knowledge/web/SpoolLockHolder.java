package org.atrium.knowledge.web;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * Run as a child JVM by {@link UploadSpoolTest}: locks the file named by its argument as a live Atrium locks its spool
 * directory, says {@code locked}, and holds the lock until its standard input closes.
 */
final class SpoolLockHolder {

    private SpoolLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), CREATE, WRITE)) {
            channel.lock();
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes our input (or dies)
            }
        }
    }
}
