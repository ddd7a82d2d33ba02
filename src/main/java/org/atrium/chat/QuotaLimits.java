package org.atrium.chat;

import org.atrium.settings.EffectiveState;
import org.atrium.settings.EffectiveValue;
import org.atrium.settings.SettingKey;
import org.jspecify.annotations.Nullable;

/**
 * A user's quotas, from the effective settings {@code quotas.tokensPerDay} and {@code quotas.requestsPerMinute};
 * {@code null} means unlimited.
 *
 * @param tokensPerDay      input and output tokens per UTC day
 * @param requestsPerMinute calls to a model per minute
 */
public record QuotaLimits(@Nullable Long tokensPerDay, @Nullable Long requestsPerMinute) {

    /** No limit at all. */
    public static final QuotaLimits UNLIMITED = new QuotaLimits(null, null);

    /** Rejects negative limits. */
    public QuotaLimits {
        if ((tokensPerDay != null && tokensPerDay < 0) || (requestsPerMinute != null && requestsPerMinute < 0)) {
            throw new IllegalArgumentException("quotas cannot be negative");
        }
    }

    /**
     * @param state a caller's effective state
     * @return the quotas it sets
     */
    public static QuotaLimits of(EffectiveState state) {
        return new QuotaLimits(number(state.setting(SettingKey.TOKENS_PER_DAY)),
                number(state.setting(SettingKey.REQUESTS_PER_MINUTE)));
    }

    private static @Nullable Long number(@Nullable EffectiveValue value) {
        return value == null || !value.value().isNumber() ? null : value.value().asLong();
    }
}
