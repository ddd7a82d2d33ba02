package org.atrium.settings;

import io.swagger.v3.oas.annotations.media.Schema;
import org.atrium.accounts.AccessProfile;
import org.atrium.accounts.Caller;
import org.atrium.cache.Stamp;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything a request needs to know about its caller, resolved from the instance defaults, the caller's groups and
 * their own overrides, and current as of the request.
 *
 * @param caller      identity, role and permissions
 * @param expiresAt   when the credential used for the request expires
 * @param groups      the caller's groups, highest priority first
 * @param settings    every setting key with its effective value and source
 * @param credentials the credential used per provider connection
 * @param stamp       the versions this state was computed from
 */
@Schema(description = "The caller's effective state: identity, groups, settings with sources, credentials.")
public record EffectiveState(
        Caller caller,
        Instant expiresAt,
        List<AccessProfile.Membership> groups,
        Map<String, EffectiveValue> settings,
        List<EffectiveCredential> credentials,
        @Schema(hidden = true) Stamp stamp) {

    /** Freezes the collections. */
    public EffectiveState {
        groups = List.copyOf(groups);
        settings = Map.copyOf(settings);
        credentials = List.copyOf(credentials);
    }

    /**
     * @param key a setting
     * @return its effective value
     */
    public EffectiveValue setting(SettingKey key) {
        return settings.get(key.key());
    }
}
