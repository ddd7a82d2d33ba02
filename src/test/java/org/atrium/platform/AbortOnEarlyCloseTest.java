package org.atrium.platform;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class AbortOnEarlyCloseTest {

    private final AtomicInteger aborts = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();

    /** A body whose close, like an HTTP client's, would read the rest; after an abort it can only fail. */
    private InputStream body(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public void close() throws IOException {
                closes.incrementAndGet();
                if (aborts.get() > 0) {
                    throw new IOException("connection closed");
                }
            }
        };
    }

    @Test
    void aBodyReadToItsEndIsClosedAndNotAborted() throws IOException {
        try (InputStream in = new AbortOnEarlyClose(body(new byte[10]), aborts::incrementAndGet)) {
            assertThat(in.readAllBytes()).hasSize(10);
        }

        assertThat(aborts).hasValue(0);
        assertThat(closes).hasValue(1);
    }

    @Test
    void aBodyClosedBeforeItsEndIsAbortedAndWhatClosingThenReportsIsDropped() throws IOException {
        try (InputStream in = new AbortOnEarlyClose(body(new byte[10]), aborts::incrementAndGet)) {
            assertThat(in.readNBytes(4)).hasSize(4);
        }

        assertThat(aborts).hasValue(1);
        assertThat(closes).hasValue(1);
    }

    @Test
    void theEndIsSeenBySingleByteReadsToo() throws IOException {
        InputStream in = new AbortOnEarlyClose(body(new byte[2]), aborts::incrementAndGet);
        while (in.read() >= 0) {
            // read to the end one byte at a time
        }
        in.close();

        assertThat(aborts).hasValue(0);
    }
}
