package org.atrium.platform.internal;

import org.atrium.platform.AtriumProperties;
import org.atrium.platform.LogEvents;
import org.atrium.platform.SecretCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The keys that encrypt secrets at rest ({@code atrium.secrets.*}): {@code ATRIUM_SECRETS_KEYS_<ID>} is a base64
 * 32-byte key, {@code ATRIUM_SECRETS_ACTIVE_KEY} the id new secrets use. On a single node with no key configured,
 * one is generated once in {@code <data-dir>/secrets/} so that the zero-setup run works; in cluster mode every
 * replica needs the same keys, so a missing key stops startup with a message naming the variables.
 */
@Configuration(proxyBeanMethods = false)
class SecretsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecretsConfiguration.class);
    private static final String GENERATED_ID = "local";

    @Bean
    SecretCipher secretCipher(SecretsProperties secrets, AtriumProperties atrium,
                              @Value("${" + DeploymentModeEnvironment.MODE_PROPERTY + "}") String mode) {
        Map<String, byte[]> keys = new HashMap<>();
        secrets.keys().forEach((id, value) -> keys.put(id, decode(id, value)));
        if (!keys.isEmpty()) {
            String active = secrets.activeKey() != null ? secrets.activeKey()
                    : keys.size() == 1 ? keys.keySet().iterator().next() : null;
            if (active == null) {
                throw new IllegalStateException("Several secrets keys are configured: set ATRIUM_SECRETS_ACTIVE_KEY"
                        + " to the id new secrets should be encrypted with.");
            }
            return new SecretCipher(keys, active);
        }
        if ("cluster".equals(mode)) {
            throw new IllegalStateException("No secrets key is configured. In cluster mode every replica needs the"
                    + " same key: set ATRIUM_SECRETS_KEYS_K1 to 32 random bytes in base64 (for example the output of"
                    + " `openssl rand -base64 32`) and ATRIUM_SECRETS_ACTIVE_KEY=k1.");
        }
        keys.put(GENERATED_ID, localKey(atrium.dataDir().resolve("secrets")));
        return new SecretCipher(keys, GENERATED_ID);
    }

    private static byte[] localKey(Path directory) {
        Path file = directory.resolve("local.key");
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).strip());
            }
            Files.createDirectories(directory);
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.writeString(file, Base64.getEncoder().encodeToString(key));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the file system's own permissions apply.
            }
            LogEvents.warn(log, "secrets.key.generated").addKeyValue("file", file.toString()).log();
            return key;
        } catch (IOException failure) {
            throw new UncheckedIOException("Could not read or create the secrets key " + file, failure);
        }
    }

    private static byte[] decode(String id, String value) {
        try {
            return Base64.getDecoder().decode(value.strip());
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalStateException("ATRIUM_SECRETS_KEYS_" + id.toUpperCase() + " is not valid base64",
                    notBase64);
        }
    }
}
