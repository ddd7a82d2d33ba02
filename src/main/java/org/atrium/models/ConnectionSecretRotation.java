package org.atrium.models;

import org.atrium.platform.AtriumCommand;
import org.atrium.platform.AtriumProperties;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** {@code java -jar atrium.jar rotate-secrets}: re-encrypts connections' header values with the active key too. */
@Component
class ConnectionSecretRotation implements ApplicationRunner {

    private final AtriumProperties properties;
    private final ConnectionService connections;

    ConnectionSecretRotation(AtriumProperties properties, ConnectionService connections) {
        this.properties = properties;
        this.connections = connections;
    }

    @Override
    public void run(ApplicationArguments arguments) {
        if (properties.command() == AtriumCommand.ROTATE_SECRETS) {
            connections.rotate();
        }
    }
}
