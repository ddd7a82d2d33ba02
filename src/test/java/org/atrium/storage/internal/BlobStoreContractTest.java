package org.atrium.storage.internal;

import org.atrium.storage.BlobInfo;
import org.atrium.storage.BlobNotFoundException;
import org.atrium.storage.BlobStore;
import org.atrium.storage.StoredBlob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.atrium.storage.internal.Payloads.randomBytes;
import static org.atrium.storage.internal.Payloads.sha256;

/**
 * What every {@link BlobStore} promises, run against each implementation by a subclass that supplies a fresh,
 * empty store per test.
 */
abstract class BlobStoreContractTest {

    /** Enough objects to need several pages from a store whose page size is {@link #SMALL_PAGE_SIZE}. */
    static final int SMALL_PAGE_SIZE = 10;

    protected BlobStore store;

    /**
     * @return a new, empty store; for S3 one that lists {@link #SMALL_PAGE_SIZE} keys per request
     * @throws Exception if it cannot be created
     */
    protected abstract BlobStore createStore() throws Exception;

    /**
     * @return the store for the 64 MB streaming test, whose heap measurement must not see a server's copy of the
     *         content; by default {@link #store}
     * @throws Exception if it cannot be created
     */
    protected BlobStore createStoreForLargeContent() throws Exception {
        return store;
    }

