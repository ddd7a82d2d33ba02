package org.atrium.settings;

import org.atrium.platform.AtriumCommand;
import org.atrium.platform.AtriumProperties;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** {@code java -jar atrium.jar rotate-secrets}: re-encrypts stored secrets with the active key. */
@Component
class SecretRotationCommand implements ApplicationRunner {

    private final AtriumProperties properties;
    private final CredentialService credentials;

    SecretRotationCommand(AtriumProperties properties, CredentialService credentials) {
        this.properties = properties;
        this.credentials = credentials;
    }

    @Override
    public void run(ApplicationArguments arguments) {
        if (properties.command() == AtriumCommand.ROTATE_SECRETS) {
            credentials.rotate();
        }
    }
}
