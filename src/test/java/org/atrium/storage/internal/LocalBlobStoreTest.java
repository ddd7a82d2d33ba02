package org.atrium.storage.internal;

import org.atrium.storage.BlobInfo;
import org.atrium.storage.BlobNotFoundException;
import org.atrium.storage.BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.atrium.storage.internal.Payloads.randomBytes;

/** The contract on a directory, plus what only the local store has: files, directories, temporary files. */
class LocalBlobStoreTest extends BlobStoreContractTest {

    @TempDir
    Path root;

    @Override
    protected BlobStore createStore() throws IOException {
        return new LocalBlobStore(root.resolve("files"));
    }

    private Path directory() {
        return root.resolve("files");
    }

    @Test
    void objectsAreFilesAtThePathOfTheirKey() throws Exception {
        store.put("files/3f2a/blob", new ByteArrayInputStream(new byte[] {1, 2, 3}), 3);

        assertThat(directory().resolve("files/3f2a/blob")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(store.describe()).isEqualTo("local:" + directory().toAbsolutePath());
    }

    @Test
    void temporaryAndForeignFilesAreNeverListed() throws Exception {
        store.put("files/a/blob", new ByteArrayInputStream(new byte[] {1}), 1);
        Files.writeString(directory().resolve("files/a/.~0b6c.tmp"), "left by a crash");
        Files.writeString(directory().resolve(".~1d2e.tmp"), "left by a crash");
        Files.writeString(directory().resolve("files/notes by an operator.txt"), "not a key");

        assertThat(store.list("")).extracting(BlobInfo::key).containsExactly("files/a/blob");
        assertThat(store.list("files/a/")).extracting(BlobInfo::key).containsExactly("files/a/blob");
    }

    @Test
    void failedPutLeavesNoTemporaryFile() throws Exception {
        assertThatThrownBy(() -> store.put("files/short/blob", new ByteArrayInputStream(randomBytes(100_000)),
                100_001)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store.put("files/long/blob", new ByteArrayInputStream(randomBytes(100_001)),
                100_000)).isInstanceOf(IOException.class);

        assertThat(regularFiles()).isEmpty();
    }

    @Test
    void deletingTheLastObjectOfADirectoryRemovesTheEmptyDirectories() throws Exception {
        store.put("files/x/blob", new ByteArrayInputStream(new byte[] {1}), 1);
        store.put("files/y/blob", new ByteArrayInputStream(new byte[] {1}), 1);

        store.delete("files/x/blob");
        assertThat(directory().resolve("files/x")).doesNotExist();
        assertThat(directory().resolve("files/y")).isDirectory();

        store.delete("files/y/blob");
        assertThat(directory().resolve("files")).doesNotExist();
        assertThat(directory()).isDirectory();
        store.put("files/x/blob", new ByteArrayInputStream(new byte[] {1}), 1);
        assertThat(store.exists("files/x/blob")).isTrue();
    }

    @Test
    void aKeyThatIsTheDirectoryOfOtherKeysIsNotAnObject() throws Exception {
        store.put("a/b", new ByteArrayInputStream(new byte[] {1}), 1);

        assertThat(store.exists("a")).isFalse();
        assertThat(store.delete("a")).isFalse();
        assertThatThrownBy(() -> store.open("a")).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> store.put("a", new ByteArrayInputStream(new byte[] {1}), 1))
                .isInstanceOf(IOException.class);
        assertThat(store.exists("a/b")).isTrue();
        assertThat(regularFiles()).containsExactly(directory().resolve("a/b"));
    }

    @Test
    void concurrentPutsAndDeletesInOneDirectoryAllSucceed() throws Exception {
        // Deletes prune the shared parent whenever it is empty, while puts are creating files in it.
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int task = t;
                tasks.add(executor.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        String key = "shared/parent/k" + task + "-" + i;
                        store.put(key, new ByteArrayInputStream(new byte[] {(byte) i}), 1);
                        assertThat(store.delete(key)).isTrue();
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
        }
        assertThat(store.list("")).isEmpty();
        assertThat(regularFiles()).isEmpty();
    }

    private List<Path> regularFiles() throws IOException {
        try (Stream<Path> files = Files.walk(directory())) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