    @BeforeEach
    void createEmptyStore() throws Exception {
        store = createStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Test
    void putThenOpenReturnsTheSameMultiMegabytePayloadWithItsSizeAndSha256() throws Exception {
        byte[] payload = randomBytes(5 * 1024 * 1024 + 123);

        StoredBlob stored = store.put("files/3f2a/blob", new ByteArrayInputStream(payload), payload.length);

        assertThat(stored).isEqualTo(new StoredBlob("files/3f2a/blob", payload.length, sha256(payload)));
        try (InputStream in = store.open("files/3f2a/blob")) {
            assertThat(in.readAllBytes()).isEqualTo(payload);
        }
    }

    @Test
    void emptyContentIsStoredAsAnEmptyObject() throws Exception {
        StoredBlob stored = store.put("empty", InputStream.nullInputStream(), 0);

        assertThat(stored).isEqualTo(new StoredBlob("empty", 0, sha256(new byte[0])));
        try (InputStream in = store.open("empty")) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void nonEmptyStreamDeclaredEmptyFailsAndLeavesNothing() throws Exception {
        assertThatThrownBy(() -> store.put("files/empty/blob", new ByteArrayInputStream(new byte[] {1}), 0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("longer than the declared 0");

        assertThat(store.exists("files/empty/blob")).isFalse();
    }

    @Test
    void streamShorterThanTheDeclaredLengthFailsAndLeavesNothing() throws Exception {
        byte[] payload = randomBytes(3 * 1024 * 1024);

        assertThatThrownBy(() -> store.put("files/short/blob", new ByteArrayInputStream(payload),
                payload.length + 1L))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ended after " + payload.length + " of the declared " + (payload.length + 1));

        assertThat(store.exists("files/short/blob")).isFalse();
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void streamLongerThanTheDeclaredLengthFailsAndLeavesNothing() throws Exception {
        byte[] payload = randomBytes(1024 * 1024 + 1);

        assertThatThrownBy(() -> store.put("files/long/blob", new ByteArrayInputStream(payload),
                payload.length - 1L))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("longer than the declared " + (payload.length - 1));

        assertThat(store.exists("files/long/blob")).isFalse();
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void failingContentStreamFailsThePutAndLeavesNothing() throws Exception {
        InputStream failing = Payloads.failingAfter(200_000, new IOException("client went away"));

        assertThatThrownBy(() -> store.put("files/broken/blob", failing, 1_000_000))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("client went away");

        assertThat(store.exists("files/broken/blob")).isFalse();
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void failedPutLeavesAnExistingObjectUnchanged() throws Exception {
        byte[] original = randomBytes(1000);
        store.put("kept", new ByteArrayInputStream(original), original.length);

        assertThatThrownBy(() -> store.put("kept", new ByteArrayInputStream(randomBytes(10)), 11))
                .isInstanceOf(IOException.class);

        try (InputStream in = store.open("kept")) {
            assertThat(in.readAllBytes()).isEqualTo(original);
        }
    }

    @Test
    void putReplacesAnExistingObject() throws Exception {
        store.put("replaced", new ByteArrayInputStream(randomBytes(1000)), 1000);
        byte[] replacement = randomBytes(10);

        store.put("replaced", new ByteArrayInputStream(replacement), replacement.length);

        try (InputStream in = store.open("replaced")) {
            assertThat(in.readAllBytes()).isEqualTo(replacement);
        }
        assertThat(store.list("replaced")).singleElement().extracting(BlobInfo::size).isEqualTo(10L);
    }

    @Test
    void deleteReportsWhetherTheObjectExistedAndCanBeRepeated() throws Exception {
        store.put("files/d/blob", new ByteArrayInputStream(randomBytes(10)), 10);

        assertThat(store.delete("files/d/blob")).isTrue();
        assertThat(store.delete("files/d/blob")).isFalse();
        assertThat(store.delete("never/stored")).isFalse();
        assertThatThrownBy(() -> store.open("files/d/blob")).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void existsFollowsPutAndDelete() throws Exception {
        assertThat(store.exists("files/e/blob")).isFalse();

        store.put("files/e/blob", new ByteArrayInputStream(randomBytes(10)), 10);
        assertThat(store.exists("files/e/blob")).isTrue();
        assertThat(store.exists("files/e")).isFalse();

        store.delete("files/e/blob");
        assertThat(store.exists("files/e/blob")).isFalse();
    }

    @Test
    void openOfAMissingKeyThrowsBlobNotFoundExceptionNamingTheKey() {
        assertThatThrownBy(() -> store.open("files/missing/blob"))
                .isInstanceOf(BlobNotFoundException.class)
                .extracting(failure -> ((BlobNotFoundException) failure).key())
                .isEqualTo("files/missing/blob");
    }

    @Test
    void listReturnsTheObjectsUnderAPrefixInKeyOrderWithSizeAndTime() throws Exception {
        Instant before = Instant.now().minus(Duration.ofSeconds(5));
        store.put("files/b1/blob", new ByteArrayInputStream(randomBytes(3)), 3);
        store.put("files/a2/blob", new ByteArrayInputStream(randomBytes(2)), 2);
        store.put("files/a1/blob", new ByteArrayInputStream(randomBytes(1)), 1);
        store.put("other/x", new ByteArrayInputStream(randomBytes(4)), 4);
        Instant after = Instant.now().plus(Duration.ofSeconds(5));

        assertThat(store.list("files/a")).extracting(BlobInfo::key, BlobInfo::size)
                .containsExactly(tuple("files/a1/blob", 1L),
                        tuple("files/a2/blob", 2L));
        assertThat(store.list("files/")).extracting(BlobInfo::key)
                .containsExactly("files/a1/blob", "files/a2/blob", "files/b1/blob");
        assertThat(store.list("")).extracting(BlobInfo::key)
                .containsExactly("files/a1/blob", "files/a2/blob", "files/b1/blob", "other/x");
        assertThat(store.list("nothing/")).isEmpty();
        assertThat(store.list("files/a1/blob/")).isEmpty();
        assertThat(store.list("")).allSatisfy(info -> assertThat(info.lastModified()).isBetween(before, after));
    }

    @Test
    void listReturnsEveryObjectWhenThereAreMoreThanFitInOnePage() throws Exception {
        List<String> keys = IntStream.range(0, 3 * SMALL_PAGE_SIZE + 5)
                .mapToObj(i -> "many/%03d/blob".formatted(i)).toList();
        for (String key : keys) {
            store.put(key, new ByteArrayInputStream(new byte[] {1}), 1);
        }
        store.put("manyx", new ByteArrayInputStream(new byte[] {1}), 1);

        assertThat(store.list("many/")).extracting(BlobInfo::key).containsExactlyElementsOf(keys);
    }

    @Test
    void keysWithEveryAllowedCharacterWork() throws Exception {
        String key = "A-Z_a.z/0-9_.x/y.z-";

        store.put(key, new ByteArrayInputStream(new byte[] {42}), 1);

        assertThat(store.exists(key)).isTrue();
        assertThat(store.list("A-Z_a.z/")).extracting(BlobInfo::key).containsExactly(key);
        assertThat(store.delete(key)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs", "a/../b", "..", "../up", "a/..", "a..b", "a//b", "a/", "a/./b", ".",
            "a b", "a\\b", "ü", "a\nb", "a:b", "~tmp", "a/.~x.tmp"})
    void invalidKeysAreRejectedBeforeTouchingStorage(String key) {
        assertThatThrownBy(() -> store.put(key, new ByteArrayInputStream(new byte[1]), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.open(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.exists(key)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void overlongKeysAreRejected() {
        assertThatThrownBy(() -> store.exists("a".repeat(BlobKeys.MAX_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/files", "../", "files/../", "a//", "a b", "ü"})
    void invalidPrefixesAreRejected(String prefix) {
        assertThatThrownBy(() -> store.list(prefix)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void negativeLengthIsRejected() {
        assertThatThrownBy(() -> store.put("negative", InputStream.nullInputStream(), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closingAReaderEarlyLeavesTheStoreUsable() throws Exception {
        byte[] payload = randomBytes(4 * 1024 * 1024);
        store.put("partly/read", new ByteArrayInputStream(payload), payload.length);

        for (int i = 0; i < 3; i++) {
            try (InputStream in = store.open("partly/read")) {
                assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOf(payload, 10));
            }
        }

        assertThat(store.exists("partly/read")).isTrue();
        try (InputStream in = store.open("partly/read")) {
            assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(payload));
        }
    }

    @Test
    void putOfA64MegabyteGeneratedStreamNeverHoldsTheContentInMemory() throws Exception {
        long size = 64L * 1024 * 1024;
        GeneratedContent content = new GeneratedContent(size, 42, size * 3 / 4);
        BlobStore store = createStoreForLargeContent();
        long heapBefore = GeneratedContent.usedHeapAfterGc();

        StoredBlob stored = store.put("big/blob", content, size);

        assertThat(stored.size()).isEqualTo(size);
        assertThat(stored.sha256Hex()).isEqualTo(content.sha256Hex());
        // A store that buffered the content would hold at least 48 MB of it when the heap was measured.
        assertThat(content.heapAtMeasure() - heapBefore).isLessThan(24L * 1024 * 1024);
        try (InputStream in = store.open("big/blob")) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            for (int n; (n = in.read(buffer)) >= 0; read += n) {
                digest.update(buffer, 0, n);
            }
            assertThat(read).isEqualTo(size);
            assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(stored.sha256Hex());
        }
        assertThat(store.list("big/")).singleElement().extracting(BlobInfo::size).isEqualTo(size);
    }
}
