package org.atrium.platform.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.util.Map;

/**
 * Keys for secrets at rest ({@code atrium.secrets.*}).
 *
 * @param keys      key id to base64 of 32 random bytes ({@code ATRIUM_SECRETS_KEYS_<ID>}); none by default
 * @param activeKey the id new secrets are encrypted with ({@code ATRIUM_SECRETS_ACTIVE_KEY}); optional with one key
 */
@ConfigurationProperties("atrium.secrets")
record SecretsProperties(@DefaultValue Map<String, String> keys, @Nullable String activeKey) {
}
