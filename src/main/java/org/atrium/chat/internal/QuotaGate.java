package org.atrium.chat.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.atrium.chat.QuotaLimits;
import org.atrium.chat.QuotaService;
import org.atrium.platform.AtriumException;
import org.atrium.platform.LogEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;

/** {@link QuotaService} over a {@link QuotaStore}: turns a refusal into {@code 429 quota_exceeded}. */
final class QuotaGate implements QuotaService {

    private static final Logger log = LoggerFactory.getLogger(QuotaGate.class);

    private final QuotaStore store;
    private final Map<QuotaStore.Quota, Counter> exceeded;

    QuotaGate(QuotaStore store, MeterRegistry meters) {
        this.store = store;
        this.exceeded = Map.of(
                QuotaStore.Quota.TOKENS_PER_DAY, counter(meters, QuotaStore.Quota.TOKENS_PER_DAY),
                QuotaStore.Quota.REQUESTS_PER_MINUTE, counter(meters, QuotaStore.Quota.REQUESTS_PER_MINUTE));
    }

    @Override
    public void acquire(UUID userId, QuotaLimits limits) {
        if (limits.tokensPerDay() == null && limits.requestsPerMinute() == null) {
            return;
        }
        QuotaStore.Refusal refusal = store.acquire(userId, limits);
        if (refusal == null) {
            return;
        }
        exceeded.get(refusal.quota()).increment();
        // The caller's user_id is already in the MDC (quotas are checked on the request's thread).
        LogEvents.info(log, "quota.exceeded")
                .addKeyValue("quota", refusal.quota().setting).addKeyValue("limit", refusal.limit())
                .addKeyValue("retry_after_ms", refusal.retryAfter().toMillis()).log();
        String detail = refusal.quota() == QuotaStore.Quota.TOKENS_PER_DAY
                ? "You have used your " + refusal.limit() + " tokens for today (UTC). Try again after midnight UTC."
                : "You have made your " + refusal.limit() + " requests for this minute. Try again in a moment.";
        throw AtriumException.tooManyRequests("quota_exceeded", detail, refusal.retryAfter());
    }

    @Override
    public void addTokens(UUID userId, long tokens) {
        if (tokens > 0) {
            store.addTokens(userId, tokens);
        }
    }

    private static Counter counter(MeterRegistry meters, QuotaStore.Quota quota) {
        return Counter.builder("atrium.quota.exceeded").tag("quota", quota.setting)
                .description("Calls refused because a quota was used up").register(meters);
    }
}
