package org.atrium.storage.internal;

import org.atrium.storage.BlobInfo;
import org.atrium.storage.BlobNotFoundException;
import org.atrium.storage.BlobStore;
import org.atrium.storage.StoredBlob;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Keeps each object as a file under a root directory, the key's segments becoming directories
 * ({@code files/3f2a/blob} is {@code <root>/files/3f2a/blob}). Writes go to a temporary file in the target's
 * directory that is fsynced and then renamed over the target, so readers see either nothing or the whole object,
 * and a crash leaves at most a temporary file (never listed, named with {@code ~}, which keys cannot contain).
 * Deleting removes directories left empty, so a million deleted files do not leave a million directories.
 */
final class LocalBlobStore implements BlobStore {

    private static final int BUFFER_SIZE = 64 * 1024;

    /** Creating the temporary file races with a delete pruning its (empty) directory; a few tries always win. */
    private static final int CREATE_ATTEMPTS = 5;

    private final Path root;

    /**
     * @param root the directory holding the objects; created if missing
     * @throws IOException if it cannot be created
     */
    LocalBlobStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
    }

    @Override
    public StoredBlob put(String key, InputStream content, long length) throws IOException {
        Path target = resolve(key);
        ExactLengthInputStream exact = new ExactLengthInputStream(content, length);
        Path directory = target.getParent();
        Path temp = directory.resolve(".~" + UUID.randomUUID() + ".tmp");
        boolean renamed = false;
        try {
            try (FileChannel channel = createTemp(temp)) {
                copy(exact, channel);
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            syncDirectory(directory);
            return new StoredBlob(key, exact.count(), exact.sha256Hex());
        } catch (IOException | RuntimeException failure) {
            if (renamed) {
                // Only the directory fsync can fail after the rename: the object may not survive a crash, so it
                // must not be reported as stored, nor be left for a reader to find.
                deleteQuietly(target, failure);
            } else {
                deleteQuietly(temp, failure);
            }
            throw failure;
        }
    }

    private FileChannel createTemp(Path temp) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                createDirectories(temp.getParent());
                return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (NoSuchFileException prunedMeanwhile) {
                if (attempt == CREATE_ATTEMPTS) {
                    throw prunedMeanwhile;
                }
            }
        }
    }

    private static void copy(ExactLengthInputStream in, FileChannel channel) throws IOException {
        byte[] buffer = new byte[BUFFER_SIZE];
        int n;
        while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
            while (chunk.hasRemaining()) {
                channel.write(chunk);
            }
        }
    }

    /** Creates missing directories one by one, fsyncing each parent so the new entries survive a crash. */
    private void createDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Path parent = directory.getParent();
        if (directory.equals(root) || parent == null) {
            Files.createDirectories(directory);
            return;
        }
        createDirectories(parent);
        try {
            Files.createDirectory(directory);
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(directory)) {
                throw raced;
            }
            return;
        }
        syncDirectory(parent);
    }

    /**
     * Makes a directory's entries durable. Some platforms (Windows) cannot open a directory for this; there the
     * rename itself is as durable as it gets.
     */
    private static void syncDirectory(Path directory) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(directory, StandardOpenOption.READ);
        } catch (IOException notSupported) {
            return;
        }
        try (channel) {
            channel.force(true);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        Path path = resolve(key);
        if (Files.isDirectory(path)) {
            throw new BlobNotFoundException(key);
        }
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException absent) {
            throw new BlobNotFoundException(key);
        }
    }

    @Override
    public boolean delete(String key) throws IOException {
        Path path = resolve(key);
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        boolean deleted = Files.deleteIfExists(path);
        pruneEmptyDirectories(path.getParent());
        return deleted;
    }

    /** Removes empty directories from {@code directory} up to, not including, the root. */
    private void pruneEmptyDirectories(Path directory) throws IOException {
        for (Path current = directory; current.startsWith(root) && !current.equals(root);
             current = current.getParent()) {
            try {
                Files.delete(current);
            } catch (DirectoryNotEmptyException | NoSuchFileException stillUsed) {
                return;
            }
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        return Files.isRegularFile(resolve(key), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public List<BlobInfo> list(String prefix) throws IOException {
        BlobKeys.requireValidPrefix(prefix);
        // Walk only the deepest directory the prefix names completely, then filter by the full prefix.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<BlobInfo> found = new ArrayList<>();
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile()) {
                    String key = keyOf(file);
                    if (key.startsWith(prefix) && BlobKeys.isValidKey(key)) {
                        found.add(new BlobInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant()));
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                // Deleted (or pruned) while we walked: it is simply not there any more.
                if (failure instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw failure;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, @Nullable IOException failure)
                    throws IOException {
                if (failure != null && !(failure instanceof NoSuchFileException)) {
                    throw failure;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(Comparator.comparing(BlobInfo::key));
        return found;
    }

    private String keyOf(Path file) {
        Path relative = root.relativize(file);
        StringBuilder key = new StringBuilder();
        for (Path segment : relative) {
            if (!key.isEmpty()) {
                key.append('/');
            }
            key.append(segment);
        }
        return key.toString();
    }

    @Override
    public String describe() {
        return "local:" + root;
    }

    /** Maps a valid key to its path; the key rules guarantee the result is inside the root. */
    private Path resolve(String key) {
        Path path = root.resolve(BlobKeys.requireValidKey(key)).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("storage key escapes the storage directory: " + key);
        }
        return path;
    }

    private static void deleteQuietly(Path path, Throwable failure) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException cleanupFailure) {
            failure.addSuppressed(cleanupFailure);
        }
    }
}
