package org.atrium.accounts;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Sessions created by signing in ({@code atrium.session.*}).
 *
 * @param ttl          how long a session lasts after sign-in ({@code 7d})
 * @param cookieSecure whether the {@code atrium_session} cookie is marked {@code Secure}; turn it on behind HTTPS
 *                     ({@code false})
 * @param expiredCleanupInterval how often expired sessions (and API keys expired for 30 days) are deleted, once
 *                               across the cluster ({@code 1h})
 */
@Validated
@ConfigurationProperties("atrium.session")
public record SessionProperties(
        @DefaultValue("7d") @NotNull Duration ttl,
        @DefaultValue("false") boolean cookieSecure,
        @DefaultValue("1h") @NotNull Duration expiredCleanupInterval) {
}
