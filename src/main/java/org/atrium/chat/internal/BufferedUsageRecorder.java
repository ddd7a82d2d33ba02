package org.atrium.chat.internal;

import org.atrium.chat.QuotaService;
import org.atrium.chat.UsageEvent;
import org.atrium.chat.UsageRecorder;

/** {@link UsageRecorder}: the quota count first, then the buffer (whose contents the quota's seed reads). */
final class BufferedUsageRecorder implements UsageRecorder {

    private final UsageBuffer buffer;
    private final QuotaService quotas;

    BufferedUsageRecorder(UsageBuffer buffer, QuotaService quotas) {
        this.buffer = buffer;
        this.quotas = quotas;
    }

    @Override
    public void record(UsageEvent event) {
        // Counted before buffering: a count seeded in between reads the buffer without this call, never with it twice.
        quotas.addTokens(event.userId(), event.totalTokens());
        buffer.add(event);
    }
}
