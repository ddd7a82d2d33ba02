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
 * one is generated once in {@code <data-dir>/secrets/local.key} (key id {@code local}) so that the zero-setup run
 * works. Once generated, that key stays loaded on the single node even after keys are configured, because secrets
 * encrypted with it can only be read with it: configuring a key and running {@code rotate-secrets} moves them to the
 * configured key, and only then may the file be deleted. In cluster mode every replica needs the same keys, so a
 * missing key stops startup with a message naming the variables.
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
        Path generated = atrium.dataDir().resolve("secrets").resolve("local.key");
        if (!keys.isEmpty()) {
            String active = secrets.activeKey() != null ? secrets.activeKey()
                    : keys.size() == 1 ? keys.keySet().iterator().next() : null;
            if (active == null) {
                throw new IllegalStateException("Several secrets keys are configured: set ATRIUM_SECRETS_ACTIVE_KEY"
                        + " to the id new secrets should be encrypted with.");
            }
            if (!"cluster".equals(mode) && !keys.containsKey(GENERATED_ID) && Files.exists(generated)) {
                keys.put(GENERATED_ID, readKey(generated));
                LogEvents.info(log, "secrets.key.generated_kept").addKeyValue("file", generated.toString())
                        .addKeyValue("active_key", active).log();
            }
            return new SecretCipher(keys, active);
        }
        if ("cluster".equals(mode)) {
            throw new IllegalStateException("No secrets key is configured. In cluster mode every replica needs the"
                    + " same key: set ATRIUM_SECRETS_KEYS_K1 to 32 random bytes in base64 (for example the output of"
                    + " `openssl rand -base64 32`) and ATRIUM_SECRETS_ACTIVE_KEY=k1.");
        }
        keys.put(GENERATED_ID, localKey(generated));
        return new SecretCipher(keys, GENERATED_ID);
    }

    private static byte[] readKey(Path file) {
        try {
            return Base64.getDecoder().decode(Files.readString(file).strip());
        } catch (IOException | IllegalArgumentException unreadable) {
            throw new IllegalStateException("Could not read the generated secrets key " + file + " (key id 'local'),"
                    + " which secrets stored before ATRIUM_SECRETS_KEYS_<ID> was set are encrypted with.",
                    unreadable);
        }
    }

    private static byte[] localKey(Path file) {
        Path directory = file.getParent();
        try {
            if (Files.exists(file)) {
                return readKey(file);
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
